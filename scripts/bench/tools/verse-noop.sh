#!/usr/bin/env bash
# verse, no-op: everything is already installed (a re-run, a CI step that runs twice).
# The installed venv is $BENCH_ROOT/noop/verse-<scenario>, made on the first run (warm-up).
. "$(dirname "$0")/_common.sh"
venv=$BENCH_ROOT/noop/verse-$SCENARIO-$GROUP
cache=$BENCH_ROOT/verse-warm-cache
index=(--index-url "$INDEX_URL"); [ "$INDEX_URL" = pypi ] && index=()
trash "$VENV"; mkdir -p "$VENV"
VERSE_CACHE_DIR=$cache "${VERSE:-verse}" install -q --project "$SCEN_DIR" --venv "$venv" \
  --python "$PYTHON" "${index[@]}" --only "main$([ "$GROUP" = dev ] && echo ,dev)" --no-root ${VERSE_FLAGS:-}
