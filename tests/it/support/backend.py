"""A PEP 517 build backend in a few lines, for verse's tests: no network, no setuptools.

The test writes this file into a source tree as `verse_test_backend.py`, with the three
settings below filled in, and points `[build-system]` at it with `backend-path = ["."]`.
"""
import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME = "@NAME@"
VERSION = "@VERSION@"
# The package directory, relative to the tree (`demo` or `src/demo`).
PACKAGE_DIR = "@PACKAGE_DIR@"
# Modules that must be importable in the build environment (build requirements).
NEEDS = [@NEEDS@]
DIST = NAME.replace("-", "_")


def _check_environment():
    for module in NEEDS:
        __import__(module)
    if os.path.exists("FAIL_BUILD"):
        raise RuntimeError("deliberate failure: FAIL_BUILD exists in the source tree")


def _wheel(wheel_directory, files, tag="py3-none-any"):
    dist_info = f"{DIST}-{VERSION}.dist-info"
    files = dict(files)
    files[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n\n"
    ).encode()
    files[f"{dist_info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: verse-test-backend\nRoot-Is-Purelib: true\nTag: {tag}\n"
    ).encode()
    record = io.StringIO()
    for path, data in sorted(files.items()):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.write(f"{path},sha256={digest},{len(data)}\n")
    record.write(f"{dist_info}/RECORD,,\n")
    files[f"{dist_info}/RECORD"] = record.getvalue().encode()
    name = f"{DIST}-{VERSION}-{tag}.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return name


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    print(f"verse-test-backend: building {NAME} {VERSION}")
    _check_environment()
    files = {}
    top = os.path.basename(PACKAGE_DIR)
    for root, _, names in os.walk(PACKAGE_DIR):
        for name in names:
            if name.endswith(".pyc"):
                continue
            path = os.path.join(root, name)
            relative = os.path.relpath(path, PACKAGE_DIR)
            with open(path, "rb") as source:
                files[f"{top}/{relative}".replace(os.sep, "/")] = source.read()
    return _wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    print(f"verse-test-backend: building {NAME} {VERSION} (editable)")
    _check_environment()
    parent = os.path.dirname(os.path.abspath(PACKAGE_DIR))
    return _wheel(wheel_directory, {f"_{DIST}_editable.pth": (parent + "\n").encode()})


def build_sdist(sdist_directory, config_settings=None):
    name = f"{DIST}-{VERSION}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as archive:
        for entry in sorted(os.listdir(".")):
            if entry in ("__pycache__",):
                continue
            archive.add(entry, arcname=f"{DIST}-{VERSION}/{entry}")
    return name
