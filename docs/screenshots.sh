#!/bin/bash
# Screenshots of the built site in headless Chromium, to look at the pages as
# a reader would before a release (Debian: apt-get install chromium).
#   python -m sphinx -b html docs docs/_build/html && bash docs/screenshots.sh [OUT]
set -euo pipefail
html="$(cd "$(dirname "$0")" && pwd)/_build/html"
out="${1:-docs/_build/screenshots}"
mkdir -p "$out"
for page in index.html user_guide.html api.html gen_modules/skw2v.SkipGramVectorizer.html \
            auto_examples/index.html auto_examples/plot_grid_search_pipeline.html \
            auto_examples/plot_few_labels.html; do
  name="$(echo "${page%.html}" | tr '/' '_')"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d)" --hide-scrollbars --window-size=1400,2400 \
    --screenshot="$out/$name.png" "file://$html/$page" 2>/dev/null
done
ls "$out"
