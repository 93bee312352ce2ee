package coalesce_test

import (
	"context"
	"fmt"

	"github.com/djangosess/djangosess/internal/coalesce"
)

func ExampleGroup() {
	var users coalesce.Group[string, string]
	lookup := func(ctx context.Context) (string, error) {
		return "alice", nil // a database round trip, say
	}
	name, err, shared := users.Do(context.Background(), "1", lookup)
	fmt.Println(name, err, shared)
	// Output: alice <nil> false
}
