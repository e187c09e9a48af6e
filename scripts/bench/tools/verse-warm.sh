#!/usr/bin/env bash
# verse, warm: the cache already holds every wheel (CI cache restore / Docker cache mount);
# fresh venv. The cache is $VERSE_WARM_CACHE (default $BENCH_ROOT/verse-warm-cache); the first
# run per scenario fills it (use a warm-up run).
. "$(dirname "$0")/_common.sh"
cache=${VERSE_WARM_CACHE:-$BENCH_ROOT/verse-warm-cache}
index=(--index-url "$INDEX_URL"); [ "$INDEX_URL" = pypi ] && index=()
trash "$VENV"
VERSE_CACHE_DIR=$cache "${VERSE:-verse}" install -q --project "$SCEN_DIR" --venv "$VENV" \
  --python "$PYTHON" "${index[@]}" --only "main$([ "$GROUP" = dev ] && echo ,dev)" --no-root ${VERSE_FLAGS:-}
