# verse's interpreter probe. verse runs it once as `python -I [-S] -B -c <this file>` and reads
# one JSON object from stdout. Known failures are reported as
# {"result": "error", "kind": ..., ...} with exit status 0, so that the caller can tell
# "this is Python, but not one we support" from "this is not Python at all".
#
# The probe only *reports facts*; the decisions (tag order, ABI names, which manylinux
# tags apply) are made in Rust, where they are unit-tested without an interpreter.
#
# It must parse on every Python it may meet, including 2.7 and 3.6, so that those get a clear
# "too old" answer instead of a SyntaxError: no f-strings, no walrus, no annotations, no
# keyword-only arguments, nothing newer than Python 2.7 syntax.

import os
import sys

MINIMUM = (3, 7)


def emit(value):
    sys.stdout.write(to_json(value))
    sys.stdout.write("\n")
    sys.stdout.flush()


def to_json(value):
    # What json.dumps writes for these types (ASCII only, \uXXXX per UTF-16 unit, so a lone
    # surrogate from an undecodable path comes out as json.dumps writes it). Importing json
    # costs a tenth of the probe: it compiles six regular expressions on import.
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, dict):
        return "{" + ", ".join(to_json(k) + ": " + to_json(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_json(item) for item in value) + "]"
    if isinstance(value, bytes) and bytes is str:
        # Python 2's str is bytes: json.dumps decoded it as UTF-8 first.
        value = value.decode("utf-8", "replace")
    elif not isinstance(value, type(u"")):
        value = str(value)
    out = []
    for char in value:
        code = ord(char)
        if char == '"' or char == "\\":
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code > 0xFFFF:
            code -= 0x10000
            out.append("\\u%04x\\u%04x" % (0xD800 | (code >> 10), 0xDC00 | (code & 0x3FF)))
        else:
            out.append("\\u%04x" % code)
    return '"' + "".join(out) + '"'


def format_full_version(info):
    # packaging.markers.format_full_version: 3.13.0rc2 for a release candidate.
    version = "%d.%d.%d" % (info.major, info.minor, info.micro)
    kind = info.releaselevel
    if kind != "final":
        version += kind[0] + str(info.serial)
    return version


class LinuxCPython(object):
    # What the `platform` functions below return for CPython on Linux, where they read
    # os.uname() and the first word of sys.version. Importing `platform` is a third of the
    # probe (it compiles nine regular expressions on import), and this is the common case.
    def __init__(self):
        self.uname = [value if value != "unknown" else "" for value in os.uname()]

    def python_version(self):
        return sys.version.split()[0]

    def machine(self):
        return self.uname[4]

    def release(self):
        return self.uname[2]

    def system(self):
        return self.uname[0]

    def version(self):
        return self.uname[3]

    def python_implementation(self):
        return "CPython"

    def python_version_tuple(self):
        return self.python_version().split(".")


def platform_module():
    if sys.implementation.name == "cpython" and sys.platform == "linux":
        return LinuxCPython()
    import platform

    return platform


def markers():
    # packaging.markers.default_environment(), value for value.
    platform = platform_module()
    full_version = platform.python_version()
    # Development builds report `3.13.0+`; PEP 440 (and every resolver) wants it without.
    if full_version.endswith("+"):
        full_version = full_version[:-1]
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": format_full_version(sys.implementation.version),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": full_version,
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def is_inside(path, root):
    try:
        path = os.path.normcase(os.path.abspath(path))
        root = os.path.normcase(os.path.abspath(root))
    except (TypeError, ValueError):
        return False
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def base_executable():
    # What a *new* venv should point at. Inside a venv this must be the base installation's
    # binary, never the venv's own python: a venv made from a venv's python would otherwise
    # depend on the first venv staying where it is. Python >= 3.11 computes
    # sys._base_executable from pyvenv.cfg's `home`; older versions on POSIX leave it equal to
    # sys.executable, so fall back to resolving the venv's symlink or to the base prefix.
    executable = sys.executable
    base = getattr(sys, "_base_executable", None) or executable
    in_venv = sys.prefix != sys.base_prefix
    if not in_venv:
        return base
    if base and os.path.isfile(base) and not is_inside(base, sys.prefix):
        return base
    candidates = []
    real = os.path.realpath(executable)
    if not is_inside(real, sys.prefix):
        candidates.append(real)
    version = sys.version_info
    if os.name == "nt":
        names = ["python.exe"]
        dirs = [sys.base_exec_prefix]
    else:
        names = [
            "python%d.%d" % (version[0], version[1]),
            "python%d" % version[0],
            "python",
        ]
        dirs = [os.path.join(sys.base_exec_prefix, "bin")]
    for directory in dirs:
        for name in names:
            candidates.append(os.path.join(directory, name))
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return base


def venv_layout():
    # Install paths of a new venv, relative to its root: the `venv` scheme (3.11+), else the
    # one `python -m venv` used before it existed. Expanding with empty bases gives paths
    # like `/lib/python3.11/site-packages`; the caller strips the leading separator.
    import sysconfig

    names = sysconfig.get_scheme_names()
    if "venv" in names:
        scheme = "venv"
    elif os.name == "nt":
        scheme = "nt"
    else:
        scheme = "posix_prefix"
    empty = {
        "base": "",
        "platbase": "",
        "installed_base": "",
        "installed_platbase": "",
        "userbase": "",
    }
    paths = sysconfig.get_paths(scheme=scheme, vars=empty, expand=True)
    version = sys.version_info
    # pip installs a venv's headers to <prefix>/include/site/pythonX.Y (pip's
    # locations._distutils / _sysconfig both special-case venvs this way).
    include = os.path.join("include", "site", "python%d.%d" % (version[0], version[1]))
    return {
        "scheme": scheme,
        "purelib": paths["purelib"],
        "platlib": paths["platlib"],
        "scripts": paths["scripts"],
        "data": paths["data"],
        "include": include,
    }


def glibc_version():
    # packaging._manylinux._glibc_version_string: confstr first, ctypes as the fallback.
    try:
        value = os.confstr("CS_GNU_LIBC_VERSION")
        if value:
            parts = value.split()
            if len(parts) == 2:
                return parts[1]
    except (AttributeError, OSError, ValueError):
        pass
    try:
        import ctypes
    except ImportError:
        return None
    try:
        namespace = ctypes.CDLL(None)
    except OSError:
        return None
    try:
        function = namespace.gnu_get_libc_version
    except AttributeError:
        return None
    function.restype = ctypes.c_char_p
    value = function()
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value


def read_elf(path):
    # The few header fields packaging's _elffile reads: class, data encoding, machine, flags,
    # and the PT_INTERP program header (the dynamic loader, which names musl when it is musl).
    import struct

    try:
        with open(path, "rb") as f:
            ident = f.read(16)
            if len(ident) < 16 or ident[:4] != b"\x7fELF":
                return None
            capacity = bytearray(ident)[4]
            encoding = bytearray(ident)[5]
            formats = {
                (1, 1): ("<HHIIIIIHHH", "<IIIIIIII", (0, 1, 4)),
                (1, 2): (">HHIIIIIHHH", ">IIIIIIII", (0, 1, 4)),
                (2, 1): ("<HHIQQQIHHH", "<IIQQQQQQ", (0, 2, 5)),
                (2, 2): (">HHIQQQIHHH", ">IIQQQQQQ", (0, 2, 5)),
            }
            if (capacity, encoding) not in formats:
                return None
            e_fmt, p_fmt, p_idx = formats[(capacity, encoding)]
            header = struct.unpack(e_fmt, f.read(struct.calcsize(e_fmt)))
            machine, phoff, flags, phentsize, phnum = (
                header[1],
                header[4],
                header[6],
                header[8],
                header[9],
            )
            interpreter = None
            for index in range(phnum):
                f.seek(phoff + phentsize * index)
                raw = f.read(struct.calcsize(p_fmt))
                if len(raw) < struct.calcsize(p_fmt):
                    continue
                data = struct.unpack(p_fmt, raw)
                if data[p_idx[0]] != 3:  # PT_INTERP
                    continue
                f.seek(data[p_idx[1]])
                interpreter = f.read(data[p_idx[2]]).decode("utf-8", "replace").strip("\0")
                break
            return {
                "class": capacity,
                "data": encoding,
                "machine": machine,
                "flags": flags,
                "interpreter": interpreter,
            }
    except (OSError, IOError, ValueError, struct.error):
        return None


def musl_version(elf):
    # packaging._musllinux: run the musl loader with no arguments; it prints
    # "musl libc (x86_64)\nVersion 1.2.2\n..." to stderr.
    loader = elf and elf.get("interpreter")
    if not loader or "musl" not in loader:
        return None
    import re
    import subprocess

    try:
        proc = subprocess.Popen([loader], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, err = proc.communicate()
    except (OSError, ValueError):
        return None
    lines = [line.strip() for line in err.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) < 2 or lines[0][:4] != "musl":
        return None
    match = re.match(r"Version (\d+)\.(\d+)", lines[1])
    if not match:
        return None
    return [int(match.group(1)), int(match.group(2))]


def linux_archs(platform_tag, pointer_size):
    # packaging.tags._linux_platforms, the arch part; verse recomputes this in Rust, the probe
    # needs it only to ask the _manylinux hook about the right arch names.
    if not platform_tag.startswith("linux_"):
        return []
    if pointer_size == 4:
        if platform_tag == "linux_x86_64":
            platform_tag = "linux_i686"
        elif platform_tag == "linux_aarch64":
            platform_tag = "linux_armv8l"
    arch = platform_tag.split("_", 1)[1]
    if arch == "armv8l":
        return ["armv8l", "armv7l"]
    return [arch]


def manylinux_rejected(archs, glibc):
    # PEP 600: a distributor may ship a `_manylinux` module whose answer overrides the glibc
    # version check. packaging asks it once per (glibc version, arch) it is about to emit, so
    # ask it the same questions and report every "no". None when there is no such module.
    try:
        module = __import__("_manylinux")
    except ImportError:
        return None
    rejected = []
    if glibc is None:
        return rejected
    major = glibc[0]
    for arch in archs:
        for minor in range(glibc[1], -1, -1):
            compatible = True
            if hasattr(module, "manylinux_compatible"):
                answer = module.manylinux_compatible(major, minor, arch)
                if answer is not None:
                    compatible = bool(answer)
            elif (major, minor) == (2, 5) and hasattr(module, "manylinux1_compatible"):
                compatible = bool(module.manylinux1_compatible)
            elif (major, minor) == (2, 12) and hasattr(module, "manylinux2010_compatible"):
                compatible = bool(module.manylinux2010_compatible)
            elif (major, minor) == (2, 17) and hasattr(module, "manylinux2014_compatible"):
                compatible = bool(module.manylinux2014_compatible)
            if not compatible:
                rejected.append([major, minor, arch])
    return rejected


def parse_glibc(value):
    # re.match(r"([0-9]+)\.([0-9]+)", value), without importing re for it.
    if not value:
        return None
    major, dot, rest = value.partition(".")
    minor = ""
    for char in rest:
        if char not in "0123456789":
            break
        minor += char
    if not dot or not major or not minor or not all(c in "0123456789" for c in major):
        return None
    return [int(major), int(minor)]


def config_var(name):
    import sysconfig

    value = sysconfig.get_config_var(name)
    if value is None or isinstance(value, (int, str)):
        return value
    return str(value)


def platform_info(pointer_size, elf):
    import sysconfig

    platform = platform_module()
    system = platform.system()
    platform_tag = sysconfig.get_platform().replace(".", "_").replace("-", "_").replace(" ", "_")
    info = {"system": system, "sysconfig_platform": platform_tag}
    if system == "Darwin":
        release, _, machine = platform.mac_ver()
        info["mac_version"] = [int(part) for part in release.split(".")[:2]]
        info["mac_arch"] = machine
    if system == "Linux":
        glibc = parse_glibc(glibc_version())
        musl = musl_version(elf)
        info["glibc"] = glibc
        info["musl"] = musl
        info["manylinux_rejected"] = manylinux_rejected(
            linux_archs(platform_tag, pointer_size), glibc
        )
    return info


def enter_venv():
    # verse runs this without `site` (-S) unless it sees a pyvenv.cfg by the path it was
    # given. A venv reached any other way (a pyenv shim, a wrapper script, a bare name found
    # on PATH) shows only here, by the executable Python itself settled on; in a venv `site`
    # is what sets sys.prefix (and so base_executable() below), so run it as start-up would.
    if not sys.flags.no_site:
        return
    exe_dir = os.path.dirname(os.path.abspath(sys.executable))
    for directory in (exe_dir, os.path.dirname(exe_dir)):
        if os.path.isfile(os.path.join(directory, "pyvenv.cfg")):
            import site

            site.main()
            return


def main():
    if sys.version_info[:2] < MINIMUM:
        emit(
            {
                "result": "error",
                "kind": "unsupported_python",
                "version": "%d.%d.%d" % tuple(sys.version_info[:3]),
                "executable": sys.executable,
            }
        )
        return
    import struct
    from importlib.machinery import EXTENSION_SUFFIXES

    if not sys.executable:
        emit({"result": "error", "kind": "no_executable", "detail": "sys.executable is empty"})
        return
    enter_venv()
    pointer_size = struct.calcsize("P")
    elf = read_elf(sys.executable) if sys.platform.startswith("linux") else None
    emit(
        {
            "result": "ok",
            "markers": markers(),
            "executable": sys.executable,
            "base_executable": base_executable(),
            "prefix": sys.prefix,
            "base_prefix": sys.base_prefix,
            "version": list(sys.version_info[:3]),
            "implementation": sys.implementation.name,
            "venv_layout": venv_layout(),
            "pointer_size": pointer_size,
            "abiflags": getattr(sys, "abiflags", ""),
            "config": {
                "py_version_nodot": config_var("py_version_nodot"),
                "Py_DEBUG": config_var("Py_DEBUG"),
                "Py_GIL_DISABLED": config_var("Py_GIL_DISABLED"),
                "WITH_PYMALLOC": config_var("WITH_PYMALLOC"),
                "EXT_SUFFIX": config_var("EXT_SUFFIX"),
            },
            "has_gettotalrefcount": hasattr(sys, "gettotalrefcount"),
            "extension_suffixes": list(EXTENSION_SUFFIXES),
            "elf": elf,
            "platform": platform_info(pointer_size, elf),
        }
    )


try:
    main()
except Exception:  # noqa: BLE001 - reported to the caller, who names the interpreter.
    import traceback

    emit({"result": "error", "kind": "exception", "detail": traceback.format_exc()})
