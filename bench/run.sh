#!/usr/bin/env bash
# Side-by-side benchmark: feedbraid vs the Python peer (feedparser + feedgen), issue 5.
#
#   bench/run.sh                 # 500 sources x 50 items (~120 MB), feedbraid and peer, RUNS=3
#   RUNS=1 bench/run.sh          # one run per tool and scenario
#   SCALE=1 bench/run.sh         # 5000 sources x 20 items, feedbraid only
#
# Environment: RUNS (3), SCALE (0), PORT (8931), SEED (1), WORK (a fresh temp dir; kept at the
# end, holding results.tsv and every run's log), PEER (path of baseline_feedparser.py; default
# ../shared/peer/ beside the repository), NOBUILD=1 to skip the cargo build, NOPEER=1 to run
# feedbraid alone.
#
# Scenarios, each run RUNS times, feedbraid and the peer alternating (odd runs feedbraid first):
#   cold-0ms     fresh --state for feedbraid, fresh cache dir for the peer, server latency 0 ms
#   warm-0ms     state/cache primed by the first cold run: every source answers 304
#   changed-10   before each run `bench_gen --touch 0.1` adds one item to 10% of the feeds (and
#                the items the hijack guard held, which must be 0, are printed)
#   cold-50ms    as cold-0ms, server restarted with --latency-ms 50
#   limit        before each cold run, the tokenise limit (examples/floor.rs `tokenise`)
# Measured with /usr/bin/time -f '%e %U %S %M' (wall s, user s, sys s, peak RSS KB).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-3}
SCALE=${SCALE:-0}
PORT=${PORT:-8931}
SEED=${SEED:-1}
PEER=${PEER:-$ROOT/../shared/peer/baseline_feedparser.py}
VENV=${TMPDIR:-/tmp}/bench-venv
TIME=/usr/bin/time

if [ ! -x "$TIME" ]; then
    echo "bench: /usr/bin/time is missing: apt-get install time" >&2
    exit 2
fi
if [ "$SCALE" = 1 ]; then
    SOURCES=5000 ITEMS=20 WITH_PEER=0
else
    SOURCES=500 ITEMS=50 WITH_PEER=1
fi
if [ "${NOPEER:-0}" = 1 ]; then
    WITH_PEER=0
fi
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/feedbraid-bench.XXXXXX")}
mkdir -p "$WORK/logs" "$WORK/state"
DATA=$WORK/data
RESULTS=$WORK/results.tsv
: > "$RESULTS"
echo "bench: work dir $WORK"

if [ "${NOBUILD:-0}" != 1 ]; then
    # Two builds: one with the examples would unify their dev-dependencies' features into the
    # binary, which is then not the one users run (`docs/performance.md`, round fourteen).
    (cd "$ROOT" && cargo build --release --bin feedbraid && cargo build --release --examples)
fi
FB=$ROOT/target/release/feedbraid
GEN=$ROOT/target/release/examples/bench_gen
SRV=$ROOT/target/release/examples/bench_server
FLOOR=$ROOT/target/release/examples/floor

if [ "$WITH_PEER" = 1 ]; then
    if [ ! -f "$PEER" ]; then
        echo "bench: peer script not found at $PEER (set PEER=)" >&2
        exit 2
    fi
    if ! "$VENV/bin/python" -c 'import feedparser, feedgen, requests' 2>/dev/null; then
        echo "bench: setting up the peer venv in $VENV"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q feedparser feedgen requests
    fi
fi

"$GEN" --sources "$SOURCES" --items "$ITEMS" --seed "$SEED" --port "$PORT" --out "$DATA"

SRV_PID=
start_server() {
    "$SRV" --dir "$DATA" --port "$PORT" --latency-ms "$1" > "$WORK/logs/server-$1ms.log" 2>&1 &
    SRV_PID=$!
    for _ in $(seq 1 600); do
        grep -q listening "$WORK/logs/server-$1ms.log" 2>/dev/null && return 0
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "bench: server did not start:" >&2
    cat "$WORK/logs/server-$1ms.log" >&2
    exit 2
}
stop_server() {
    if [ -n "$SRV_PID" ]; then
        kill "$SRV_PID" 2>/dev/null || true
        wait "$SRV_PID" 2>/dev/null || true
        SRV_PID=
    fi
}
trap stop_server EXIT

input_bytes() {
    find "$DATA/feeds" -name '*.xml' -printf '%s\n' | awk '{s += $1} END {print s}'
}

# measure SCENARIO TOOL RUN cmd...
measure() {
    local scen=$1 tool=$2 run=$3
    shift 3
    local log=$WORK/logs/$scen-$tool-$run.log tf=$WORK/logs/$scen-$tool-$run.time rc=0
    "$TIME" -f '%e %U %S %M' -o "$tf" "$@" > "$log" 2>&1 || rc=$?
    local e u s m
    read -r e u s m < <(tail -1 "$tf")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$tool" "$run" "$rc" "$e" "$u" "$s" "$m" "$(input_bytes)" >> "$RESULTS"
    printf 'bench: %-10s %-9s run %s: exit %s, wall %ss, user %ss, sys %ss, peak RSS %s KB; %s\n' \
        "$scen" "$tool" "$run" "$rc" "$e" "$u" "$s" "$m" "$(tail -1 "$log" | cut -c1-160)"
}
# limit RUN: the tokenise limit of issue 25 (quick-xml's events alone over every core, no tree, no
# model), in seconds as the floor example prints them; every feedbraid figure is reported as a
# multiple of it.
limit() {
    local secs
    secs=$("$FLOOR" "$DATA/feeds" 999999999 tokenise | awk '/^tokenise/ {print $5}')
    printf 'limit\ttokenise\t%s\t0\t%s\t0\t0\t0\t%s\n' "$1" "$secs" "$(input_bytes)" >> "$RESULTS"
    echo "bench: tokenise limit run $1: ${secs}s"
}
fb() { # fb SCENARIO RUN STATE_DIR
    measure "$1" feedbraid "$2" "$FB" run --config "$DATA/feeds.toml" --out "$3/out" --state "$3/state.db"
}
peer() { # peer SCENARIO RUN CACHE_DIR
    measure "$1" peer "$2" "$VENV/bin/python" "$PEER" --config "$DATA/feeds.toml" --out "$3/out/feed.atom" --state "$3/cache" --keep 100
}
# both SCENARIO RUN FB_STATE_DIR PEER_STATE_DIR: feedbraid first on odd runs, the peer first on even runs
both() {
    if [ "$WITH_PEER" != 1 ]; then
        fb "$1" "$2" "$3"
    elif [ $(($2 % 2)) = 1 ]; then
        fb "$1" "$2" "$3"
        peer "$1" "$2" "$4"
    else
        peer "$1" "$2" "$4"
        fb "$1" "$2" "$3"
    fi
}

start_server 0
for r in $(seq 1 "$RUNS"); do
    limit "$r"
    rm -rf "$WORK/state/fb-cold-$r" "$WORK/state/peer-cold-$r"   # cold means cold, even in a reused WORK
    both cold-0ms "$r" "$WORK/state/fb-cold-$r" "$WORK/state/peer-cold-$r"
done
for r in $(seq 1 "$RUNS"); do
    both warm-0ms "$r" "$WORK/state/fb-cold-1" "$WORK/state/peer-cold-1"
done
for r in $(seq 1 "$RUNS"); do
    "$GEN" --touch 0.1 --seed $((SEED * 1000 + r)) --out "$DATA"
    both changed-10 "$r" "$WORK/state/fb-cold-1" "$WORK/state/peer-cold-1"
    # The hijack guard's false positives (issue 23): an ordinary change run must hold nothing.
    echo "bench: changed-10 run $r: items held for review: $(python3 -c \
        'import json, sys; print(json.load(open(sys.argv[1]))["review"]["held"])' \
        "$WORK/state/fb-cold-1/out/status.json")"
done
stop_server
start_server 50
for r in $(seq 1 "$RUNS"); do
    rm -rf "$WORK/state/fb-lat-$r" "$WORK/state/peer-lat-$r"
    both cold-50ms "$r" "$WORK/state/fb-lat-$r" "$WORK/state/peer-lat-$r"
done
stop_server

echo
echo "## $SOURCES sources x $ITEMS items, RUNS=$RUNS ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'))"
echo
python3 "$ROOT/bench/report.py" "$RESULTS"
echo
echo "bench: raw results in $RESULTS, logs in $WORK/logs"
