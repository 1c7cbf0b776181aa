#!/usr/bin/env bash
# Deploy time on the 500 x 50 benchmark's output (issue 24): a real Garage node on loopback, the
# first deploy of a cold run's output, then a run after `bench_gen --touch 0.1` (one new item in
# 10% of the feeds) and its deploy. Archives are on, so the output holds every month's documents
# and pages, as a network with years of entries has.
#
#   bench/deploy.sh              # SOURCES=500 ITEMS=50
#
# Environment: SOURCES, ITEMS, PORT (8941), WORK (a fresh temp dir), NOBUILD=1, CARGO_TARGET_DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SOURCES=${SOURCES:-500}
ITEMS=${ITEMS:-50}
PORT=${PORT:-8941}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/feedbraid-deploy.XXXXXX")}
mkdir -p "$WORK/logs"
echo "bench: work dir $WORK"
if [ "${NOBUILD:-0}" != 1 ]; then
    # Two builds: one with the examples would unify their dev-dependencies' features into the
    # binary, which is then not the one users run (`docs/performance.md`, round fourteen).
    (cd "$ROOT" && cargo build --release --bin feedbraid && cargo build --release --examples)
fi
FB=$TARGET/release/feedbraid
GEN=$TARGET/release/examples/bench_gen
SRV=$TARGET/release/examples/bench_server
GARAGE=${FEEDBRAID_GARAGE:-$("$ROOT/.ci/garage-install")}

"$GEN" --sources "$SOURCES" --items "$ITEMS" --seed 1 --port "$PORT" --out "$WORK/data"
"$SRV" --dir "$WORK/data" --port "$PORT" > "$WORK/logs/server.log" 2>&1 &
SRV_PID=$!
G=$WORK/garage
mkdir -p "$G"
cat > "$G/garage.toml" <<TOML
metadata_dir = "$G/meta"
data_dir = "$G/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$((PORT + 1))"
rpc_public_addr = "127.0.0.1:$((PORT + 1))"
rpc_secret = "$(printf '5f%.0s' $(seq 1 32))"
[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$((PORT + 2))"
root_domain = ".s3.garage.localhost"
[admin]
api_bind_addr = "127.0.0.1:$((PORT + 3))"
metrics_require_token = false
TOML
"$GARAGE" -c "$G/garage.toml" server > "$WORK/logs/garage.log" 2>&1 &
G_PID=$!
trap 'kill $SRV_PID $G_PID 2>/dev/null || true' EXIT
gc() { "$GARAGE" -c "$G/garage.toml" "$@"; }
for _ in $(seq 1 100); do gc status >/dev/null 2>&1 && break; sleep 0.2; done
gc layout assign -z dc1 -c 10G "$(gc node id -q | cut -d@ -f1)" >/dev/null
gc layout apply --version 1 >/dev/null
KEY=$(gc key create bench)
export AWS_ACCESS_KEY_ID=$(echo "$KEY" | awk '/Key ID:/ {print $3}')
export AWS_SECRET_ACCESS_KEY=$(echo "$KEY" | awk '/Secret key:/ {print $3}')
for _ in $(seq 1 50); do gc bucket create site >/dev/null 2>&1 && break; sleep 0.2; done
gc bucket allow --read --write --owner site --key bench >/dev/null
cat >> "$WORK/data/feeds.toml" <<TOML

[archive]
enabled = true

[deploy]
target = "s3://site/"
endpoint = "http://127.0.0.1:$((PORT + 2))"
region = "garage"
path_style = true
TOML
for _ in $(seq 1 100); do grep -q listening "$WORK/logs/server.log" && break; sleep 0.1; done

t() { # t LABEL cmd...: wall seconds to stdout
    /usr/bin/time -f '%e %M' -o "$WORK/logs/$1.time" "${@:2}" > "$WORK/logs/$1.log" 2>&1 || true
    read -r e m < "$WORK/logs/$1.time"
    printf '%s\t%s s\t%s KB\t%s\n' "$1" "$e" "$m" "$(tail -1 "$WORK/logs/$1.log")"
}
t run-cold "$FB" run --config "$WORK/data/feeds.toml" --quiet
files=$(find "$WORK/data/output" -type f ! -name '*.gz' | wc -l)
bytes=$(find "$WORK/data/output" -type f ! -name '*.gz' -printf '%s\n' | awk '{s += $1} END {print s}')
echo "output: $files files, $bytes bytes"
t deploy-first "$FB" deploy --config "$WORK/data/feeds.toml"
t deploy-unchanged "$FB" deploy --config "$WORK/data/feeds.toml"
"$GEN" --touch 0.1 --seed 1001 --out "$WORK/data"
t run-changed-10 "$FB" run --config "$WORK/data/feeds.toml" --quiet
t deploy-changed-10 "$FB" deploy --config "$WORK/data/feeds.toml"
