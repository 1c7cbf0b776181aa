#!/usr/bin/env bash
# Regenerates the screenshots the README shows: the shipped example's index.html at desktop width
# and its Thai embed at phone width, rendered by headless Chromium (apt-get install chromium
# fonts-noto-cjk fonts-thai-tlwg). Look at them afterwards: Chinese and Thai must be text, not boxes.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
cargo run --quiet -- run --out "$tmp/out" --state "$tmp/state.db"
shot() { # page width height png
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile-$4" --hide-scrollbars --window-size="$2,$3" \
    --screenshot="docs/$4" "file://$tmp/out/$1" 2>/dev/null
}
shot index.html 1280 2000 screenshot-index.png
shot embed.html 390 844 screenshot-embed-phone.png
rm -rf "$tmp"
