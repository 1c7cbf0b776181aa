#!/usr/bin/env bash
# Two feedbraid binaries side by side on the same 500 x 50 workload, cold runs (each followed by a
# warm run on its state: every source answers 304) alternating, in one
# invocation (only ratios from one invocation count: the machine is noisy). Also runs the new
# binary on a deliberately broken copy of the workload: the recovery path's cost.
#
#   bench/compare.sh OLD_BINARY NEW_BINARY        # RUNS=5 by default
#
# The broken copy: an XHTML DOCTYPE after every XML declaration, `&nbsp;&mdash;` (entities XML does
# not declare) at the end of every title, every 10th `</title>` misspelt `</titel>`, and the last
# 200 bytes of every file cut off (a transfer that stopped mid-item).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OLD=$1 NEW=$2
RUNS=${RUNS:-5}
PORT=${PORT:-8932}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/feedbraid-compare.XXXXXX")}
TIME=/usr/bin/time
GEN=$ROOT/target/release/examples/bench_gen
SRV=$ROOT/target/release/examples/bench_server
[ -x "$GEN" ] || (cd "$ROOT" && cargo build --release --examples)
mkdir -p "$WORK/logs"
"$GEN" --sources 500 --items 50 --seed 1 --port "$PORT" --out "$WORK/data" > /dev/null
cp -r "$WORK/data" "$WORK/broken"
python3 - "$WORK/broken/feeds" <<'PY'
import pathlib, re, sys
for p in pathlib.Path(sys.argv[1]).glob("*.xml"):
    t = p.read_bytes().decode("latin-1")  # byte-transparent: the files are in several charsets
    t = re.sub(r"(<\?xml[^>]*\?>)", r'\1<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">', t, count=1)
    n = 0
    def title(m):
        global n
        n += 1
        return "&nbsp;&mdash;</titel>" if n % 10 == 0 else "&nbsp;&mdash;</title>"
    t = re.sub(r"</title>", title, t)
    p.write_bytes(t[:-200].encode("latin-1"))
PY
bytes() { find "$1/feeds" -name '*.xml' -printf '%s\n' | awk '{s += $1} END {print s}'; }

serve() { # serve DIR
    "$SRV" --dir "$1" --port "$PORT" > "$WORK/logs/server.log" 2>&1 &
    SRV_PID=$!
    for _ in $(seq 1 600); do grep -q listening "$WORK/logs/server.log" 2>/dev/null && return 0; sleep 0.1; done
    echo "server did not start" >&2; exit 2
}
stop() { kill "$SRV_PID" 2>/dev/null || true; wait "$SRV_PID" 2>/dev/null || true; }
trap stop EXIT

run() { # run LABEL BINARY DATA N [KEEP]: KEEP=warm runs again on LABEL's state and output
    local d=$WORK/state/$1-$4
    if [ "${5:-}" = warm ]; then d=$WORK/state/${1%-warm}-$4; else rm -rf "$d"; mkdir -p "$d"; fi
    "$TIME" -f '%e %U %S %M' -o "$d/time" "$2" run --config "$3/feeds.toml" --out "$d/out" --state "$d/state.db" > "$d/log" 2>&1 || true
    read -r e u s m < <(tail -1 "$d/time")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$4" "$e" "$(echo "$u + $s" | bc)" "$m" "$(python3 -c 'import json,sys; print(sum(1 for s in json.load(open(sys.argv[1]))["sources"] if s["status"] == "ok" and s["entries"] > 0))' "$d/out/status.json" 2>/dev/null || echo 0)" | tee -a "$WORK/results.tsv"
}

serve "$WORK/data"
for r in $(seq 1 "$RUNS"); do
    if [ $((r % 2)) = 1 ]; then order="old new"; else order="new old"; fi
    for who in $order; do
        bin=$OLD; [ "$who" = new ] && bin=$NEW
        run "$who" "$bin" "$WORK/data" "$r"
        # The same state again: every source answers 304 (the warm run).
        run "$who-warm" "$bin" "$WORK/data" "$r" warm
    done
done
stop
serve "$WORK/broken"
for r in $(seq 1 "$RUNS"); do run new-broken "$NEW" "$WORK/broken" "$r"; done
run old-broken "$OLD" "$WORK/broken" 1
stop
python3 - "$WORK/results.tsv" "$(bytes "$WORK/data")" "$(bytes "$WORK/broken")" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]) if l.strip()]
size = {"old": int(sys.argv[2]), "new": int(sys.argv[2]), "old-warm": int(sys.argv[2]), "new-warm": int(sys.argv[2]), "new-broken": int(sys.argv[3]), "old-broken": int(sys.argv[3])}
med = {}
print("| run | median wall s | median CPU s | peak RSS MB | MB/s (input / wall) | sources read |")
print("|---|---|---|---|---|---|")
for label in ["old", "new", "old-warm", "new-warm", "new-broken", "old-broken"]:
    r = [x for x in rows if x[0] == label]
    if not r: continue
    w = statistics.median(float(x[2]) for x in r); c = statistics.median(float(x[3]) for x in r)
    m = max(int(x[4]) for x in r) / 1024; med[label] = w
    print(f"| {label} (n={len(r)}) | {w:.2f} | {c:.2f} | {m:.0f} | {size[label] / w / 1e6:.1f} | {r[0][5].strip()} |")
print(f"\nnew / old cold wall: {med['new'] / med['old']:.3f}")
print(f"new / old warm wall: {med['new-warm'] / med['old-warm']:.3f}")
PY
echo "compare: raw results in $WORK/results.tsv"
