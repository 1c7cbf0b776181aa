#!/usr/bin/env python3
"""Cold runs of two (or more) feedbraid binaries on one workload, alternating, in one invocation:
the median wall time to the millisecond (`/usr/bin/time` gives hundredths) and the median CPU
(user + system) of each. For steps worth a few per cent, where run.sh and scale.sh are too coarse.

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
    for _ in range(n):
        for b in binaries:
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
        walls = [w for w, _ in results[b]]
        cpus = [c for _, c in results[b]]
        print(
            f"{b}: wall median {statistics.median(walls):.3f} s, min {min(walls):.3f} s; "
            f"CPU median {statistics.median(cpus):.3f} s, min {min(cpus):.3f} s"
        )


if __name__ == "__main__":
    main()
