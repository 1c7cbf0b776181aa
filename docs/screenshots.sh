#!/usr/bin/env bash
# Regenerates the screenshots the README shows: the shipped example's index.html, a topic page, a
# month page and the Thai view at desktop and phone width, and its embed at phone width, rendered by headless Chromium (apt-get install chromium
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
# The library and the Thai interface (issue 22), desktop and phone.
shot index.html 390 1400 screenshot-index-phone.png
tag=$(basename "$(ls "$tmp"/out/tags/anti-trafficking.html)")
shot "tags/$tag" 1280 1400 screenshot-tag.png
shot "tags/$tag" 390 1400 screenshot-tag-phone.png
month=$(ls "$tmp"/out/archive/ | grep -E '^[0-9]{4}-[0-9]{2}\.html$' | sort | tail -1)
shot "archive/$month" 1280 1400 screenshot-month.png
shot "archive/$month" 390 1400 screenshot-month-phone.png
shot th.html 1280 1400 screenshot-th.png
shot th.html 390 1400 screenshot-th-phone.png
rm -rf "$tmp"
