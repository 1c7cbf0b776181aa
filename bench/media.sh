#!/usr/bin/env bash
# What mirroring media costs: the 500 x 50 workload with every partner image served on loopback
# (each a 92 KB PNG, the README's phone screenshot, under 2,009 distinct URLs), cold runs with
# `[output] mirror_media` off and on, alternating, in one invocation.
#
#   bench/media.sh [BINARY]          # RUNS=3 by default
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FB=${1:-$ROOT/target/release/feedbraid}
RUNS=${RUNS:-3}
PORT=${PORT:-8933}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/feedbraid-media.XXXXXX")}
GEN=$ROOT/target/release/examples/bench_gen
SRV=$ROOT/target/release/examples/bench_server
[ -x "$GEN" ] || (cd "$ROOT" && cargo build --release --examples)
"$GEN" --sources 500 --items 50 --seed 1 --port "$PORT" --out "$WORK/data" > /dev/null
python3 - "$WORK/data" "$PORT" "$ROOT/docs/screenshot-embed-phone.png" <<'PY'
import pathlib, re, shutil, sys
data, port, png = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
names = set()
for p in (data / "feeds").glob("*.xml"):
    t = p.read_bytes().decode("latin-1")
    names.update(re.findall(r"images/photo-\d+-\d+\.jpg", t))
    t = t.replace("src=&quot;images/", f"src=&quot;http://127.0.0.1:{port}/images/").replace('src="images/', f'src="http://127.0.0.1:{port}/images/')
    p.write_bytes(t.encode("latin-1"))
(data / "images").mkdir(exist_ok=True)
for n in names:
    shutil.copyfile(png, data / n)
cfg = (data / "feeds.toml").read_text()
(data / "mirror.toml").write_text(cfg.replace("[fetch]", "[output]\nmirror_media = true\n\n[fetch]", 1))
print(f"{len(names)} image URLs on loopback")
PY
"$SRV" --dir "$WORK/data" --port "$PORT" > "$WORK/server.log" 2>&1 &
SRV_PID=$!
trap 'kill $SRV_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q listening "$WORK/server.log" 2>/dev/null && break; sleep 0.1; done
run() { # run LABEL CONFIG N
    local d=$WORK/state/$1-$3
    rm -rf "$d"; mkdir -p "$d"
    /usr/bin/time -f '%e %U %S %M' -o "$d/time" "$FB" run --config "$WORK/data/$2" --out "$d/out" --state "$d/state.db" > "$d/log" 2>&1 || true
    read -r e u s m < <(tail -1 "$d/time")
    local files bytes
    files=$(find "$d/out/media" -type f 2>/dev/null | wc -l || true)
    bytes=$(du -sb "$d/out/media" 2>/dev/null | cut -f1 || true)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$3" "$e" "$(echo "$u + $s" | bc)" "$m" "$files" "${bytes:-0}" | tee -a "$WORK/results.tsv"
}
for r in $(seq 1 "$RUNS"); do
    if [ $((r % 2)) = 1 ]; then run off feeds.toml "$r"; run on mirror.toml "$r"
    else run on mirror.toml "$r"; run off feeds.toml "$r"; fi
done
python3 - "$WORK/results.tsv" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]) if l.strip()]
med = {}
print("| mirror_media | median wall s | median CPU s | peak RSS MB | mirrored files | bytes |")
print("|---|---|---|---|---|---|")
for label in ["off", "on"]:
    r = [x for x in rows if x[0] == label]
    w = statistics.median(float(x[2]) for x in r); c = statistics.median(float(x[3]) for x in r)
    med[label] = w
    print(f"| {label} (n={len(r)}) | {w:.2f} | {c:.2f} | {max(int(x[4]) for x in r) / 1024:.0f} | {r[0][5]} | {int(r[0][6].strip())} |")
print(f"\non / off cold wall: {med['on'] / med['off']:.3f}")
import json, glob, os
for f in sorted(glob.glob(os.path.join(os.path.dirname(sys.argv[1]), "state", "on-*", "out", "status.json")))[:1]:
    m = json.load(open(f)).get("media", {})
    print(f"per cold run with mirroring: {m.get('mirrored')} images fetched and stripped, {len(m.get('refused', []))} refused, {m.get('bytes')} bytes stored")
PY
