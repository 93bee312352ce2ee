#!/usr/bin/python3
"""soak_sample.py: the sampler and the report of bench/soak.sh.

  soak_sample.py sample PID INTERVAL OUT [METRICS_URL]
      every INTERVAL seconds until PID exits (or SIGTERM), appends to OUT
      "seconds rss_kb threads fds goroutines heap_inuse live_heap cpu_ticks":
      VmRSS and Threads from /proc/PID/status, the entries of /proc/PID/fd,
      utime+stime from /proc/PID/stat, and, when METRICS_URL is given,
      go_goroutines, go_memstats_heap_inuse_bytes and go_gc_heap_live_bytes
      from its Prometheus text ("-" otherwise).

  soak_sample.py report NAME WORK
      prints the summary of one target from the files soak.sh left in WORK:
      NAME.PHASE.wrk (wrk's output) and NAME.PHASE.status ("epoch_second
      status count" lines from soak.lua) for PHASE before, during and
      after; NAME.samples; NAME.gc (the process's stderr, with
      GODEBUG=gctrace=1); NAME.start (epoch ms) and NAME.times ("kill_ms
      up_ms").
"""
import os
import re
import signal
import sys
import time
import urllib.request


def sample(pid, interval, out, metrics_url=None):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    start = time.monotonic()
    n = 0
    with open(out, "a") as f:
        while not stop:
            try:
                status = open("/proc/%d/status" % pid).read()
                fds = len(os.listdir("/proc/%d/fd" % pid))
                stat = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
                ticks = int(stat[11]) + int(stat[12])
            except OSError:
                return  # the process is gone
            rss = re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1)
            threads = re.search(r"^Threads:\s+(\d+)", status, re.M).group(1)
            gor = heap = live = "-"
            if metrics_url:
                try:
                    text = urllib.request.urlopen(metrics_url, timeout=5).read().decode()
                    gor = re.search(r"^go_goroutines (\d+)$", text, re.M).group(1)
                    heap = re.search(r"^go_memstats_heap_inuse_bytes (\d+)$", text, re.M).group(1)
                    live = re.search(r"^go_gc_heap_live_bytes (\d+)$", text, re.M).group(1)
                except (OSError, AttributeError):
                    pass
            f.write("%.1f %s %s %d %s %s %s %d\n" % (time.monotonic() - start, rss, threads, fds, gor, heap, live, ticks))
            f.flush()
            n += 1
            delay = start + n * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)


def ms(v):
    """wrk's latency ("812.00us", "1.20ms", "2.01s") in milliseconds."""
    m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
    x = float(m.group(1))
    return {"us": x / 1000, "ms": x, "s": x * 1000, "m": x * 60000}[m.group(2)]


def series_line(label, values, unit="", slack=0):
    """first/last/min/max and the flat? verdict: the mean of the last
    quarter of the samples within 20% of the second quarter's, or within
    slack of it (small counts: a thread more is not a leak); the first
    quarter is warm-up. The restart falls between the second and third
    quarters, so "growing?" compares the last quarter with the third: a
    step at the restart that then holds is not growth."""
    if not values:
        return "  %-20s (not sampled)" % label
    q = max(1, len(values) // 4)
    mean = lambda v: sum(v) / len(v)
    m2, m3, m4 = mean(values[q:2 * q] or values), mean(values[2 * q:3 * q] or values), mean(values[-q:])
    near = lambda a, b: abs(a - b) <= max(0.2 * b, slack)
    return "  %-20s first %s last %s min %s max %s | mean Q2 %.1f Q3 %.1f Q4 %.1f | flat? %s, growing? %s" % (
        label, fmt(values[0], unit), fmt(values[-1], unit), fmt(min(values), unit), fmt(max(values), unit),
        m2, m3, m4, "yes" if near(m4, m2) else "NO", "no" if near(m4, m3) or m4 < m3 else "YES")


def fmt(v, unit):
    return ("%g" % v) + unit


def wrk_run(path):
    """requests, seconds, req/s, p50 ms, p99 ms, socket errors of one wrk run."""
    wrk = open(path).read()
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", wrk)
    took = float(m.group(2)) * {"ms": 0.001, "s": 1, "m": 60}[m.group(3)]
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", wrk, re.M))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", wrk)
    sock = sum(int(x) for x in sock.groups()) if sock else 0
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
    return int(m.group(1)), took, rps, ms(lat["50"]), ms(lat["99"]), sock


def report(name, work):
    p = lambda ext: os.path.join(work, name + "." + ext)
    kill_ms, up_ms = (int(x) for x in open(p("times")).read().split())
    up_s = up_ms // 1000
    print("== %s: Redis killed %.1f s after the start, answering PING again %.1f s later" % (
        name, (kill_ms - int(open(p("start")).read())) / 1000, (up_ms - kill_ms) / 1000))
    print("  %-7s %6s %9s %7s %8s %8s %7s %7s %8s  %s" % (
        "phase", "secs", "requests", "req/s", "p50_ms", "p99_ms", "sockerr", "non200", "err%", "statuses"))
    total = [0, 0.0, 0, 0]  # requests, seconds, errors, 503s
    last_bad = None
    for ph in ("before", "during", "after"):
        reqs, took, rps, p50, p99, sock = wrk_run(p(ph + ".wrk"))
        statuses = {}
        for line in open(p(ph + ".status")):
            sec, st, n = (int(x) for x in line.split())
            statuses[st] = statuses.get(st, 0) + n
            if st != 200 and sec > up_s and (last_bad is None or sec > last_bad):
                last_bad = sec
        non200 = sum(n for st, n in statuses.items() if st != 200)
        errors = sock + non200
        by = ", ".join("%d: %d" % kv for kv in sorted(statuses.items()))
        print("  %-7s %6.1f %9d %7.0f %8.2f %8.2f %7d %7d %7.3f%%  [%s]" % (
            ph, took, reqs, rps, p50, p99, sock, non200, 100.0 * errors / reqs if reqs else 0, by))
        total[0] += reqs
        total[1] += took
        total[2] += errors
    print("  %-7s %6.1f %9d %7.0f %35d %7.3f%%" % (
        "all", total[1], total[0], total[0] / total[1], total[2], 100.0 * total[2] / total[0]))
    if last_bad is None:
        print("  after the restart: no error once Redis answered")
    else:
        print("  after the restart: errors until the second starting %d s after Redis answered" % (last_bad - up_s))

    rows = [l.split() for l in open(p("samples")) if l.strip()]
    col = lambda i: [int(r[i]) for r in rows if r[i] != "-"]
    if len(rows) > 1:
        cpu = (int(rows[-1][7]) - int(rows[0][7])) / os.sysconf("SC_CLK_TCK")
        span = float(rows[-1][0]) - float(rows[0][0])
        print("  CPU of the process: %.1f s in %.0f s (%.0f%% of one core), %.0f us per request" % (
            cpu, span, 100 * cpu / span, cpu * 1e6 / total[0]))
    print("  %d samples over %s s:" % (len(rows), rows[-1][0] if rows else 0))
    print(series_line("RSS (MiB)", [round(v / 1024, 1) for v in col(1)]))
    print(series_line("threads", col(2), slack=2))
    print(series_line("open fds", col(3), slack=2))
    print(series_line("goroutines", col(4), slack=2))
    print(series_line("heap in use (MiB)", [round(v / 1048576, 2) for v in col(5)]))
    print(series_line("live heap (MiB)", [round(v / 1048576, 2) for v in col(6)]))
    # GODEBUG=gctrace=1: "gc N @T s ... A->B->C MB ..."; C is the heap
    # marked live by the cycle.
    gc = open(p("gc")).read()
    live = [int(m.group(1)) for m in re.finditer(r"^gc \d+ @[\d.]+s .* \d+->\d+->(\d+) MB", gc, re.M)]
    print(series_line("gctrace live (MB)", live, slack=1))
    print("  GC cycles: %d" % len(live))


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "sample":
        sample(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None)
    elif len(sys.argv) == 4 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
