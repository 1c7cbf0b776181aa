#!/usr/bin/env bash
# What views cost (issue 9): the 500 x 50 benchmark of bench/run.sh, feedbraid alone, with no
# [[view]] and with 20 views, cold and warm, the two configs alternating. Also checks that an
# unchanged warm run rewrites no feed, page or embed.
#
#   bench/views.sh            # RUNS=3; WORK, PORT, SEED, NOBUILD as in bench/run.sh
#
# The 20 views: 10 by source (50 partners each), 4 by language (en, zh, th, fr), 3 by tag, and 3
# with include/exclude patterns (which make every candidate keep its filter text).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-3}
PORT=${PORT:-8932}
SEED=${SEED:-1}
TIME=/usr/bin/time
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/feedbraid-views.XXXXXX")}
mkdir -p "$WORK/logs"
DATA=$WORK/data
if [ "${NOBUILD:-0}" != 1 ]; then
    # Two builds: one with the examples would unify their dev-dependencies' features into the
    # binary, which is then not the one users run (`docs/performance.md`, round fourteen).
    (cd "$ROOT" && cargo build --release --bin feedbraid && cargo build --release --examples)
fi
FB=$ROOT/target/release/feedbraid
"$ROOT/target/release/examples/bench_gen" --sources 500 --items 50 --seed "$SEED" --port "$PORT" --out "$DATA"
cp "$DATA/feeds.toml" "$DATA/views0.toml"
cp "$DATA/feeds.toml" "$DATA/views20.toml"
{
    for v in $(seq 0 9); do
        printf '\n[[view]]\nname = "group-%s"\ntitle = "Partners %s"\nsources = [' "$v" "$v"
        for i in $(seq $((v * 50)) $((v * 50 + 49))); do printf '"partner-%04d", ' "$i"; done
        printf ']\n'
    done
    for l in en zh th fr; do
        printf '\n[[view]]\nname = "lang-%s"\ntitle = "In %s"\nlanguages = ["%s"]\n' "$l" "$l" "$l"
    done
    for t in news health law; do
        printf '\n[[view]]\nname = "tag-%s"\ntitle = "Tag %s"\ntags = ["%s"]\n' "$t" "$t" "$t"
    done
    printf '\n[[view]]\nname = "pat-health"\ntitle = "Health"\ninclude = ["health", "clinic"]\n'
    printf '\n[[view]]\nname = "pat-law"\ntitle = "Law"\ninclude = ["law", "police"]\nexclude = ["raid"]\n'
    printf '\n[[view]]\nname = "pat-not-news"\ntitle = "Not news"\nexclude = ["news"]\n'
} >> "$DATA/views20.toml"
"$ROOT/target/release/examples/bench_server" --dir "$DATA" --port "$PORT" > "$WORK/logs/server.log" 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q listening "$WORK/logs/server.log" 2>/dev/null && break; sleep 0.1; done
# one CONFIG SCENARIO RUN STATE_DIR
one() {
    local log=$WORK/logs/$2-$1-$3.log tf=$WORK/logs/$2-$1-$3.time
    "$TIME" -f '%e %U %S %M' -o "$tf" "$FB" run --config "$DATA/$1.toml" --out "$4/out" --state "$4/state.db" > "$log" 2>&1 || true
    read -r e u s m < <(tail -1 "$tf")
    printf '%s\t%s\t%s\t%s\t%s\n' "$2" "$1" "$3" "$e" "$m" | tee -a "$WORK/results.tsv"
}
for r in $(seq 1 "$RUNS"); do
    for c in $( [ $((r % 2)) = 1 ] && echo views0 views20 || echo views20 views0 ); do
        rm -rf "$WORK/state/$c-$r"; one "$c" cold "$r" "$WORK/state/$c-$r"
    done
done
for r in $(seq 1 "$RUNS"); do
    for c in $( [ $((r % 2)) = 1 ] && echo views0 views20 || echo views20 views0 ); do
        one "$c" warm "$r" "$WORK/state/$c-1"
    done
done
echo "unchanged warm run, 20 views: $(grep -o 'written: [^;]*\|all [0-9]* files unchanged' "$WORK/logs/warm-views20-$RUNS.log"; grep -o '[0-9]* unchanged' "$WORK/logs/warm-views20-$RUNS.log")"
python3 - "$WORK/results.tsv" <<'PY'
import sys, statistics as st, collections
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    scen, cfg, run, wall, rss = line.split()
    d[(scen, cfg)].append((float(wall), int(rss) / 1024))
for scen in ("cold", "warm"):
    a, b = d[(scen, "views0")], d[(scen, "views20")]
    wa, wb = st.median(x[0] for x in a), st.median(x[0] for x in b)
    ra, rb = st.median(x[1] for x in a), st.median(x[1] for x in b)
    print(f"{scen}: no views {wa:.2f} s ({ra:.0f} MB), 20 views {wb:.2f} s ({rb:.0f} MB): "
          f"+{wb - wa:.2f} s, {100 * (wb - wa) / wa:+.1f} %")
PY
