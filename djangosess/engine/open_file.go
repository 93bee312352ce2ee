package engine

import (
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/files"
)

func newFileStore(dir string, s Settings, codec *djangosess.Codec, loc *time.Location) (djangosess.Store, error) {
	return files.New(files.Config{Dir: dir, CookieName: s.CookieName, Codec: codec, CookieAge: s.CookieAge, Location: loc, Now: s.Now})
}
