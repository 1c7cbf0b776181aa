#!/usr/bin/env bash
# Checks the systemd units with `systemd-analyze verify` (run by .ci/run). The units start
# /usr/local/bin/feedbraid, which verify insists exists; rather than install anything there, the
# units are checked as copies whose ExecStart points at the binary given as $1 (default: the
# debug build). Everything else is checked as shipped. verify exits 0 on warnings (an unknown key,
# a line without `=`), so any output at all is a failure here.
set -euo pipefail
cd "$(dirname "$0")"
bin=$(realpath "${1:-${CARGO_TARGET_DIR:-../target}/debug/feedbraid}")
[ -x "$bin" ] || { echo "verify.sh: no binary at $bin (build first)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in *.service *.timer; do
  sed "s|/usr/local/bin/feedbraid|$bin|g" "$f" >"$tmp/$f"
done
out=$(cd "$tmp" && systemd-analyze verify --man=false ./*.service ./*.timer 2>&1) || { echo "$out" >&2; exit 1; }
if [ -n "$out" ]; then
  echo "$out" >&2
  exit 1
fi
echo "systemd-analyze verify: $(ls *.service *.timer | tr '\n' ' ')ok"
