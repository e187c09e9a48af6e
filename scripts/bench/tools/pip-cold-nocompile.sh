#!/usr/bin/env bash
# pip, cold, without bytecode (pip compiles by default; uv-cold and verse-cold do not).
PIP_FLAGS="--no-compile ${PIP_FLAGS:-}" exec "$(dirname "$0")/pip-cold.sh" "$@"
