#!/usr/bin/env bash
# Installs each benchmark scenario (../shared/bench/scenarios) with verse from the local mirror,
# then imports every installed distribution's top-level modules with the venv's python.
#
#   scripts/check-scenarios.sh [SCENARIO ...]        (default: all four)
#
# Needs the mirror built once (../shared/bench/make-mirror.sh) and serves it itself.
# Environment: BENCH_ROOT (default /tmp/verse-bench), VERSE (default target/release/verse).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bench=$here/../shared/bench
export BENCH_ROOT=${BENCH_ROOT:-/tmp/verse-bench}
VERSE=${VERSE:-$here/target/release/verse}
PORT=${PORT:-38111}
[ -x "$VERSE" ] || { echo "build verse first: cargo build --release" >&2; exit 2; }
[ -d "$BENCH_ROOT/mirror" ] || { echo "no mirror: run $bench/make-mirror.sh" >&2; exit 2; }
"$bench/serve-mirror.sh" >/dev/null
scenarios=("$@"); [ ${#scenarios[@]} -gt 0 ] || scenarios=(tiny seed-fastapi django datasci-large)
status=0
for s in "${scenarios[@]}"; do
  venv=$BENCH_ROOT/check/$s
  rm -rf "$venv" "$venv.cache"
  echo "== $s"
  VERSE_CACHE_DIR=$venv.cache "$VERSE" install --project "$bench/scenarios/$s" --venv "$venv" \
    --index-url "http://127.0.0.1:$PORT/simple" --only main --no-root -q
  "$venv/bin/python" - "$s" <<'PY' || status=1
import importlib, importlib.metadata as md, sys
dists = list(md.distributions())
failed, modules = [], 0
for dist in dists:
    top = dist.read_text("top_level.txt")
    names = set(top.split()) if top else set()
    if not names:
        for f in dist.files or []:
            first = f.parts[0]
            if first.endswith((".dist-info", ".data")) or first in ("..", "__pycache__"):
                continue
            if len(f.parts) == 1 and f.name.endswith(".py"):
                names.add(f.name[:-3])
            elif len(f.parts) > 1 and f.name == "__init__.py" and len(f.parts) == 2:
                names.add(first)
    for name in sorted(names):
        if not name.isidentifier() or name.startswith("_"):
            continue
        modules += 1
        try:
            importlib.import_module(name)
        except Exception as e:  # report, do not stop: we want the whole list
            failed.append(f"{dist.metadata['Name']}: import {name}: {type(e).__name__}: {e}")
print(f"{sys.argv[1]}: {len(dists)} distributions, {modules} top-level modules imported, {len(failed)} failed")
for line in failed:
    print("  FAIL", line)
sys.exit(1 if failed else 0)
PY
done
exit $status
