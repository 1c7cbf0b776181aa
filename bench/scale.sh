#!/usr/bin/env bash
# Two feedbraid binaries side by side at the size of a large network (issue 25): 5,000 sources x
# 20 items by default, cold, warm (every source answers 304) and 10 % changed (one new item in
# each of 500 feeds), the binaries alternating within each scenario, in one invocation, with the
# tokenise limit (quick-xml's events over every byte, both cores: `examples/floor.rs tokenise`)
# measured before each round. Every figure is printed as a multiple of that limit too: the
# machines are noisy, only ratios from one invocation count.
#
#   bench/scale.sh OLD_BINARY NEW_BINARY          # RUNS=2, SOURCES=5000, ITEMS=20
#
# Each binary has its own state and output; the changed round touches the served files once, and
# both binaries then run on the same data.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OLD=$1 NEW=$2
RUNS=${RUNS:-2}
SOURCES=${SOURCES:-5000}
ITEMS=${ITEMS:-20}
PORT=${PORT:-8933}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/feedbraid-scale.XXXXXX")}
TIME=/usr/bin/time
GEN=$ROOT/target/release/examples/bench_gen
SRV=$ROOT/target/release/examples/bench_server
FLOOR=$ROOT/target/release/examples/floor
[ -x "$GEN" ] && [ -x "$FLOOR" ] || (cd "$ROOT" && cargo build --release --examples)
mkdir -p "$WORK/logs"
"$GEN" --sources "$SOURCES" --items "$ITEMS" --seed 1 --port "$PORT" --out "$WORK/data" > /dev/null

"$SRV" --dir "$WORK/data" --port "$PORT" > "$WORK/logs/server.log" 2>&1 &
SRV_PID=$!
trap 'kill "$SRV_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q listening "$WORK/logs/server.log" 2>/dev/null && break; sleep 0.1; done

limit() {
    "$FLOOR" "$WORK/data/feeds" 999999999 tokenise | awk '/^tokenise/ {print $5}'
}
# A cold run's folder from an earlier round is moved aside, not deleted: on ext4, creating files
# in the minute after many were deleted scans the deleted inodes (`recently_deleted`), and a
# cold run's publication then took seconds longer, whichever binary it was. Deleted at the end.
mkdir -p "$WORK/aside"
# This invocation's results alone, when WORK is reused.
: > "$WORK/results.tsv"
run() { # run WHO BINARY ROUND SCENARIO
    local d=$WORK/state/$1-$3
    [ "$4" = cold ] && { [ -e "$d" ] && mv "$d" "$(mktemp -d "$WORK/aside/XXXXXX")/"; mkdir -p "$d"; }
    "$TIME" -f '%e %U %S %M' -o "$d/time" "$2" run --config "$WORK/data/feeds.toml" --out "$d/out" --state "$d/state.db" > "$d/log-$4" 2>&1 || true
    read -r e u s m < <(tail -1 "$d/time")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$4" "$1" "$3" "$e" "$(echo "$u + $s" | bc)" "$m" | tee -a "$WORK/results.tsv"
}
for r in $(seq 1 "$RUNS"); do
    printf 'limit\ttokenise\t%s\t%s\t0\t0\n' "$r" "$(limit)" | tee -a "$WORK/results.tsv"
    if [ $((r % 2)) = 1 ]; then order="old new"; else order="new old"; fi
    for scen in cold warm changed; do
        if [ "$scen" = changed ]; then
            "$GEN" --sources "$SOURCES" --items "$ITEMS" --seed 1 --port "$PORT" --out "$WORK/data" --touch 0.1 > /dev/null
        fi
        for who in $order; do
            bin=$OLD; [ "$who" = new ] && bin=$NEW
            run "$who" "$bin" "$r" "$scen"
        done
    done
done
python3 - "$WORK/results.tsv" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
lim = statistics.median(float(x[3]) for x in rows if x[0] == "limit")
print(f"tokenise limit (median of {sum(1 for x in rows if x[0] == 'limit')}): {lim:.3f} s\n")
print("| run | old wall s | new wall s | new / old | old × limit | new × limit | old peak RSS MB | new peak RSS MB |")
print("|---|---|---|---|---|---|---|---|")
for scen in ["cold", "warm", "changed"]:
    def med(who, col):
        return statistics.median(float(x[col]) for x in rows if x[0] == scen and x[1] == who)
    def peak(who):
        return max(int(x[5]) for x in rows if x[0] == scen and x[1] == who) / 1024
    o, n = med("old", 3), med("new", 3)
    print(f"| {scen} | {o:.2f} | {n:.2f} | {n / o:.2f} | {o / lim:.1f}× | {n / lim:.1f}× | {peak('old'):.0f} | {peak('new'):.0f} |")
PY
rm -rf "$WORK/aside"
echo "scale: raw results in $WORK/results.tsv"
