#!/usr/bin/env python3
"""Reads `go test -json` on stdin; prints each package's result line, the
output of every failed test, the skipped tests with their reason, and a
closing line 'tests: N passed, N failed, N skipped'. Exits 1 when anything
failed."""
import json
import sys

passed = failed = skipped = 0
skips = []  # "pkg Test: reason"
output = {}  # (pkg, test) -> lines
bad_pkgs = []
for line in sys.stdin:
    try:
        ev = json.loads(line)
    except ValueError:
        print(line, end="")
        continue
    pkg, test, action = ev.get("Package", ""), ev.get("Test"), ev.get("Action")
    key = (pkg, test)
    if action == "output":
        output.setdefault(key, []).append(ev.get("Output", ""))
        if test is None and ev.get("Output", "").startswith(("ok ", "FAIL", "?")):
            print(ev["Output"], end="")
        continue
    if test is None:
        if action == "fail":
            bad_pkgs.append(pkg)
            print("".join(output.get(key, [])), end="")
        continue
    if action == "pass":
        passed += 1
        output.pop(key, None)
    elif action == "skip":
        skipped += 1
        lines = [l.strip() for l in output.pop(key, []) if l.strip() and not l.strip().startswith(("=== ", "--- "))]
        skips.append("%s %s: %s" % (pkg, test, lines[-1] if lines else "(no reason given)"))
    elif action == "fail":
        failed += 1
        print("".join(output.pop(key, [])), end="")
if bad_pkgs and not failed:
    failed = len(bad_pkgs)
for s in skips:
    print("skipped: " + s)
print("tests: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
sys.exit(1 if failed or bad_pkgs else 0)
