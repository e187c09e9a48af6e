#!/usr/bin/env bash
# uv, no-op: everything already installed; `uv pip install` of the same requirements again.
. "$(dirname "$0")/_common.sh"
venv=$BENCH_ROOT/noop/uv-$SCENARIO-$GROUP
cache=${UV_WARM_CACHE:-$BENCH_ROOT/uv-warm-cache}
index=(--index-url "$INDEX_URL"); [ "$INDEX_URL" = pypi ] && index=()
trash "$VENV"; mkdir -p "$VENV"
[ -x "$venv/bin/python" ] || UV_CACHE_DIR=$cache "$UV" --no-config venv --quiet --python "$PYTHON" "$venv"
UV_CACHE_DIR=$cache "$UV" --no-config pip install --quiet --python "$venv/bin/python" \
  --no-deps --require-hashes "${index[@]}" -r "$REQ"
