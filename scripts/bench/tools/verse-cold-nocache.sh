#!/usr/bin/env bash
VERSE_FLAGS=--no-cache exec "$(dirname "$0")/verse-cold.sh" "$@"
