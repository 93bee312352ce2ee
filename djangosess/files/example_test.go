package files_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/files"
	"github.com/djangosess/djangosess/serializer"
)

// A session directory shared with Django (SESSION_ENGINE =
// "django.contrib.sessions.backends.file"): Go creates a session that
// Django's SessionStore loads, and loads what Django writes.
func ExampleNew() {
	dir, err := os.MkdirTemp("", "sessions") // SESSION_FILE_PATH
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	now := func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) }
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte("django-insecure-0123456789")})
	if err != nil {
		panic(err)
	}
	store, err := files.New(files.Config{Dir: dir, Codec: codec, Now: now})
	if err != nil {
		panic(err)
	}

	ctx := context.Background()
	data := serializer.DictOf("_auth_user_id", serializer.Str("42"), "cart", serializer.List{serializer.Int(7)})
	key, err := djangosess.CreateNew(ctx, store, djangosess.Record{Data: data})
	if err != nil {
		panic(err)
	}
	r, err := store.Load(ctx, key)
	if err != nil {
		panic(err)
	}
	uid, _ := r.Data.String("_auth_user_id")
	fmt.Println("user:", uid)
	fmt.Println("expires:", r.Expiry.UTC()) // the file's mtime + SESSION_COOKIE_AGE
	fmt.Println("format:", r.Stored.Serializer, r.Stored.Format)

	// An explicit expiry is kept where Django looks for it: the file's
	// modification time, SESSION_COOKIE_AGE before it.
	soon := now().Add(time.Hour)
	if err := store.Save(ctx, key, djangosess.Record{Data: data, Expiry: soon}); err != nil {
		panic(err)
	}
	path, _ := store.Path(key)
	fi, _ := os.Stat(path)
	fmt.Println("mtime:", fi.ModTime().UTC())
	// Output:
	// user: 42
	// expires: 2030-01-16 03:04:05 +0000 UTC
	// format: json signed
	// mtime: 2029-12-19 04:04:05 +0000 UTC
}
