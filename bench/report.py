#!/usr/bin/env python3
"""Summarises bench/run.sh's results.tsv as Markdown: medians per scenario and tool, and ratios.

Columns of results.tsv: scenario tool run exit wall_s user_s sys_s peak_rss_kb input_bytes
"""
import statistics
import sys
from collections import OrderedDict

rows = OrderedDict()
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) < 9:
        continue
    scen, tool, _run, rc, wall, user, sys_, rss, nbytes = f[:9]
    r = rows.setdefault((scen, tool), dict(rc=[], wall=[], cpu=[], rss=[], bytes=[]))
    r["rc"].append(rc)
    r["wall"].append(float(wall))
    r["cpu"].append(float(user) + float(sys_))
    r["rss"].append(int(rss) / 1024)
    r["bytes"].append(int(nbytes))

med = {k: {m: statistics.median(v[m]) for m in ("wall", "cpu", "rss", "bytes")} for k, v in rows.items()}
print("| scenario | tool | runs | exit codes | wall s (median) | user+sys CPU s (median) | peak RSS MB (median) | MB/s (input / wall) |")
print("|---|---|---|---|---|---|---|---|")
for (scen, tool), v in rows.items():
    m = med[(scen, tool)]
    mbs = m["bytes"] / 1e6 / m["wall"] if m["wall"] > 0 else float("inf")
    print(f"| {scen} | {tool} | {len(v['wall'])} | {','.join(v['rc'])} | {m['wall']:.2f} | {m['cpu']:.2f} | {m['rss']:.0f} | {mbs:.1f} |")

scens = list(OrderedDict.fromkeys(s for s, _ in rows))
if any((s, "peer") in med for s in scens):
    print()
    print("| scenario | peer / feedbraid wall | peer / feedbraid CPU | peer / feedbraid peak RSS |")
    print("|---|---|---|---|")
    for s in scens:
        a, b = med.get((s, "feedbraid")), med.get((s, "peer"))
        if a and b:
            def ratio(x, y):
                return f"{y / x:.1f}x" if x > 0 else "n/a"
            print(f"| {s} | {ratio(a['wall'], b['wall'])} | {ratio(a['cpu'], b['cpu'])} | {ratio(a['rss'], b['rss'])} |")

lim = med.get(("limit", "tokenise"))
if lim and lim["wall"] > 0:
    print()
    print(f"Tokenise limit (quick-xml events alone, every core): {lim['wall']:.3f} s (median).")
    print()
    print("| scenario | feedbraid wall s | as a multiple of the tokenise limit |")
    print("|---|---|---|")
    for s in scens:
        a = med.get((s, "feedbraid"))
        if a:
            print(f"| {s} | {a['wall']:.2f} | {a['wall'] / lim['wall']:.1f}x |")
