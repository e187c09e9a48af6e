#!/usr/bin/env bash
# The correctness side of the speed comparison (issue 5): installs a benchmark scenario with uv
# (`uv pip install --no-deps --require-hashes -r requirements.txt`, as the bench does) and with
# verse (`verse install --only main --no-root`), both from the local mirror into the same venv
# path one after the other, and compares the two trees: every file of site-packages with the same
# bytes and mode, the same launchers in bin/. Differences by design are left out of the byte
# comparison, and only those:
# * `*.dist-info/INSTALLER` (each tool signs its own name);
# * `*.dist-info/REQUESTED`: uv marks every line of requirements.txt as requested, verse only the
#   project's direct dependencies (what pip and Poetry do for a project);
# * the text of launchers (`bin/<script>`): verse writes pip's, uv its own; names and modes must
#   still match, and their RECORD rows are compared without hash and size;
# * the venv's own files (pyvenv.cfg, activation scripts): uv's venv creator is not CPython's.
# Anything else is printed and fails the script.
#
#   scripts/compare-with-uv.sh [SCENARIO ...]        (default: seed-fastapi django datasci-large)
#
# Needs the mirror (../shared/bench/make-mirror.sh) and the anchors venv with uv (see
# ../shared/bench/README.md); serves the mirror itself. Environment: BENCH_ROOT (default
# /tmp/verse-bench), VERSE (default target/release/verse), PYTHON.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bench=$here/../shared/bench
export BENCH_ROOT=${BENCH_ROOT:-/tmp/verse-bench}
VERSE=${VERSE:-$here/target/release/verse}
UV=${UV:-$BENCH_ROOT/anchors/bin/uv}
PORT=${PORT:-38111}
PYTHON=${PYTHON:-$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')}
index=http://127.0.0.1:$PORT/simple
[ -x "$VERSE" ] || { echo "build verse first: cargo build --release" >&2; exit 2; }
[ -x "$UV" ] || { echo "no uv at $UV (see ../shared/bench/README.md)" >&2; exit 2; }
"$bench/serve-mirror.sh" >/dev/null
scenarios=("$@"); [ ${#scenarios[@]} -gt 0 ] || scenarios=(seed-fastapi django datasci-large)
work=$BENCH_ROOT/compare
status=0
for s in "${scenarios[@]}"; do
  dir=$bench/scenarios/$s
  venv=$work/venv
  rm -rf "$work"; mkdir -p "$work"
  UV_CACHE_DIR=$work/uv-cache "$UV" --no-config venv --quiet --python "$PYTHON" "$venv"
  UV_CACHE_DIR=$work/uv-cache "$UV" --no-config pip install --quiet --python "$venv/bin/python" \
    --no-deps --require-hashes --index-url "$index" -r "$dir/requirements.txt"
  mv "$venv" "$work/uv"
  VERSE_CACHE_DIR=$work/verse-cache "$VERSE" install -q --project "$dir" --venv "$venv" \
    --python "$PYTHON" --index-url "$index" --only main --no-root
  mv "$venv" "$work/verse"
  echo "== $s"
  python3 - "$work/uv" "$work/verse" <<'PY' || status=1
import hashlib, os, stat, sys

SCAFFOLD = {"pyvenv.cfg", "bin/activate", "bin/activate.csh", "bin/activate.fish",
            "bin/activate.nu", "bin/activate.xsh", "bin/activate.bat", "bin/activate.ps1", "bin/activate_this.py",
            "bin/deactivate.bat", "bin/pydoc.bat", "bin/Activate.ps1", "CACHEDIR.TAG", ".gitignore",
            ".lock"}

def tree(root):
    out = {}
    for base, dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(base, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if rel in SCAFFOLD or stat.S_ISLNK(st.st_mode) and rel.startswith("bin/python"):
                continue
            mode = stat.S_IMODE(st.st_mode)
            if rel.endswith((".dist-info/INSTALLER", ".dist-info/REQUESTED")):
                continue
            if rel.startswith("bin/"):
                out[rel] = ("launcher", mode)
                continue
            with open(path, "rb") as f:
                data = f.read()
            if rel.endswith(".dist-info/RECORD"):
                rows = []
                for line in data.decode().splitlines():
                    if line.split(",")[0].endswith(("/INSTALLER", "/REQUESTED")):
                        continue
                    if line.startswith("../../../bin/"):
                        line = line.split(",")[0]
                    rows.append(line)
                out[rel] = ("record", mode, "\n".join(sorted(rows)))
            else:
                out[rel] = ("file", mode, hashlib.sha256(data).hexdigest())
    return out

uv, verse = tree(sys.argv[1]), tree(sys.argv[2])
only_uv = sorted(uv.keys() - verse.keys())
only_verse = sorted(verse.keys() - uv.keys())
differ = sorted(k for k in uv.keys() & verse.keys() if uv[k] != verse[k])
site = [k for k in uv if "site-packages" in k]
print(f"{len(site)} files in site-packages and {len(uv) - len(site)} launchers compared; "
      f"only uv: {len(only_uv)}, only verse: {len(only_verse)}, different: {len(differ)}")
for label, keys in (("only uv", only_uv), ("only verse", only_verse), ("different", differ)):
    for k in keys[:20]:
        print(f"  {label}: {k}")
sys.exit(1 if only_uv or only_verse or differ else 0)
PY
done
exit $status
