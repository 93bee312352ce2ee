package engine

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/djangosess/djangosess/djangosess"
)

// openMySQL is filled in with the mysql store.
func openMySQL(dsn, table string, codec *djangosess.Codec, loc *time.Location, s Settings, o *Opened) (djangosess.Store, func(context.Context) error, error) {
	return nil, nil, fmt.Errorf("%w: MySQL sessions are not wired into the engine yet", djangosess.ErrConfig)
}

func openMySQLDB(dsn string) (*sql.DB, error) {
	return nil, fmt.Errorf("%w: MySQL is not wired into the engine yet", djangosess.ErrConfig)
}
