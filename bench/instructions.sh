#!/usr/bin/env bash
# The user-space instructions of one cold run of each binary, counted by valgrind's cachegrind
# (no cache simulation): a figure that the host's load does not move (two runs of one binary
# agree within 0.2 %), for steps of a few per cent that wall and CPU times cannot tell from
# noise on a shared machine. Instructions are not time: code that waits on memory or the kernel
# (SQLite's pages, the files staged) counts for less than it costs, so confirm a step with
# `ab.py` or `scale.sh`. Valgrind hides some instructions from the program (SHA-NI: SHA-256 runs
# its portable code, which counts several times what it costs natively).
#
#   bench/instructions.sh CONFIG BINARY...     # one cold run of each, in order
#
# CONFIG is a workload's `feeds.toml` from `bench_gen`, served meanwhile (`bench_server`); a run
# at 500 x 50 takes about 20 s under valgrind. Needs `valgrind` (`apt-get install valgrind`).
# Each run's state and output go to a fresh folder under WORK (default: a fresh temp dir).
set -euo pipefail
CONFIG=$1
shift
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/feedbraid-instr.XXXXXX")}
for bin in "$@"; do
    d=$WORK/run
    rm -rf "$d"
    mkdir -p "$d"
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$d/cg.out" \
        "$bin" run --config "$CONFIG" --out "$d/out" --state "$d/state.db" > "$d/log" 2>&1 || true
    refs=$(sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' "$d/log" | tr -d ,)
    if [ -z "$refs" ] || ! grep -q 'feedbraid: took' "$d/log"; then
        # A run that failed counts nothing worth comparing: its log is kept.
        mv "$d" "$WORK/failed-$(basename "$bin")"
        printf '%s\tfailed: see %s\n' "$bin" "$WORK/failed-$(basename "$bin")/log"
        continue
    fi
    printf '%s\t%s M instructions\n' "$bin" "$((refs / 1000000))"
done
rm -rf "$WORK/run"
