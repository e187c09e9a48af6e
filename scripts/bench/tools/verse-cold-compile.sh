#!/usr/bin/env bash
# verse, cold, --compile (bytecode for the installed packages); against uv-cold-compile.sh.
VERSE_FLAGS="--compile ${VERSE_FLAGS:-}" exec "$(dirname "$0")/verse-cold.sh" "$@"
