#!/usr/bin/env python3
"""Cold runs of two (or more) feedbraid binaries on one workload, alternating, in one invocation:
the wall time to the millisecond (`/usr/bin/time` gives hundredths) and the CPU (user + system)
of each, as the minimum, the lower quartile and the median. For steps worth a few per cent, where
run.sh and scale.sh are too coarse.

The binaries take turns going first, so that neither always runs right after the other. On a
shared host, noise only ever adds time, so the minimum and the lower quartile move less than the
median with the host's load; read the three together.

    python3 bench/ab.py N CONFIG BINARY...     # N cold runs of each binary

CONFIG is a workload's `feeds.toml` from `bench_gen`; its partners must be served meanwhile
(`bench_server --dir DIR --port PORT`, as run.sh does). Each run gets a fresh state and output
folder under WORK (default: a fresh temp dir), deleted after it. Put WORK on a tmpfs to compare
the work itself: on a disk a cold run at 500 x 50 waits for its fsyncs (2.2 s against 0.66 s
on this machine's tmpfs).
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    n, config, binaries = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    work = os.environ.get("WORK") or tempfile.mkdtemp(prefix="feedbraid-ab.")
    results = {b: [] for b in binaries}
    for k in range(n):
        for b in binaries if k % 2 == 0 else binaries[::-1]:
            d = os.path.join(work, "run")
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            cmd = [b, "run", "--config", config, "--out", d + "/out", "--state", d + "/state.db"]
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            results[b].append((wall, cpu))
            shutil.rmtree(d, ignore_errors=True)
    for b in binaries:
        print(f"{b}: wall {spread(w for w, _ in results[b])}; CPU {spread(c for _, c in results[b])}")


def spread(values):
    """`median M s, q1 Q s, min N s` of some times."""
    v = sorted(values)
    return f"median {statistics.median(v):.3f} s, q1 {v[len(v) // 4]:.3f} s, min {v[0]:.3f} s"


if __name__ == "__main__":
    main()
