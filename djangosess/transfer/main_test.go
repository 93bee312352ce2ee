package transfer_test

import (
	"testing"

	"github.com/djangosess/djangosess/internal/redistest"
)

// TestMain stops the Redis Cluster the chain test starts.
func TestMain(m *testing.M) { redistest.Main(m) }
