#!/usr/bin/env bash
# verse, cold: empty fresh cache, fresh venv (a Docker build without a cache mount).
# Same shape as uv-cold.sh; the shared harness sources _common.sh from beside this file.
. "$(dirname "$0")/_common.sh"
cache=$VENV.verse-cache
trash "$VENV" "$cache"
index=(--index-url "$INDEX_URL"); [ "$INDEX_URL" = pypi ] && index=()
VERSE_CACHE_DIR=$cache "${VERSE:-verse}" install -q --project "$SCEN_DIR" --venv "$VENV" \
  --python "$PYTHON" "${index[@]}" --only "main$([ "$GROUP" = dev ] && echo ,dev)" --no-root ${VERSE_FLAGS:-}
trash "$cache"
