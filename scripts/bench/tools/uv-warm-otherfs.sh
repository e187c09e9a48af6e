#!/usr/bin/env bash
# uv, warm, --link-mode copy, cache on another filesystem than the venv (tmpfs, $SHM_ROOT,
# default /dev/shm/verse-bench): the anchor of verse-warm-otherfs.
SHM_ROOT=${SHM_ROOT:-/dev/shm/verse-bench}
UV_WARM_CACHE=$SHM_ROOT/uv-warm-cache exec "$(dirname "$0")/uv-warm-copy.sh" "$@"
