package gateway

import (
	"fmt"
	"io"
	"net/http"
	rtmetrics "runtime/metrics"
	"sync"
	"time"
)

// buckets are the latency histogram's upper bounds, in seconds.
var buckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}

// Metrics counts checks by result with a latency histogram, served in the
// Prometheus text format.
type Metrics struct {
	mu     sync.Mutex
	counts map[string]*histogram
}

type histogram struct {
	buckets []uint64
	count   uint64
	sum     float64
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics { return &Metrics{counts: map[string]*histogram{}} }

func (m *Metrics) observe(result string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.counts[result]
	if h == nil {
		h = &histogram{buckets: make([]uint64, len(buckets))}
		m.counts[result] = h
	}
	s := d.Seconds()
	for i, b := range buckets {
		if s <= b {
			h.buckets[i]++
		}
	}
	h.count++
	h.sum += s
}

// WriteTo writes the metrics in the Prometheus text exposition format.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cw := &countWriter{w: w}
	fmt.Fprintln(cw, "# HELP djangosess_gateway_requests_total Auth checks answered, by result.")
	fmt.Fprintln(cw, "# TYPE djangosess_gateway_requests_total counter")
	for _, r := range []string{ResultOK, ResultUnauthorized, ResultError} {
		var n uint64
		if h := m.counts[r]; h != nil {
			n = h.count
		}
		fmt.Fprintf(cw, "djangosess_gateway_requests_total{result=%q} %d\n", r, n)
	}
	fmt.Fprintln(cw, "# HELP djangosess_gateway_request_duration_seconds Time to answer an auth check.")
	fmt.Fprintln(cw, "# TYPE djangosess_gateway_request_duration_seconds histogram")
	for _, r := range []string{ResultOK, ResultUnauthorized, ResultError} {
		h := m.counts[r]
		if h == nil {
			continue
		}
		for i, b := range buckets {
			fmt.Fprintf(cw, "djangosess_gateway_request_duration_seconds_bucket{result=%q,le=\"%g\"} %d\n", r, b, h.buckets[i])
		}
		fmt.Fprintf(cw, "djangosess_gateway_request_duration_seconds_bucket{result=%q,le=\"+Inf\"} %d\n", r, h.count)
		fmt.Fprintf(cw, "djangosess_gateway_request_duration_seconds_sum{result=%q} %g\n", r, h.sum)
		fmt.Fprintf(cw, "djangosess_gateway_request_duration_seconds_count{result=%q} %d\n", r, h.count)
	}
	writeRuntime(cw)
	return cw.n, cw.err
}

// runtimeSamples are the process's goroutines and memory, named as the
// Prometheus Go client names them (read without stopping the world).
// Each gauge is the sum of its runtime/metrics samples.
var runtimeSamples = []struct {
	name, help string
	sum        []string
}{
	{"go_goroutines", "Number of goroutines that currently exist.", []string{"/sched/goroutines:goroutines"}},
	{"go_memstats_heap_inuse_bytes", "Bytes in in-use heap spans.",
		[]string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}},
	{"go_memstats_sys_bytes", "Bytes obtained from the OS.", []string{"/memory/classes/total:bytes"}},
	{"go_gc_heap_live_bytes", "Heap memory occupied by live objects that were marked by the previous GC.",
		[]string{"/gc/heap/live:bytes"}},
}

func writeRuntime(w io.Writer) {
	for _, r := range runtimeSamples {
		samples := make([]rtmetrics.Sample, len(r.sum))
		for i, name := range r.sum {
			samples[i].Name = name
		}
		rtmetrics.Read(samples)
		var v uint64
		for _, s := range samples {
			if s.Value.Kind() == rtmetrics.KindUint64 {
				v += s.Value.Uint64()
			}
		}
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", r.name, r.help, r.name, r.name, v)
	}
}

// ServeHTTP serves the metrics.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.WriteTo(w)
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
