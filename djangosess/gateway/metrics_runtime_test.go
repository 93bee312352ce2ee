package gateway_test

import (
	"bufio"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/djangosess/gateway"
)

// TestMetricsRuntime: the metrics carry the process's goroutine count and
// memory, as gauges with the Prometheus Go client's names.
func TestMetricsRuntime(t *testing.T) {
	runtime.GC() // the live heap is what the last GC marked
	var b strings.Builder
	if _, err := gateway.NewMetrics().WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	types := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			types[f[2]] = f[3]
		}
		if len(f) == 2 && strings.HasPrefix(f[0], "go_") {
			n, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				t.Errorf("%s: %v", sc.Text(), err)
			}
			got[f[0]] = n
		}
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "go_memstats_sys_bytes", "go_gc_heap_live_bytes"} {
		if types[name] != "gauge" {
			t.Errorf("%s: type %q, want gauge", name, types[name])
		}
		if got[name] == 0 {
			t.Errorf("%s missing or 0 in\n%s", name, b.String())
		}
	}
	// This test runs in a goroutine of its own, besides main's.
	if got["go_goroutines"] < 2 || got["go_goroutines"] > uint64(runtime.NumGoroutine())+100 {
		t.Errorf("go_goroutines = %d, runtime.NumGoroutine() = %d", got["go_goroutines"], runtime.NumGoroutine())
	}
	if got["go_gc_heap_live_bytes"] > got["go_memstats_heap_inuse_bytes"] || got["go_memstats_heap_inuse_bytes"] > got["go_memstats_sys_bytes"] {
		t.Errorf("want live heap %d <= heap in use %d <= sys %d",
			got["go_gc_heap_live_bytes"], got["go_memstats_heap_inuse_bytes"], got["go_memstats_sys_bytes"])
	}
}
