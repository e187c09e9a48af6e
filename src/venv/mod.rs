//! The virtual environment: creates one the way `python -m venv --without-pip` does
//! (pyvenv.cfg, `bin/python*` links, site-packages, activation scripts), or opens an existing
//! one and checks that its interpreter is the target.
//!
//! Layout decisions, and where they come from (see `wheel-install.md` §2):
//! * `bin/python` is an absolute symlink to the *base* interpreter (`sys._base_executable`), and
//!   `python3`, `python3.X` are relative links to `python`, as uv does. CPython 3.11 links
//!   `python3` to the invoking command instead; the result is the same interpreter.
//! * `pyvenv.cfg` carries CPython 3.11's keys (`home`, `include-system-site-packages`,
//!   `version`, `executable`, `command`) plus `verse = <version>`, and is written last and
//!   atomically: a directory without it is never taken for a venv, so an interrupted `create`
//!   cannot leave something that later looks valid.
//! * `lib64 -> lib` on 64-bit POSIX except macOS, like CPython <= 3.14 and uv.
//!
//! Not done here: installing anything (that is `install`), probing the interpreter (`target`),
//! `--copies` or relocatable venvs.

mod activate;
#[cfg(test)]
pub(crate) mod testing;

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::target::Target;

/// An existing virtual environment, with absolute install paths.
#[derive(Clone, Debug)]
pub struct Venv {
    pub root: PathBuf,
    /// `<root>/bin/python`, unresolved: what shebangs point at.
    pub python: PathBuf,
    pub purelib: PathBuf,
    pub platlib: PathBuf,
    pub scripts: PathBuf,
    pub include: PathBuf,
    pub data: PathBuf,
    /// (major, minor) of its interpreter.
    pub python_version: (u64, u64),
}

#[derive(Debug, thiserror::Error)]
pub enum VenvError {
    #[error("cannot create the virtual environment at {path}")]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} exists but is not a virtual environment (no pyvenv.cfg)")]
    NotAVenv { path: PathBuf },
    #[error("the virtual environment at {path} is for Python {found}, not {wanted}")]
    WrongPython {
        path: PathBuf,
        found: String,
        wanted: String,
    },
}

/// Creates a new venv at `root` for `target` (whose base interpreter it links to).
///
/// `root` may not exist yet, or be an empty directory (a Docker volume, say). Anything else is
/// an error: a non-empty directory without `pyvenv.cfg` is [`VenvError::NotAVenv`]; an existing
/// venv, a path that is not a directory, or one verse cannot use (`:`, control characters,
/// not UTF-8) is [`VenvError::Create`] with the reason as its source.
pub fn create(root: &Path, target: &Target) -> Result<Venv, VenvError> {
    let root = absolute(root)?;
    let root_text = root
        .to_str()
        .ok_or_else(|| refuse(&root, "the path is not valid UTF-8"))?;
    // Like CPython: a `:` would split PATH when the venv is activated; control characters
    // would break the activation scripts and shebangs.
    if root_text.contains(':') || root_text.chars().any(char::is_control) {
        return Err(refuse(
            &root,
            "the path contains `:` (the PATH separator) or a control character",
        ));
    }
    // `metadata` follows a symlink: a link to an (empty) directory, such as a mounted volume,
    // is used like that directory, under the path given.
    let existed = match fs_err::metadata(&root) {
        Ok(meta) if meta.is_dir() => true,
        Ok(_) => return Err(refuse(&root, "it exists and is not a directory")),
        // A dangling symlink is not ours to replace (or to remove when cleaning up).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if fs_err::symlink_metadata(&root).is_ok() {
                return Err(refuse(&root, "it is a symlink to nothing"));
            }
            false
        }
        Err(source) => return Err(create_error(&root, source)),
    };
    if existed {
        if root.join("pyvenv.cfg").exists() {
            return Err(refuse(&root, "a virtual environment already exists there"));
        }
        // A creation that was killed (kill -9, power loss) left its marker and no pyvenv.cfg:
        // everything in the directory is ours, so start again from empty.
        if root.join(CREATING_MARKER).is_file() {
            clear_dir(&root).map_err(|e| create_error(&root, e))?;
        }
        let mut entries = fs_err::read_dir(&root).map_err(|e| create_error(&root, e))?;
        if entries.next().is_some() {
            return Err(VenvError::NotAVenv { path: root });
        }
    }
    let venv = layout(&root, target, (target.version.0, target.version.1));
    match build(&venv, target, root_text) {
        Ok(()) => Ok(venv),
        Err(source) => {
            // Undo what we made so the next attempt starts from an empty directory again.
            // The directory was empty (or absent) before, so everything in it is ours.
            if existed {
                let _ = clear_dir(&root);
            } else {
                let _ = std::fs::remove_dir_all(&root);
            }
            Err(create_error(&root, source))
        }
    }
}

/// Opens the venv at `root`, checking it was made for `target`'s Python version.
pub fn open(root: &Path, target: &Target) -> Result<Venv, VenvError> {
    let root = absolute(root)?;
    let cfg_path = root.join("pyvenv.cfg");
    let cfg = match fs_err::read_to_string(&cfg_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(VenvError::NotAVenv { path: root })
        }
        Err(e) => return Err(create_error(&root, e)),
    };
    // A pyvenv.cfg without a version, or a `bin/python` that no longer resolves, is reported
    // as a venv for another Python: the remedy (recreate it) is the same.
    let wanted = (target.version.0, target.version.1);
    let wanted_text = format!("{}.{}", wanted.0, wanted.1);
    let found = pyvenv_version(&cfg).ok_or_else(|| VenvError::WrongPython {
        path: root.clone(),
        found: "unknown (its pyvenv.cfg has no `version`)".into(),
        wanted: wanted_text.clone(),
    })?;
    if found != wanted {
        return Err(VenvError::WrongPython {
            path: root,
            found: format!("{}.{}", found.0, found.1),
            wanted: wanted_text,
        });
    }
    let venv = layout(&root, target, found);
    // `exists` follows the link: a venv copied to a machine (or Docker stage) without its
    // base interpreter has a dangling `bin/python`.
    if !venv.python.exists() {
        let target = fs_err::read_link(&venv.python)
            .map(|t| t.display().to_string())
            .unwrap_or_else(|_| "nothing".into());
        return Err(VenvError::WrongPython {
            path: root,
            found: format!("an interpreter that no longer exists (bin/python -> {target})"),
            wanted: wanted_text,
        });
    }
    Ok(venv)
}

/// The venv's interpreter (`<root>/bin/python`), if there is one that resolves, for probing.
pub fn interpreter(root: &Path) -> Option<PathBuf> {
    let python = root.join("bin").join("python");
    python.exists().then_some(python)
}

/// A path `create` will not use, as a `Create` error whose source says why.
fn refuse(path: &Path, why: &str) -> VenvError {
    create_error(
        path,
        std::io::Error::new(std::io::ErrorKind::InvalidInput, why.to_string()),
    )
}

fn create_error(path: &Path, source: std::io::Error) -> VenvError {
    VenvError::Create {
        path: path.to_path_buf(),
        source,
    }
}

/// `root` made absolute without resolving symlinks (the venv path users see is the one that
/// goes into shebangs and activation scripts), with `.` and `..` removed lexically.
fn absolute(root: &Path) -> Result<PathBuf, VenvError> {
    let abs = std::path::absolute(root).map_err(|e| create_error(root, e))?;
    let mut out = PathBuf::new();
    for component in abs.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Ok(out)
}

fn layout(root: &Path, target: &Target, python_version: (u64, u64)) -> Venv {
    let layout = &target.venv_layout;
    let scripts = root.join(&layout.scripts);
    let data = if layout.data.as_os_str().is_empty() {
        root.to_path_buf()
    } else {
        root.join(&layout.data)
    };
    Venv {
        root: root.to_path_buf(),
        python: scripts.join("python"),
        purelib: root.join(&layout.purelib),
        platlib: root.join(&layout.platlib),
        scripts,
        include: root.join(&layout.include),
        data,
        python_version,
    }
}

/// The `(major, minor)` a pyvenv.cfg declares: `version` (CPython, virtualenv) or
/// `version_info` (uv, which may write just `3.12`).
fn pyvenv_version(cfg: &str) -> Option<(u64, u64)> {
    let mut found = None;
    for line in cfg.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key == "version" || (key == "version_info" && found.is_none()) {
            let mut parts = value.trim().split('.');
            let major = parts.next()?.parse().ok()?;
            let minor = parts.next()?.parse().ok()?;
            found = Some((major, minor));
        }
    }
    found
}

/// Whether the interpreter is 64-bit, from its machine name (CPython checks `sys.maxsize`).
fn is_64bit(machine: &str) -> bool {
    machine.contains("64") || machine == "s390x"
}

/// Written first and removed last by `create`: its presence without `pyvenv.cfg` marks a
/// creation that was interrupted, which the next `create` may wipe and redo.
const CREATING_MARKER: &str = ".verse-creating";

/// Removes everything inside `dir` (not `dir` itself, which may be a mount point or a link).
fn clear_dir(dir: &Path) -> std::io::Result<()> {
    for entry in fs_err::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            fs_err::remove_dir_all(&path)?;
        } else {
            fs_err::remove_file(&path)?;
        }
    }
    Ok(())
}

fn build(venv: &Venv, target: &Target, root_text: &str) -> std::io::Result<()> {
    let (major, minor) = venv.python_version;
    fs_err::create_dir_all(&venv.root)?;
    fs_err::write(venv.root.join(CREATING_MARKER), "")?;
    fs_err::create_dir_all(&venv.scripts)?;
    fs_err::create_dir_all(venv.root.join("include"))?;
    fs_err::create_dir_all(&venv.purelib)?;
    let lib64 = venv.root.join("lib64");
    if cfg!(unix)
        && !cfg!(target_os = "macos")
        && is_64bit(target.markers.platform_machine())
        && target.venv_layout.purelib.starts_with("lib")
        && fs_err::symlink_metadata(&lib64).is_err()
    {
        symlink(Path::new("lib"), &lib64)?;
    }
    fs_err::create_dir_all(&venv.platlib)?;

    symlink(&target.base_executable, &venv.python)?;
    for alias in [format!("python{major}"), format!("python{major}.{minor}")] {
        symlink(Path::new("python"), &venv.scripts.join(alias))?;
    }

    let bin_name = target.venv_layout.scripts.to_string_lossy();
    let dir_name = venv
        .root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prompt = format!("({dir_name}) ");
    for script in activate::render(root_text, &bin_name, &prompt) {
        fs_err::write(venv.scripts.join(script.name), script.text)?;
    }

    // Last, and atomically: its presence is what makes the directory a venv.
    let base = &target.base_executable;
    let home = base.parent().unwrap_or(Path::new("/"));
    let executable = fs_err::canonicalize(base).unwrap_or_else(|_| base.clone());
    let cfg = format!(
        "home = {home}\n\
         include-system-site-packages = false\n\
         version = {version}\n\
         executable = {executable}\n\
         command = {base} -m venv --without-pip {root}\n\
         verse = {verse}\n",
        home = home.display(),
        version = target.full_version,
        executable = executable.display(),
        base = base.display(),
        root = root_text,
        verse = env!("CARGO_PKG_VERSION"),
    );
    let tmp = venv.root.join(".pyvenv.cfg.verse-tmp");
    let mut file = fs_err::File::create(&tmp)?;
    file.write_all(cfg.as_bytes())?;
    file.sync_all()?;
    drop(file);
    fs_err::rename(&tmp, venv.root.join("pyvenv.cfg"))?;
    fs_err::remove_file(venv.root.join(CREATING_MARKER))?;
    Ok(())
}

#[cfg(unix)]
fn symlink(original: &Path, link: &Path) -> std::io::Result<()> {
    fs_err::os::unix::fs::symlink(original, link)
}

#[cfg(not(unix))]
fn symlink(original: &Path, link: &Path) -> std::io::Result<()> {
    // verse builds POSIX venvs only; on other systems copy the interpreter instead.
    fs_err::copy(original, link).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn an_interrupted_creation_is_redone_but_a_foreign_directory_is_not_touched() {
        let target = testing::python3_target();
        let dir = tempfile::tempdir().unwrap();
        // What a kill -9 half-way through `create` leaves: the marker, some files, no pyvenv.cfg.
        let root = dir.path().join("venv");
        fs_err::create_dir_all(root.join("bin")).unwrap();
        fs_err::write(root.join(CREATING_MARKER), "").unwrap();
        fs_err::write(root.join("bin/activate"), "half").unwrap();
        let venv = create(&root, &target).unwrap();
        assert!(venv.root.join("pyvenv.cfg").is_file());
        assert!(!root.join(CREATING_MARKER).exists());
        assert_ne!(
            fs_err::read_to_string(root.join("bin/activate")).unwrap(),
            "half"
        );

        // Without the marker the directory is somebody else's: refused, left as it was.
        let foreign = dir.path().join("foreign");
        fs_err::create_dir_all(&foreign).unwrap();
        fs_err::write(foreign.join("data.txt"), "keep me").unwrap();
        assert!(matches!(
            create(&foreign, &target),
            Err(VenvError::NotAVenv { .. })
        ));
        assert_eq!(
            fs_err::read_to_string(foreign.join("data.txt")).unwrap(),
            "keep me"
        );
    }

    #[test]
    fn created_venv_is_a_venv_for_python_and_bash() {
        let target = testing::python3_target();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("my env");
        let venv = create(&root, &target).unwrap();
        assert_eq!(venv.root, root);
        assert_eq!(venv.python, root.join("bin/python"));
        assert!(venv.purelib.is_dir());
        assert!(root.join("include").is_dir());
        assert_eq!(
            fs_err::read_link(root.join("bin/python")).unwrap(),
            target.base_executable
        );
        let minor = format!("bin/python3.{}", target.version.1);
        assert_eq!(
            fs_err::read_link(root.join(minor)).unwrap(),
            Path::new("python")
        );
        assert_eq!(
            fs_err::read_link(root.join("lib64")).unwrap(),
            Path::new("lib")
        );

        let cfg = fs_err::read_to_string(root.join("pyvenv.cfg")).unwrap();
        let home = target
            .base_executable
            .parent()
            .unwrap()
            .display()
            .to_string();
        assert!(cfg.starts_with(&format!(
            "home = {home}\ninclude-system-site-packages = false\nversion = {}\n",
            target.full_version
        )));
        assert!(cfg.contains(&format!("\nverse = {}\n", env!("CARGO_PKG_VERSION"))));

        let check = "import sys, site; assert sys.prefix != sys.base_prefix; \
                     print(sys.prefix); print(site.getsitepackages()[0])";
        let out = Command::new(&venv.python)
            .args(["-c", check])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines[0], root.to_str().unwrap());
        assert_eq!(lines[1], venv.purelib.to_str().unwrap());

        // Sourcing `activate` puts the venv first on PATH; `deactivate` undoes it.
        let script = r#"set -e; OLD="$PATH"; source "$1/bin/activate";
            [ "$VIRTUAL_ENV" = "$1" ]; command -v python; python -c 'import sys; print(sys.prefix)';
            echo "$VIRTUAL_ENV_PROMPT"; deactivate; [ "$PATH" = "$OLD" ]; [ -z "${VIRTUAL_ENV:-}" ]; echo ok"#;
        let out = Command::new("bash")
            .args(["-c", script, "bash", root.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let want = format!(
            "{}\n{}\n(my env) \nok\n",
            root.join("bin/python").display(),
            root.display()
        );
        assert_eq!(stdout, want);

        // Opening it again works and gives the same paths.
        let reopened = open(&root, &target).unwrap();
        assert_eq!(reopened.purelib, venv.purelib);
        assert_eq!(interpreter(&root), Some(root.join("bin/python")));
        // Creating over it is refused.
        assert!(matches!(
            create(&root, &target),
            Err(VenvError::Create { .. })
        ));
    }

    #[test]
    fn activation_scripts_work_in_every_shell_present() {
        // bash is required (above); zsh, fish and tcsh are checked when installed.
        let target = testing::python3_target();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("shell env");
        create(&root, &target).unwrap();
        let bin = root.join("bin");
        let bin = bin.display();
        let cases = [
            (
                "zsh",
                format!(
                    "source '{bin}/activate' && python -c 'import sys; print(sys.prefix)' && \
                     echo \"$VIRTUAL_ENV_PROMPT\" && deactivate && echo \"[$VIRTUAL_ENV]\""
                ),
            ),
            (
                "fish",
                format!(
                    "source '{bin}/activate.fish'; and python -c 'import sys; print(sys.prefix)'; \
                     and echo $VIRTUAL_ENV_PROMPT; and deactivate; and echo \"[$VIRTUAL_ENV]\""
                ),
            ),
            (
                "tcsh",
                format!(
                    // A script has no $prompt, which the template reads; and csh only
                    // applies an alias (`deactivate`) to lines read after its definition.
                    "set prompt = '> '\nsource '{bin}/activate.csh'\n\
                     python -c 'import sys; print(sys.prefix)'\necho \"$VIRTUAL_ENV_PROMPT\"\n\
                     deactivate\necho \"[$?VIRTUAL_ENV]\"\n"
                ),
            ),
        ];
        for (shell, script) in cases {
            let file = dir.path().join(format!("check.{shell}"));
            fs_err::write(&file, &script).unwrap();
            let Ok(out) = Command::new(shell).arg(&file).output() else {
                continue;
            };
            assert!(
                out.status.success(),
                "{shell}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let after = if shell == "tcsh" { "[0]" } else { "[]" };
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                format!("{}\n(shell env) \n{after}\n", root.display()),
                "{shell}"
            );
        }
    }

    #[test]
    fn activation_survives_shell_metacharacters_in_the_path() {
        let target = testing::python3_target();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("we$ird \"q\" `x` $(touch pwned)");
        create(&root, &target).unwrap();
        assert!(!root.join("bin/activate.csh").exists());
        let activate = root.join("bin/activate");
        let fish = root.join("bin/activate.fish");
        let check = "python -c 'import sys; print(sys.prefix)'";
        for (shell, script) in [
            ("bash", format!("source \"$1\" && {check}")),
            ("fish", format!("source $argv[2]; and {check}")),
        ] {
            let Ok(out) = Command::new(shell)
                .current_dir(dir.path())
                .args(["-c", &script, "--"])
                .args([&activate, &fish])
                .output()
            else {
                continue;
            };
            assert!(
                out.status.success(),
                "{shell}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                format!("{}\n", root.display()),
                "{shell}"
            );
            assert!(!dir.path().join("pwned").exists(), "{shell} ran the path");
        }
    }

    #[test]
    fn refuses_non_empty_directories_and_accepts_empty_ones() {
        let target = testing::python3_target();
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("file.txt"), "x").unwrap();
        assert!(matches!(
            create(dir.path(), &target),
            Err(VenvError::NotAVenv { .. })
        ));
        assert!(matches!(
            open(dir.path(), &target),
            Err(VenvError::NotAVenv { .. })
        ));
        assert_eq!(interpreter(dir.path()), None);

        let empty = dir.path().join("empty");
        fs_err::create_dir(&empty).unwrap();
        create(&empty, &target).unwrap();
        assert!(empty.join("pyvenv.cfg").is_file());
    }

    /// `--venv /opt/venv` where `/opt/venv` links to an empty volume: used as `python -m venv`
    /// uses it, under the path the user gave (that is what shebangs and `activate` name).
    #[test]
    fn accepts_a_symlink_to_an_empty_directory() {
        let target = testing::python3_target();
        let dir = tempfile::tempdir().unwrap();
        let volume = dir.path().join("volume");
        fs_err::create_dir(&volume).unwrap();
        let link = dir.path().join("venv");
        std::os::unix::fs::symlink(&volume, &link).unwrap();

        let venv = create(&link, &target).unwrap();

        assert_eq!(venv.root, link);
        assert_eq!(venv.python, link.join("bin/python"));
        assert!(volume.join("pyvenv.cfg").is_file());
        assert!(fs_err::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());

        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("gone"), &dangling).unwrap();
        assert!(matches!(
            create(&dangling, &target),
            Err(VenvError::Create { .. })
        ));
        assert!(
            fs_err::symlink_metadata(&dangling).is_ok(),
            "the link was removed"
        );
    }

    #[test]
    fn refuses_path_separator_and_cleans_up_on_failure() {
        let target = testing::python3_target();
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            create(&dir.path().join("a:b"), &target),
            Err(VenvError::Create { .. })
        ));
        // A base interpreter path that cannot be linked (an empty path) fails mid-way; nothing
        // that looks like a venv is left behind.
        let mut broken = target.clone();
        broken.base_executable = PathBuf::new();
        let root = dir.path().join("broken");
        assert!(matches!(
            create(&root, &broken),
            Err(VenvError::Create { .. })
        ));
        assert!(!root.exists());
    }

    #[test]
    fn open_checks_the_python_version() {
        let target = testing::python3_target();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("v");
        create(&root, &target).unwrap();
        let mut other = target.clone();
        other.version.1 += 1;
        let err = open(&root, &other).unwrap_err();
        assert!(
            matches!(&err, VenvError::WrongPython { found, .. } if *found == format!("3.{}", target.version.1)),
            "{err:?}"
        );

        // A venv whose base interpreter is gone (copied to another machine or image).
        fs_err::remove_file(root.join("bin/python")).unwrap();
        symlink(Path::new("/nonexistent/python3"), &root.join("bin/python")).unwrap();
        let err = open(&root, &target).unwrap_err();
        assert!(
            matches!(&err, VenvError::WrongPython { found, .. } if found.contains("/nonexistent/python3")),
            "{err:?}"
        );
        assert_eq!(interpreter(&root), None);
    }

    #[test]
    fn creates_working_venvs_for_other_pythons() {
        // Every pyenv Python >= 3.8 on the machine (3.9, 3.12, 3.13 here); none is required.
        let Ok(versions) = fs_err::read_dir("/root/.pyenv/versions") else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        for entry in versions {
            let python = entry.unwrap().path().join("bin/python3");
            let name = python
                .parent()
                .unwrap()
                .parent()
                .unwrap()
                .file_name()
                .unwrap();
            let name = name.to_string_lossy().into_owned();
            let minor: u64 = match name.split('.').nth(1).and_then(|m| m.parse().ok()) {
                Some(minor) if name.starts_with("3.") && minor >= 8 => minor,
                _ => continue,
            };
            if !python.exists() {
                continue;
            }
            let target = testing::target_for(python.to_str().unwrap());
            let venv = create(&dir.path().join(&name), &target).unwrap();
            assert_eq!(venv.python_version, (3, minor));
            let out = Command::new(&venv.python)
                .args(["-c", "import sys, site; print(sys.prefix != sys.base_prefix, site.getsitepackages()[0])"])
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                format!("True {}\n", venv.purelib.display()),
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    #[test]
    fn reads_versions_from_any_pyvenv_cfg_flavour() {
        assert_eq!(
            pyvenv_version("home = /x\nversion = 3.11.7\n"),
            Some((3, 11))
        );
        assert_eq!(
            pyvenv_version("uv = 0.5\nversion_info = 3.12\n"),
            Some((3, 12))
        );
        assert_eq!(
            pyvenv_version("version_info = 3.11.7.final.0\nversion = 3.11.7\n"),
            Some((3, 11))
        );
        assert_eq!(pyvenv_version("home = /x\n"), None);
    }
}
