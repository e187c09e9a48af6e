#!/usr/bin/env python3
"""Dockerfile.example's build, without a Docker engine: its steps run here, as written.

    scripts/test-docker-example.py --verse target/x86_64-unknown-linux-musl/release/verse

What it does, on examples/hello as the build context:
1. Reads Dockerfile.example (and Dockerfile) and checks them for the mistakes hadolint flags
   that matter here: unpinned or `latest` base images, apt-get without
   --no-install-recommends or without cleaning its lists, relative WORKDIR, ADD, a root or
   missing USER in the final stage, shell-form CMD/ENTRYPOINT, pip with a cache, Python
   output buffered.
2. Runs the build stage's ENV, WORKDIR, COPY and RUN instructions in order, with the same
   commands and the same paths under a temporary root R (/app is R/app, /opt/venv is
   R/opt/venv, the cache mount's target is R/root/.cache/verse, ...). The image's
   /usr/local/bin/python3.11 is stood in for by a CPython 3.11 readable by any user
   (--python, default /usr/bin/python3.11); `COPY --from=verse /verse` copies --verse. A RUN
   naming an absolute path the test does not map fails the test, so the file cannot drift
   from what is tested.
3. Takes the venv out, deletes everything else the build stage made (sources, verse, its
   cache), puts the venv back at the runtime stage's COPY destination (the same path), and
   runs the runtime stage's CMD with its ENV, WORKDIR and USER (uid 10001, via setpriv, when
   run as root): the app must greet with the locked click version.

Needs the network to PyPI (verse fetches the locked wheels and, for the project's own build,
its build backend), as `docker build` would. Prints one line per check and a closing
`N passed, N failed`; exits non-zero if any failed.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Absolute paths of the image that the steps may use, each mapped under the temporary root.
IMAGE_DIRS = ("/app", "/opt/venv", "/root", "/srv", "/home/app", "/usr/local/bin/verse")
IMAGE_PYTHON = "/usr/local/bin/python3.11"
IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else ': ' + detail}", flush=True)
    return ok


def instructions(path):
    """The Dockerfile's instructions as (KEYWORD, text), continuations joined, comments out."""
    out, pending = [], ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        text = (pending + stripped).strip()
        pending = ""
        keyword, _, rest = text.partition(" ")
        out.append((keyword.upper(), rest.strip()))
    return out


def stages(instrs):
    """Splits into (global ARGs, [(from-text, [instructions])])."""
    head, found = [], []
    for keyword, rest in instrs:
        if keyword == "FROM":
            found.append((rest, []))
        elif found:
            found[-1][1].append((keyword, rest))
        else:
            head.append((keyword, rest))
    return head, found


def lint(path):
    head, found = stages(instructions(path))
    args = dict(a.split("=", 1) for k, a in head if k == "ARG" and "=" in a)
    names = set()
    for from_text, body in found:
        parts = from_text.split()
        image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), parts[0])
        if image != "scratch" and image not in names:
            tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
            check(f"{path.name}: FROM {image} has a pinned tag", bool(re.search(r"\d", tag))
                  and tag != "latest", "no version in the tag")
        if len(parts) == 3 and parts[1].upper() == "AS":
            names.add(parts[2])
        for keyword, rest in body:
            if keyword == "ADD":
                check(f"{path.name}: no ADD", False, rest)
            if keyword == "WORKDIR":
                check(f"{path.name}: WORKDIR {rest} is absolute", rest.startswith("/"), rest)
            if keyword == "RUN" and "apt-get install" in rest:
                check(f"{path.name}: apt-get install -y --no-install-recommends, lists removed",
                      "--no-install-recommends" in rest and " -y" in rest
                      and "rm -rf /var/lib/apt/lists/*" in rest, rest)
            if keyword == "RUN" and "pip install" in rest:
                envs = " ".join(r for k, r in body if k == "ENV")
                check(f"{path.name}: pip keeps no cache", "--no-cache-dir" in rest
                      or "PIP_NO_CACHE_DIR=1" in envs, rest)
            if keyword in ("CMD", "ENTRYPOINT"):
                try:
                    ok = isinstance(json.loads(rest), list)
                except json.JSONDecodeError:
                    ok = False
                check(f"{path.name}: {keyword} is in exec form", ok, rest)
        if from_text.split()[0].startswith("python:"):
            envs = " ".join(r for k, r in body if k == "ENV")
            check(f"{path.name}: stage {from_text.split()[-1]} sets PYTHONUNBUFFERED=1",
                  "PYTHONUNBUFFERED=1" in envs, envs)
    users = [r for k, r in found[-1][1] if k == "USER"]
    check(f"{path.name}: the final stage runs as a non-root USER",
          bool(users) and users[-1].split(":")[0] not in ("root", "0"), str(users))
    return found


class Root:
    """The temporary root that stands in for the image's file system."""

    def __init__(self, root, python, verse):
        self.root, self.python, self.verse = root, python, verse

    def map(self, text):
        text = re.sub(re.escape(IMAGE_PYTHON) + r"(?![\w.])", self.python, text)
        pattern = r"(?<![\w.])(" + "|".join(map(re.escape, IMAGE_DIRS)) + r")(?=[/\s:\"',]|$)"
        return re.sub(pattern, lambda m: str(self.root) + m.group(1), text)

    def unmapped(self, text):
        """Absolute paths left in a mapped command that point into the real machine."""
        found = re.findall(r"(?:^|[\s=:'\"])(/[\w.][^\s:'\"]*)", text)
        allowed = (str(self.root), self.python, "/dev/null", "/var/lib/apt/lists")
        return [p for p in found if not p.startswith(allowed)]


def set_env(env, rest, root):
    for item in shlex.split(rest):
        key, _, value = item.partition("=")
        value = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), ""), value)
        env[key] = root.map(value)


def passthrough():
    """The machine's proxy and CA settings, which a docker build would also be given."""
    keep = re.compile(r"(?i)^(https?_proxy|no_proxy|all_proxy|ssl_cert_file|ssl_cert_dir)$")
    return {k: v for k, v in os.environ.items() if keep.match(k)}


def run_build(body, root, context):
    env = {"PATH": f"{root.root}/usr/local/bin:{IMAGE_PATH}", "HOME": f"{root.root}/root",
           **passthrough()}
    cwd = Path(root.root)
    for keyword, rest in body:
        if keyword == "ENV":
            set_env(env, rest, root)
        elif keyword == "WORKDIR":
            cwd = Path(root.map(rest))
            cwd.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY":
            args = shlex.split(rest)
            flags = [a for a in args if a.startswith("--")]
            *sources, dest = [a for a in args if not a.startswith("--")]
            target = Path(root.map(dest)) if dest.startswith("/") else cwd / dest
            if "--from=verse" in flags:
                if not check("COPY --from=verse takes /verse", sources == ["/verse"], rest):
                    return None
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root.verse, target)
                continue
            if flags:
                check(f"COPY {rest}: a flag the test knows", False, "unknown flag")
                return None
            for source in sources:
                src = context / source
                if src.is_dir():
                    shutil.copytree(src, target, dirs_exist_ok=True)
                else:
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(src, target / src.name)
        elif keyword == "RUN":
            command = rest
            while command.startswith("--mount="):
                mount, _, command = command.partition(" ")
                spec = dict(p.split("=", 1) for p in mount[len("--mount="):].split(",")
                            if "=" in p)
                if spec.get("type") == "cache":
                    Path(root.map(spec["target"])).mkdir(parents=True, exist_ok=True)
                command = command.strip()
            mapped = root.map(command)
            stray = root.unmapped(mapped)
            if not check(f"RUN {command[:60]}...: every path mapped", not stray, str(stray)):
                return None
            proc = subprocess.run(["/bin/sh", "-c", mapped], cwd=cwd, env=env,
                                  capture_output=True, text=True)
            if not check(f"RUN {command[:60]}... succeeds", proc.returncode == 0,
                         f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"):
                return None
        elif keyword not in ("ARG", "LABEL"):
            check(f"{keyword} in the build stage: an instruction the test knows", False, rest)
            return None
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verse", required=True, type=Path, help="the verse binary to use")
    parser.add_argument("--python", default="/usr/bin/python3.11",
                        help="CPython 3.11 standing in for the image's " + IMAGE_PYTHON)
    parser.add_argument("--context", type=Path, default=REPO / "examples" / "hello")
    options = parser.parse_args()

    lint(REPO / "Dockerfile")
    found = lint(REPO / "Dockerfile.example")
    by_name = {f.split()[-1]: body for f, body in found if len(f.split()) == 3}
    context = options.context.resolve()
    lock = tomllib.loads((context / "poetry.lock").read_text())
    click = next(p["version"] for p in lock["package"] if p["name"] == "click")

    with tempfile.TemporaryDirectory(prefix="verse-docker-") as tmp:
        os.chmod(tmp, 0o755)  # the runtime user must reach the venv
        root = Root(Path(tmp) / "root", options.python, options.verse.resolve())
        root.root.mkdir()
        if run_build(by_name["build"], root, context) is not None:
            venv = root.root / "opt" / "venv"
            site = venv / "lib" / "python3.11" / "site-packages"
            check("the deps layer used verse's cache mount (VERSE_CACHE_DIR)",
                  any((root.root / "root/.cache/verse").rglob("*.whl")))
            check("no pip cache was written", not (root.root / "root/.cache/pip").exists())
            check("the project is installed non-editable", (site / "hello" / "cli.py").is_file()
                  and not list(site.glob("*.pth")) and not list(site.glob("__editable__*")),
                  str(sorted(p.name for p in site.iterdir())))
            check("bytecode was compiled", any((site / "click" / "__pycache__").glob("*.pyc")))
            run_runtime(by_name["runtime"], root, venv, Path(tmp), click)

    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def run_runtime(body, root, venv, tmp, click):
    # Only what the runtime stage copies survives the build stage.
    keep = tmp / "transfer"
    shutil.move(venv, keep)
    shutil.rmtree(root.root)
    root.root.mkdir()
    env = {"PATH": IMAGE_PATH, "HOME": f"{root.root}/home/app"}
    cwd, user, command = Path(root.root), None, None
    for keyword, rest in body:
        if keyword == "ENV":
            set_env(env, rest, root)
        elif keyword == "COPY":
            args = shlex.split(rest)
            check("the runtime stage copies only the venv, to the same path",
                  args == ["--from=build", "/opt/venv", "/opt/venv"], rest)
            target = Path(root.map(args[-1]))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(keep, target)
        elif keyword == "RUN" and rest.startswith("useradd "):
            continue  # the uid is used numerically below, as USER does
        elif keyword == "WORKDIR":
            cwd = Path(root.map(rest))
            cwd.mkdir(parents=True, exist_ok=True)
        elif keyword == "USER":
            user = rest
        elif keyword == "CMD":
            command = json.loads(rest)
        else:
            check(f"{keyword} {rest}: an instruction the test knows", False, "unknown")
            return
    prefix = []
    if os.geteuid() == 0 and user:
        uid, _, gid = user.partition(":")
        prefix = ["setpriv", f"--reuid={uid}", f"--regid={gid or uid}", "--clear-groups", "--"]
    # The command is looked up on the stage's PATH, as Docker does for an exec-form CMD.
    exe = shutil.which(command[0], path=env["PATH"])
    if not check(f"CMD {command[0]} is found on the runtime PATH, in the venv",
                 exe is not None and exe.startswith(str(root.root)), f"{exe} on {env['PATH']}"):
        return
    proc = subprocess.run(prefix + [exe, *command[1:]], cwd=cwd, env=env,
                          capture_output=True, text=True)
    want = f"Hello, Docker! (hello 0.1.0, click {click})\n"
    check(f"the app runs from the copied venv as user {user or os.geteuid()}",
          proc.returncode == 0 and proc.stdout == want,
          f"exit {proc.returncode}, stdout {proc.stdout!r}, stderr {proc.stderr!r}")


if __name__ == "__main__":
    sys.exit(main())
