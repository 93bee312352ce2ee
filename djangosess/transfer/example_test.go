package transfer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/transfer"
	"github.com/djangosess/djangosess/serializer"
)

// Move the sessions of a file-backed project into its database, re-signed
// under a new SECRET_KEY, then check the result.
func ExampleCopy() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	from, _ := engine.Open(ctx, engine.Settings{Engine: "file", FilePath: dir, SecretKey: []byte("old-key")})
	defer from.Close()
	to, _ := engine.Open(ctx, engine.Settings{DatabaseURL: "sqlite:///" + filepath.Join(dir, "db.sqlite3"), SecretKey: []byte("new-key")})
	defer to.Close()
	to.Migrate(ctx)
	for i := range 3 {
		djangosess.CreateNew(ctx, from.Store, djangosess.Record{Data: serializer.DictOf("n", serializer.Int(int64(i)))})
	}

	sum, err := transfer.Copy(ctx, from.Store, to.Store, transfer.Options{})
	fmt.Println(sum.Copied, sum.Skipped, err)
	sum, _ = transfer.Copy(ctx, from.Store, to.Store, transfer.Options{}) // run again: nothing left to do
	fmt.Println(sum.Copied, sum.Skipped)
	rep, _ := transfer.Verify(ctx, from.Store, to.Store, transfer.VerifyOptions{})
	fmt.Println(rep.Equal(), rep.Same)
	// Output:
	// 3 0 <nil>
	// 0 3
	// true 3
}
