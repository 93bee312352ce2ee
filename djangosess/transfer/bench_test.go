package transfer_test

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/transfer"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/internal/servertest"
)

// BenchmarkCopyPostgresToRedis copies $DJANGOSESS_COPY_BENCH_N sessions
// (default 5,000; bench/copy.sh runs 10,000 and 100,000) from PostgreSQL
// to the local Redis and reports sessions/s and the peak Go heap during
// the copy (peak-heap-MB) and the process's peak RSS (VmHWM, peak-rss-MB).
func BenchmarkCopyPostgresToRedis(b *testing.B) {
	n := 5000
	if v := os.Getenv("DJANGOSESS_COPY_BENCH_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	conc := 32
	if v := os.Getenv("DJANGOSESS_COPY_BENCH_CONCURRENCY"); v != "" {
		conc, _ = strconv.Atoi(v)
	}
	pg := servertest.Postgres(b)
	o, err := engine.Open(ctx, engine.Settings{DatabaseURL: pg.DSN + "&pool_max_conns=" + strconv.Itoa(conc), SecretKey: []byte(oldKey)})
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	if err := o.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	// n sessions: one typical logged-in session, encoded once, under n keys.
	d := session(3, false)
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte(oldKey)})
	if err != nil {
		b.Fatal(err)
	}
	data, err := codec.Encode(d)
	if err != nil {
		b.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, pg.DSN)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO django_session SELECT substr(md5(i::text) || md5((-i)::text), 1, 32), $1, now() + interval '1 day' FROM generate_series(1, $2::int) i`, data, n); err != nil {
		b.Fatal(err)
	}
	c := redistest.Local(b)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dst, err := engine.Open(ctx, engine.Settings{Engine: "cache", CacheURL: "redis://" + redistest.Addr() + "/0", CacheKeyPrefix: redistest.Prefix(b, c)})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var peak atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-t.C:
				case <-stop:
					return
				}
			}
		}()
		b.StartTimer()
		start := time.Now()
		sum, err := transfer.Copy(ctx, o.Store, dst.Store, transfer.Options{Concurrency: conc})
		el := time.Since(start)
		b.StopTimer()
		close(stop)
		<-sampled
		dst.Close()
		if err != nil || sum.Copied != int64(n) {
			b.Fatalf("%+v %v", sum, err)
		}
		b.ReportMetric(float64(n)/el.Seconds(), "sessions/s")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		b.ReportMetric(vmHWM()/1024, "peak-rss-MB")
		b.StartTimer()
	}
}

// vmHWM is the process's peak resident set in KiB (Linux), or 0.
func vmHWM() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, _ := strconv.ParseFloat(f[0], 64)
				return v
			}
		}
	}
	return 0
}
