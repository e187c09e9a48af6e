#!/usr/bin/env bash
# Every situation of issue 5 for one scenario, each an interleaved run of verse and its uv anchor
# (scripts/bench.sh), then one table of the medians: verse/uv wall time and both peak RSS.
#
#   scripts/bench-all.sh [-n RUNS] [-q] SCENARIO [SITUATION ...]
#   scripts/bench-all.sh -n 3 seed-fastapi
#   scripts/bench-all.sh -n 3 django cold compile
#
# Situations: cold, warm, warm-otherfs (both caches on tmpfs, so verse falls back to copying
# and uv runs with --link-mode copy), noop, compile (verse --compile, uv --compile-bytecode).
# Not run unless named, the other anchors and the harness's floors in the same rounds as uv and
# verse: anchors (cold: pip --no-compile, Poetry, and the floors curl = download only, unzip =
# 2 parallel unzips), floors-warm (cp -al of the unpacked files), floors-otherfs (cp -a).
# -q: quiet file system, no deletions while the runs go (see scripts/bench.sh): one wait at the
# start, every run's files deleted at the end.
# Builds verse in release mode once, unless VERSE names the binary. Full logs in
# $BENCH_ROOT/bench-all-<scenario>.log.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=3 quiet=()
while getopts n:q o; do case $o in n) runs=$OPTARG ;; q) quiet=(-q) ;; *) exit 2 ;; esac; done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n 2,12p "$0"; exit 2; }
scenario=$1; shift
situations=("$@"); [ ${#situations[@]} -gt 0 ] || situations=(cold warm warm-otherfs noop compile)
export BENCH_ROOT=${BENCH_ROOT:-/tmp/verse-bench}
if [ -z "${VERSE:-}" ]; then
  (cd "$here" && cargo build --release --locked -q)
  VERSE=$here/target/release/verse
fi
export VERSE
log=$BENCH_ROOT/bench-all-$scenario.log; mkdir -p "$BENCH_ROOT"; : > "$log"
rows=()
if [ ${#quiet[@]} -gt 0 ]; then
  "$here/../shared/bench/tools/clean.sh" "$BENCH_ROOT/runs"
  date +%s > "$BENCH_ROOT/last-deletion"
  export BENCH_KEEP_TRASH=1
fi
for s in "${situations[@]}"; do
  case $s in
    cold) pair=(uv-cold verse-cold) ;;
    warm) pair=(uv-warm verse-warm) ;;
    warm-otherfs) pair=(uv-warm-otherfs verse-warm-otherfs) ;;
    noop) pair=(uv-noop verse-noop) ;;
    compile) pair=(uv-cold-compile verse-cold-compile) ;;
    anchors) pair=(uv-cold verse-cold pip-cold-nocompile poetry floor-curl floor-unzip) ;;
    floors-warm) pair=(uv-warm verse-warm floor-link) ;;
    floors-otherfs) pair=(uv-warm-otherfs verse-warm-otherfs floor-copy) ;;
    *) echo "bench-all.sh: unknown situation $s" >&2; exit 2 ;;
  esac
  out=$("$here/scripts/bench.sh" -n "$runs" "${quiet[@]}" "$scenario" "${pair[@]}" 2>&1 | tee -a "$log")
  head=$(printf '%s\n' "$out" | grep -m1 '^verse ' || true)
  # Table rows: tool, wall min, med, max, cpu med, peak med, ratio to the first tool.
  uv=$(printf '%s\n' "$out" | awk -v t="${pair[0]}" '$1 == t {print $3, $6}' | tail -n 1)
  verse=$(printf '%s\n' "$out" | awk -v t="${pair[1]}" '$1 == t {print $3, $6, $7}' | tail -n 1)
  read -r uv_wall uv_peak <<< "$uv"
  read -r v_wall v_peak ratio <<< "$verse"
  rows+=("| $s | $ratio | ${v_wall}s / ${uv_wall}s | $v_peak MiB | $uv_peak MiB |")
  for extra in "${pair[@]:2}"; do
    read -r x_wall x_peak x_ratio <<< "$(printf '%s\n' "$out" | awk -v t="$extra" '$1 == t {print $3, $6, $7}' | tail -n 1)"
    rows+=("| $s: $extra / uv | $x_ratio | ${x_wall}s / ${uv_wall}s | $x_peak MiB | $uv_peak MiB |")
  done
done
echo
echo "$scenario, $head, medians of $runs interleaved runs"
echo
echo "| situation | verse (or the tool named) / uv wall | median wall verse / uv | verse peak RSS | uv peak RSS |"
echo "| --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
if [ ${#quiet[@]} -gt 0 ]; then
  "$here/../shared/bench/tools/clean.sh" "$BENCH_ROOT/runs"
  date +%s > "$BENCH_ROOT/last-deletion"
fi
