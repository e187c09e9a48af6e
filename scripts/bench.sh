#!/usr/bin/env bash
# The speed comparison of issue 5, on the shared harness (../shared/bench): interleaved runs of
# verse and the anchors from the local mirror, medians and per-round ratios to the first tool.
#
#   scripts/bench.sh [-n RUNS] [-q] SCENARIO TOOL [TOOL ...]
#   scripts/bench.sh -n 5 seed-fastapi uv-cold verse-cold
#   scripts/bench.sh -n 5 django uv-warm verse-warm
#   scripts/bench.sh -n 5 django uv-noop verse-noop
#   scripts/bench.sh -n 5 django uv-cold-compile verse-cold-compile
#   scripts/bench.sh -n 5 django uv-warm-otherfs verse-warm-otherfs   # caches on /dev/shm
#   VERSE=target/x86_64-unknown-linux-musl/release/verse scripts/bench.sh -n 3 django uv-cold verse-cold
#   scripts/bench.sh -n 3 django uv-cold verse-cold@a=/tmp/verse-a verse-cold@b=/tmp/verse-b
#
# Tools: those of ../shared/bench/tools (uv-cold, uv-warm, uv-warm-copy, uv-cold-compile,
# pip-cold, poetry, floor-*) plus verse's own in scripts/bench/tools (verse-cold, verse-warm,
# verse-noop, uv-noop, verse-cold-compile, verse-warm-otherfs, uv-warm-otherfs: the last two
# keep their caches on tmpfs, another filesystem than the venvs). Builds verse in release mode
# first, unless VERSE names the binary to bench. A tool written TOOL@LABEL=BINARY runs TOOL with that verse binary, under the name
# TOOL@LABEL: several builds (allocators, targets) compared in the same rounds. Needs the mirror
# (../shared/bench/make-mirror.sh, once) and the anchors venv (see ../shared/bench/README.md);
# serves the mirror itself. Environment: BENCH_ROOT (default /tmp/verse-bench), PYTHON.
#
# -q (quiet file system): the harness deletes the previous runs' files right before each timed
# run. On ext4 without a journal (this machine's /tmp) every new file then makes the kernel step
# over the inodes freed in the last minutes (`recently_deleted`: 60 s, 300 s while their inode
# table block is dirty, which new files keep it), which can take most of a cold run's CPU and
# varies from run to run. With -q nothing is deleted while the runs go: earlier runs' files are
# deleted first (unless BENCH_KEEP_TRASH=1), the bench waits until the last deletion it knows
# of ($BENCH_ROOT/last-deletion) is 305 s old, and this bench's files are left for
# ../shared/bench/tools/clean.sh. Needs room for every run's venv and cache.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=$here/../shared/bench
export BENCH_ROOT=${BENCH_ROOT:-/tmp/verse-bench}
export PYTHON=${PYTHON:-$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')}
runs=5 quiet=
while getopts n:q o; do case $o in n) runs=$OPTARG ;; q) quiet=1 ;; *) exit 2 ;; esac; done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { sed -n 2,21p "$0"; exit 2; }

if [ -z "${VERSE:-}" ]; then
  (cd "$here" && cargo build --release --locked -q)
  VERSE=$here/target/release/verse
fi
VERSE=$(realpath "$VERSE")
export VERSE

# A harness dir holding the shared scripts and ours side by side (run.sh looks up tools beside it).
harness=$BENCH_ROOT/harness
rm -rf "$harness"; mkdir -p "$harness/tools" "$BENCH_ROOT/runs"
cp "$shared"/run.sh "$harness/"; ln -s "$shared/scenarios" "$harness/scenarios"
cp "$shared"/tools/*.sh "$harness/tools/"; cp "$here"/scripts/bench/tools/*.sh "$harness/tools/"
# TOOL@LABEL=BINARY: a wrapper script named TOOL@LABEL beside TOOL, pinned to BINARY.
tools=()
for t in "$@"; do
  case $t in
    *@*=*)
      name=${t%%=*} bin=$(realpath "${t#*=}") base=${t%%@*}
      [ -x "$bin" ] || { echo "bench.sh: $bin is not an executable" >&2; exit 2; }
      [ -f "$harness/tools/$base.sh" ] || { echo "bench.sh: no tool $base" >&2; exit 2; }
      printf '#!/usr/bin/env bash\nVERSE=%q exec "$(dirname "$0")/%q.sh" "$@"\n' "$bin" "$base" \
        > "$harness/tools/$name.sh"
      chmod +x "$harness/tools/$name.sh"
      echo "$name: $bin ($("$bin" --version | sed -n '2s/^commit: //p'))"
      tools+=("$name") ;;
    *) tools+=("$t") ;;
  esac
done
set -- "${tools[@]}"
"$shared/serve-mirror.sh" >/dev/null
echo "verse $("$VERSE" --version | sed -n '1s/^verse //p;2s/^commit: //p' | paste -sd' '), $("$BENCH_ROOT/anchors/bin/uv" --version), python $("$PYTHON" -c 'import platform; print(platform.python_version())'), $(nproc) cores, $(date -u +%F)"
if [ -n "$quiet" ]; then
  if [ -z "${BENCH_KEEP_TRASH:-}" ] && [ -d "$BENCH_ROOT/runs/.trash" ]; then
    "$shared/tools/clean.sh" "$BENCH_ROOT/runs"
    date +%s > "$BENCH_ROOT/last-deletion"
  fi
  sync
  wait=$(( $(cat "$BENCH_ROOT/last-deletion" 2>/dev/null || echo 0) + 305 - $(date +%s) ))
  if [ "$wait" -gt 0 ]; then
    echo "quiet file system: waiting ${wait} s for the last deletion to age"
    sleep "$wait"
  fi
  printf '#!/bin/sh\n# bench.sh -q: nothing is deleted while the runs go.\n' > "$harness/tools/clean.sh"
fi
"$harness/run.sh" -n "$runs" -w 1 "$@"
