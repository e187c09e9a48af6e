# verse's PEP 517 frontend helper. Runs ONE hook of a build backend in the current (isolated)
# interpreter, with the source tree as the working directory, and writes the hook's return
# value as JSON to a result file. Backend output goes to this process's stdout/stderr, which
# verse captures (and shows on failure or with -v).
#
#   python hook_runner.py HOOK RESULT_FILE BACKEND BACKEND_PATH_JSON KWARGS_JSON
import importlib
import json
import os
import sys
import traceback


def fail(result_file, kind, message):
    with open(result_file, "w", encoding="utf-8") as out:
        json.dump({"error": kind, "message": message}, out)
    sys.exit(0)


def main():
    hook, result_file, backend, backend_path, kwargs = sys.argv[1:6]
    kwargs = json.loads(kwargs)
    source = os.path.abspath(os.getcwd())
    for entry in reversed(json.loads(backend_path)):
        full = os.path.abspath(os.path.join(source, entry))
        # PEP 517: backend-path entries must stay inside the source tree.
        if os.path.commonpath([full, source]) != source:
            fail(result_file, "backend-path", f"backend-path entry {entry!r} is outside the source tree")
        sys.path.insert(0, full)
    module, _, attribute = backend.partition(":")
    try:
        obj = importlib.import_module(module.strip())
    except ImportError:
        fail(result_file, "backend-unavailable", traceback.format_exc())
    for part in filter(None, attribute.strip().split(".")):
        obj = getattr(obj, part)
    function = getattr(obj, hook, None)
    if function is None:
        if hook.startswith("get_requires_for_build_"):
            result = []
        else:
            fail(result_file, "hook-missing", f"the backend {backend} has no {hook} hook")
    else:
        try:
            result = function(**kwargs)
        except Exception:
            fail(result_file, "hook-failed", traceback.format_exc())
    with open(result_file, "w", encoding="utf-8") as out:
        json.dump({"return": result}, out)


main()
