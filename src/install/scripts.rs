//! Scripts in `bin/`: entry points (`entry_points.txt`) turned into launchers, `#!python`
//! shebangs of `.data/scripts` files rewritten, and the names that may not be written there.
//!
//! Launchers follow pip 26's template (distlib's without `import re`, `removesuffix` for the
//! `.exe` strip); the editable root project uses Poetry 2.x's own template instead, see
//! `editable.rs`. Shebangs point at the venv's unresolved `bin/python`; a line longer than 127
//! bytes or a path with a space gets distlib's `/bin/sh` polyglot, and unlike pip that also
//! applies to rewritten `#!python` scripts (uv does the same), so they run in such venvs too.

use std::collections::BTreeMap;

/// Console and GUI entry points of a distribution, name → value, as pip reads them.
#[derive(Debug, Default)]
pub(crate) struct EntryPoints {
    pub console: Vec<(String, String)>,
    pub gui: Vec<(String, String)>,
}

impl EntryPoints {
    /// Whether a `.data/scripts` file named `file_name` is a setuptools wrapper of one of
    /// these entry points (`ep`, `ep.exe`, `ep-script.py`, `ep.pya`): pip skips those.
    pub fn is_wrapper(&self, file_name: &str) -> bool {
        let lower = file_name.to_lowercase();
        let stem = if lower.ends_with(".exe") || lower.ends_with(".pya") {
            &file_name[..file_name.len() - 4]
        } else if lower.ends_with("-script.py") {
            &file_name[..file_name.len() - 10]
        } else {
            file_name
        };
        self.console.iter().chain(&self.gui).any(|(n, _)| n == stem)
    }
}

/// Reads `entry_points.txt` the way `importlib.metadata` does: INI sections, `name = value`
/// split at the first `=`, `#`/`;` comment lines, a later duplicate name replacing an earlier one.
pub(crate) fn parse_entry_points(text: &str) -> Result<EntryPoints, String> {
    let mut groups: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut section: Option<String> = None;
    for (number, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = Some(name.trim().to_string());
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            return Err(format!(
                "entry_points.txt line {}: expected `name = value`, found `{line}`",
                number + 1
            ));
        };
        let Some(section) = &section else {
            return Err(format!(
                "entry_points.txt line {}: entry outside any [section]",
                number + 1
            ));
        };
        let entries = groups.entry(section.clone()).or_default();
        let (name, value) = (name.trim().to_string(), value.trim().to_string());
        match entries.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => entries.push((name, value)),
        }
    }
    Ok(EntryPoints {
        console: groups.remove("console_scripts").unwrap_or_default(),
        gui: groups.remove("gui_scripts").unwrap_or_default(),
    })
}

/// pip's special case (`get_console_script_specs`): `pip` and `easy_install` entry points get
/// versioned copies for the *target* Python (`pip3`, `pip3.11`, `easy_install-3.11`), and
/// versioned names baked into the wheel for another Python are dropped.
pub(crate) fn console_scripts_for(
    console: &[(String, String)],
    python_version: (u64, u64),
) -> Vec<(String, String)> {
    let (major, minor) = python_version;
    let value_of = |name: &str| console.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let mut out = Vec::new();
    let pip = value_of("pip").cloned();
    let easy_install = value_of("easy_install").cloned();
    if let Some(pip) = &pip {
        out.push(("pip".to_string(), pip.clone()));
        out.push((format!("pip{major}"), pip.clone()));
        out.push((format!("pip{major}.{minor}"), pip.clone()));
    }
    if let Some(easy_install) = &easy_install {
        out.push(("easy_install".to_string(), easy_install.clone()));
        out.push((
            format!("easy_install-{major}.{minor}"),
            easy_install.clone(),
        ));
    }
    for (name, value) in console {
        let versioned_pip = pip.is_some() && is_versioned(name, "pip", "");
        let versioned_easy = easy_install.is_some() && is_versioned(name, "easy_install", "-");
        if name == "pip" || name == "easy_install" || versioned_pip || versioned_easy {
            continue;
        }
        out.push((name.clone(), value.clone()));
    }
    out
}

/// `pip(\d+(\.\d+)?)?` / `easy_install(-\d+\.\d+)?` without a regex crate.
fn is_versioned(name: &str, base: &str, separator: &str) -> bool {
    let Some(rest) = name
        .strip_prefix(base)
        .and_then(|r| r.strip_prefix(separator))
    else {
        return false;
    };
    let parts: Vec<&str> = rest.split('.').collect();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [a] => separator.is_empty() && digits(a),
        [a, b] => digits(a) && digits(b),
        _ => false,
    }
}

/// A parsed `module:attr[.sub]` entry-point value (extras dropped, as pip and uv do).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Callable {
    pub module: String,
    pub attr: String,
}

impl Callable {
    /// The name to import from the module: the first component of `attr`.
    pub fn import_name(&self) -> &str {
        self.attr.split('.').next().unwrap_or(&self.attr)
    }
}

/// Parses an entry-point value. Only dotted identifiers are accepted on both sides, since the
/// value is pasted into Python source: anything else would be code injection, not a callable.
pub(crate) fn parse_callable(value: &str) -> Result<Callable, String> {
    let mut spec = value.trim();
    if let Some(open) = spec.find('[') {
        if !spec.ends_with(']') {
            return Err(format!("invalid entry point `{value}`: unbalanced `[`"));
        }
        spec = spec[..open].trim_end();
    }
    let Some((module, attr)) = spec.split_once(':') else {
        return Err(format!(
            "invalid entry point `{value}`: a callable suffix (`module:function`) is required"
        ));
    };
    let (module, attr) = (module.trim(), attr.trim());
    if !is_dotted_identifier(module) || !is_dotted_identifier(attr) {
        return Err(format!(
            "invalid entry point `{value}`: expected `module.path:attribute.path`"
        ));
    }
    Ok(Callable {
        module: module.to_string(),
        attr: attr.to_string(),
    })
}

fn is_dotted_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            !part.is_empty()
                && !part.starts_with(|c: char| c.is_ascii_digit())
                && part.chars().all(|c| c == '_' || c.is_alphanumeric())
        })
}

/// Checks a script name (entry point, or a file landing in `bin/`) cannot escape `bin/`, and
/// is not one of the venv's own interpreter links, which a wheel must never replace.
pub(crate) fn check_script_name(name: &str) -> Result<(), String> {
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\', '\0'])
        || name.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(format!("invalid script name `{name}`"));
    }
    if is_interpreter_name(name) {
        return Err(format!(
            "script name `{name}` would replace the venv's interpreter"
        ));
    }
    Ok(())
}

/// `python`, `python3`, `python3.12`, `python3.13t`, `pythonw`, `pypy3`, ...: the names the
/// venv's interpreter links have or could have (uv refuses the same set, case-insensitively).
pub(crate) fn is_interpreter_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let rest = if let Some(rest) = lower.strip_prefix("python") {
        rest
    } else if let Some(rest) = lower.strip_prefix("pypy") {
        rest
    } else {
        return lower == "graalpy";
    };
    let rest = rest.strip_prefix('w').unwrap_or(rest);
    let rest = rest.strip_suffix('t').unwrap_or(rest);
    rest.is_empty()
        || rest
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The shebang for a script run by `python` (distlib's `_build_shebang`, POSIX), with its
/// trailing newline.
pub(crate) fn shebang(python: &str) -> String {
    // "#!" + path + "\n" must fit in 127 bytes (Linux before 5.1; still the portable limit).
    if !python.contains(' ') && python.len() + 3 <= 127 {
        return format!("#!{python}\n");
    }
    format!(
        "#!/bin/sh\n'''exec' {} \"$0\" \"$@\"\n' '''\n",
        sh_quote(python)
    )
}

/// Quotes a path for the `exec` line of the polyglot: bare when safe (as distlib leaves a long
/// path without spaces), double quotes like distlib otherwise, and single quotes when the path
/// holds a character that is special inside double quotes.
fn sh_quote(path: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,@%=".contains(c);
    if path.chars().all(plain) {
        path.to_string()
    } else if !path.contains(['"', '$', '`', '\\']) {
        format!("\"{path}\"")
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
}

/// A console or GUI launcher, pip 26's template. `python_version` is the target's: pip 26
/// needs 3.9 for `str.removesuffix`, so older targets get the equivalent slice.
pub(crate) fn launcher(python: &str, callable: &Callable, python_version: (u64, u64)) -> String {
    let strip_exe = if python_version >= (3, 9) {
        "    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n".to_string()
    } else {
        "    if sys.argv[0].endswith('.exe'):\n        sys.argv[0] = sys.argv[0][:-4]\n".to_string()
    };
    format!(
        "{shebang}import sys\nfrom {module} import {import_name}\n\
         if __name__ == '__main__':\n{strip_exe}    sys.exit({attr}())\n",
        shebang = shebang(python),
        module = callable.module,
        import_name = callable.import_name(),
        attr = callable.attr,
    )
}

/// If `content` starts with `#!python` (which covers `#!pythonw` and `#!python3`), returns it
/// with that first line replaced by a shebang for `python` (pip's `fix_script`).
pub(crate) fn fix_shebang(content: &[u8], python: &str) -> Option<Vec<u8>> {
    if !content.starts_with(b"#!python") {
        return None;
    }
    let rest = match content.iter().position(|&b| b == b'\n') {
        Some(end) => &content[end + 1..],
        None => &[][..],
    };
    let mut out = shebang(python).into_bytes();
    out.extend_from_slice(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entry_points_like_importlib() {
        let text = "[console_scripts]\nfoo = pkg.cli:main\n# c\nbar=pkg:run [extra]\n\
                    foo = pkg.other:main\n\n[gui_scripts]\ng = pkg:gui\n[other]\nx = y:z\n";
        let eps = parse_entry_points(text).unwrap();
        assert_eq!(
            eps.console,
            [
                ("foo".to_string(), "pkg.other:main".to_string()),
                ("bar".to_string(), "pkg:run [extra]".to_string())
            ]
        );
        assert_eq!(eps.gui, [("g".to_string(), "pkg:gui".to_string())]);
        assert!(eps.is_wrapper("foo-script.py"));
        assert!(eps.is_wrapper("g.exe"));
        assert!(!eps.is_wrapper("foo.sh"));
        assert!(parse_entry_points("x = y:z\n").is_err());
    }

    #[test]
    fn callables_are_dotted_identifiers_only() {
        let c = parse_callable(" pkg.cli : main.__call__ [extra1, extra2]").unwrap();
        assert_eq!(c.module, "pkg.cli");
        assert_eq!(c.attr, "main.__call__");
        assert_eq!(c.import_name(), "main");
        assert!(
            parse_callable("pkg.cli").is_err(),
            "pip: MissingCallableSuffix"
        );
        assert!(parse_callable("os:system('x')").is_err());
        assert!(parse_callable("a:b:c").is_err());
        assert!(parse_callable("1a:b").is_err());
    }

    #[test]
    fn pip_and_easy_install_get_target_versioned_names() {
        let console = vec![
            ("pip".to_string(), "pip._internal.cli.main:main".to_string()),
            (
                "pip3".to_string(),
                "pip._internal.cli.main:main".to_string(),
            ),
            (
                "pip3.8".to_string(),
                "pip._internal.cli.main:main".to_string(),
            ),
            ("pipx".to_string(), "pipx:main".to_string()),
        ];
        let names: Vec<String> = console_scripts_for(&console, (3, 11))
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["pip", "pip3", "pip3.11", "pipx"]);
    }

    #[test]
    fn script_names_stay_in_bin() {
        for bad in [
            "../x",
            "a/b",
            "",
            "..",
            "a b",
            "a\\b",
            "python",
            "Python3.11",
            "pythonw",
            "pypy3",
        ] {
            assert!(check_script_name(bad).is_err(), "{bad}");
        }
        for good in ["black", "python-dotenv", "pythonista", "pip3.11", "py.test"] {
            assert!(check_script_name(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn shebangs_and_launchers() {
        assert_eq!(shebang("/v/bin/python"), "#!/v/bin/python\n");
        assert_eq!(
            shebang("/my venv/bin/python"),
            "#!/bin/sh\n'''exec' \"/my venv/bin/python\" \"$0\" \"$@\"\n' '''\n"
        );
        let long = format!("/{}/bin/python", "d".repeat(120));
        assert!(shebang(&long).starts_with(&format!("#!/bin/sh\n'''exec' {long} ")));
        let c = parse_callable("demo_pkg:main.__call__").unwrap();
        assert_eq!(
            launcher("/v/bin/python", &c, (3, 11)),
            "#!/v/bin/python\nimport sys\nfrom demo_pkg import main\nif __name__ == '__main__':\n    \
             sys.argv[0] = sys.argv[0].removesuffix('.exe')\n    sys.exit(main.__call__())\n"
        );
        assert_eq!(
            fix_shebang(b"#!pythonw -E\r\nprint(1)\n", "/v/bin/python").unwrap(),
            b"#!/v/bin/python\nprint(1)\n"
        );
        assert_eq!(fix_shebang(b"#!/bin/sh\n", "/v/bin/python"), None);
    }
}
