#!/usr/bin/env bash
# The speed comparison of issue 5, on the shared harness (../shared/bench): interleaved runs of
# verse and the anchors from the local mirror, medians and per-round ratios to the first tool.
#
#   scripts/bench.sh [-n RUNS] SCENARIO TOOL [TOOL ...]
#   scripts/bench.sh -n 5 seed-fastapi uv-cold verse-cold
#   scripts/bench.sh -n 5 django uv-warm verse-warm
#   scripts/bench.sh -n 5 django uv-noop verse-noop
#
# Tools: those of ../shared/bench/tools (uv-cold, uv-warm, uv-warm-copy, uv-cold-compile,
# pip-cold, poetry, floor-*) plus verse's own in scripts/bench/tools (verse-cold, verse-warm,
# verse-noop, uv-noop). Builds verse in release mode first. Needs the mirror
# (../shared/bench/make-mirror.sh, once) and the anchors venv (see ../shared/bench/README.md);
# serves the mirror itself. Environment: BENCH_ROOT (default /tmp/verse-bench), PYTHON.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=$here/../shared/bench
export BENCH_ROOT=${BENCH_ROOT:-/tmp/verse-bench}
export PYTHON=${PYTHON:-$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')}
runs=5
while getopts n: o; do case $o in n) runs=$OPTARG ;; *) exit 2 ;; esac; done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { sed -n 2,16p "$0"; exit 2; }

(cd "$here" && cargo build --release --locked -q)
export VERSE=$here/target/release/verse

# A harness dir holding the shared scripts and ours side by side (run.sh looks up tools beside it).
harness=$BENCH_ROOT/harness
rm -rf "$harness"; mkdir -p "$harness/tools" "$BENCH_ROOT/runs"
cp "$shared"/run.sh "$harness/"; ln -s "$shared/scenarios" "$harness/scenarios"
cp "$shared"/tools/*.sh "$harness/tools/"; cp "$here"/scripts/bench/tools/*.sh "$harness/tools/"
"$shared/serve-mirror.sh" >/dev/null
echo "verse $("$VERSE" --version | cut -d' ' -f2), $("$BENCH_ROOT/anchors/bin/uv" --version), python $("$PYTHON" -c 'import platform; print(platform.python_version())'), $(nproc) cores, $(date -u +%F)"
"$harness/run.sh" -n "$runs" -w 1 "$@"
