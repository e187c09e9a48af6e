#!/usr/bin/env bash
# verse, warm, cache on another filesystem than the venv (a BuildKit cache mount): the cache is
# on tmpfs ($SHM_ROOT, default /dev/shm/verse-bench), so clone and hardlink fail and verse falls
# back to copying, with its default --link-mode. Against uv-warm-otherfs (uv --link-mode copy).
SHM_ROOT=${SHM_ROOT:-/dev/shm/verse-bench}
VERSE_WARM_CACHE=$SHM_ROOT/verse-warm-cache exec "$(dirname "$0")/verse-warm.sh" "$@"
