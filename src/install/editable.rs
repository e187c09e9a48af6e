//! The root project, installed editable the way Poetry 2.x's `EditableBuilder` does it (not
//! PEP 660, whatever the build backend): `<module>.pth` listing the package base directories,
//! launchers for its scripts, and a `<name>-<version>.dist-info` with METADATA, WHEEL,
//! `entry_points.txt`, INSTALLER, `direct_url.json` and RECORD.
//!
//! Compared with real Poetry 2.5.1 (observed on a `src/`-layout project with console, gui and
//! plugin entry points), verse keeps these differences:
//! * RECORD paths are relative to site-packages and sorted, like every pip RECORD, where Poetry
//!   writes absolute paths in write order; both uninstall the same files, relative ones survive
//!   moving the venv.
//! * INSTALLER is `verse\n`, not `poetry`.
//! * METADATA has Name (normalized), Version, Summary and Requires-Dist only: `RootPackage`
//!   carries no classifiers or Requires-Python; nothing reads them from an editable install.
//! * WHEEL says `Generator: verse`.
//! * `[tool.poetry.scripts]` entries of `type = "file"` are not copied (`RootPackage` has none).
//!
//! What matches: file and directory names (`demo_app.pth`, `demo_app-0.3.1.dist-info`), the
//! `.pth` text (one absolute directory per line), Poetry's launcher template byte for byte
//! (mode 0755), `entry_points.txt` byte for byte, `direct_url.json` byte for byte, no REQUESTED.
//! Like Poetry, any previously installed distribution of the same name is removed first.

use std::io;
use std::path::Path;

use super::fsutil::{self, Mode};
use super::paths;
use super::record::{self, Row};
use super::scripts::{self, Callable};
use super::{read_dist_info, uninstall, EditableProject, InstallError, InstalledDistribution};
use crate::packaging::{normalize, PackageName, Version};
use crate::venv::Venv;

pub(crate) fn install(
    venv: &Venv,
    project: &EditableProject,
) -> Result<InstalledDistribution, InstallError> {
    let name = project.name.to_string();
    let invalid = |message: String| InstallError::InvalidProject {
        name: name.clone(),
        message,
    };
    let io_error = |source: io::Error| InstallError::Io {
        filename: name.clone(),
        source,
    };
    let version: Version = project
        .version
        .parse()
        .map_err(|e| invalid(format!("invalid version `{}`: {e}", project.version)))?;
    let python = venv
        .python
        .to_str()
        .ok_or_else(|| invalid("the venv path is not valid UTF-8".into()))?;
    let package = &project.package;

    // Validate everything before writing anything.
    let mut launchers = Vec::new();
    for (script_name, value) in package.scripts.iter().chain(&package.gui_scripts) {
        scripts::check_script_name(script_name).map_err(&invalid)?;
        let callable = scripts::parse_callable(value)
            .map_err(|m| invalid(format!("script `{script_name}`: {m}")))?;
        launchers.push((script_name.clone(), callable));
    }
    let mut pth = String::new();
    let mut seen = Vec::new();
    for dir in &package.package_dirs {
        let dir = if dir.is_absolute() {
            dir.clone()
        } else {
            project.root.join(dir)
        };
        let text = dir
            .to_str()
            .ok_or_else(|| invalid(format!("{} is not valid UTF-8", dir.display())))?
            .to_string();
        if text.contains(['\n', '\r']) {
            return Err(invalid(format!(
                "{text:?} cannot be written to a .pth file"
            )));
        }
        if !seen.contains(&text) {
            pth.push_str(&text);
            pth.push('\n');
            seen.push(text);
        }
    }

    for dist in installed_named(venv, &project.name)? {
        uninstall(venv, &dist)?;
    }

    // Poetry's `module_name` / `escape_name`: the normalized name with `_` for `-`.
    let escaped = project.name.as_ref().replace('-', "_");
    let escaped_version = escape_version(&project.version);
    let lib_dir = &venv.purelib;
    let mut generated = Vec::new();

    let pth_path = lib_dir.join(format!("{escaped}.pth"));
    fsutil::write_bytes(&pth_path, Mode::FILE, pth.as_bytes()).map_err(io_error)?;
    generated.push(Row::for_content(
        paths::record_path(&pth_path, lib_dir),
        pth.as_bytes(),
    ));
    for (script_name, callable) in &launchers {
        let dest = venv.scripts.join(script_name);
        let content = poetry_launcher(python, callable);
        fsutil::write_bytes(&dest, Mode::LAUNCHER, content.as_bytes()).map_err(io_error)?;
        set_mode_0755(&dest).map_err(io_error)?;
        generated.push(Row::for_content(
            paths::record_path(&dest, lib_dir),
            content.as_bytes(),
        ));
    }

    let final_dir = lib_dir.join(format!("{escaped}-{escaped_version}.dist-info"));
    let stage = fsutil::temp_path_for(&final_dir);
    let result = (|| -> Result<(), InstallError> {
        let mut files: Vec<(&str, Vec<u8>)> = vec![
            ("METADATA", metadata(project).into_bytes()),
            ("WHEEL", wheel_file().into_bytes()),
        ];
        let entry_points = entry_points_txt(project);
        if !entry_points.is_empty() {
            files.push(("entry_points.txt", entry_points.into_bytes()));
        }
        files.push(("INSTALLER", b"verse\n".to_vec()));
        files.push(("direct_url.json", direct_url(&project.root).into_bytes()));
        for (file_name, content) in &files {
            fsutil::write_bytes(&stage.join(file_name), Mode::FILE, content).map_err(io_error)?;
            generated.push(Row::for_content(
                paths::record_path(&final_dir.join(file_name), lib_dir),
                content,
            ));
        }
        generated.push(Row {
            path: paths::record_path(&final_dir.join("RECORD"), lib_dir),
            hash: String::new(),
            size: String::new(),
        });
        generated.sort();
        fsutil::write_bytes(
            &stage.join("RECORD"),
            Mode::FILE,
            record::write(&generated).as_bytes(),
        )
        .map_err(io_error)?;
        match fs_err::remove_dir_all(&final_dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(e)),
        }
        fs_err::rename(&stage, &final_dir).map_err(io_error)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&stage);
    }
    result?;
    Ok(InstalledDistribution {
        name: project.name.clone(),
        version,
        dist_info: final_dir,
    })
}

/// The installed distributions named `name`. Only their `.dist-info` directories are read, so
/// an unrelated broken one elsewhere in site-packages does not stop the project's install.
fn installed_named(
    venv: &Venv,
    name: &PackageName,
) -> Result<Vec<InstalledDistribution>, InstallError> {
    let mut found = Vec::new();
    let mut dirs = vec![&venv.purelib];
    if venv.platlib != venv.purelib {
        dirs.push(&venv.platlib);
    }
    for dir in dirs {
        let Ok(entries) = fs_err::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let Some(stem) = file_name
                .to_str()
                .and_then(|n| n.strip_suffix(".dist-info"))
            else {
                continue;
            };
            let matches = stem
                .rsplit_once('-')
                .is_some_and(|(n, _)| normalize(n) == name.as_ref());
            // Without METADATA it is no distribution (see `installed`).
            if matches && entry.path().is_dir() && entry.path().join("METADATA").exists() {
                found.push(read_dist_info(&entry.path())?);
            }
        }
    }
    Ok(found)
}

/// Poetry's `escape_version`: runs of characters other than word characters and `.` become `_`.
fn escape_version(version: &str) -> String {
    let mut out = String::new();
    let mut in_run = false;
    for c in version.chars() {
        if c.is_alphanumeric() || c == '_' || c == '.' {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
    out
}

/// Poetry 2.5.1's `SCRIPT_TEMPLATE` (masonry/builders/editable.py), with a blank line and no
/// `.exe` handling.
fn poetry_launcher(python: &str, callable: &Callable) -> String {
    format!(
        "{shebang}import sys\nfrom {module} import {import_name}\n\n\
         if __name__ == '__main__':\n    sys.exit({attr}())\n",
        shebang = scripts::shebang(python),
        module = callable.module,
        import_name = callable.import_name(),
        attr = callable.attr,
    )
}

#[cfg(unix)]
fn set_mode_0755(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // Poetry chmods its launchers to exactly 0o755, whatever the umask.
    fs_err::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn set_mode_0755(_path: &Path) -> io::Result<()> {
    Ok(())
}

fn metadata(project: &EditableProject) -> String {
    let mut out = format!(
        "Metadata-Version: 2.1\nName: {}\nVersion: {}\n",
        project.name, project.version
    );
    if let Some(summary) = &project.package.summary {
        // A header value cannot span lines.
        out.push_str(&format!(
            "Summary: {}\n",
            summary.replace(['\r', '\n'], " ")
        ));
    }
    for requirement in &project.package.requires_dist {
        out.push_str(&format!("Requires-Dist: {requirement}\n"));
    }
    out
}

fn wheel_file() -> String {
    format!(
        "Wheel-Version: 1.0\nGenerator: verse {}\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// poetry-core's `entry_points.txt`: groups sorted by name, `name=value` lines, and a blank
/// line after every group.
fn entry_points_txt(project: &EditableProject) -> String {
    let package = &project.package;
    let mut groups: Vec<(&str, Vec<(&String, &String)>)> = Vec::new();
    if !package.scripts.is_empty() {
        groups.push(("console_scripts", package.scripts.iter().collect()));
    }
    if !package.gui_scripts.is_empty() {
        groups.push(("gui_scripts", package.gui_scripts.iter().collect()));
    }
    for (group, entries) in &package.entry_points {
        if group != "console_scripts" && group != "gui_scripts" && !entries.is_empty() {
            groups.push((group.as_str(), entries.iter().collect()));
        }
    }
    groups.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::new();
    for (group, entries) in groups {
        out.push_str(&format!("[{group}]\n"));
        for (name, value) in entries {
            out.push_str(&format!("{name}={value}\n"));
        }
        out.push('\n');
    }
    out
}

/// `{"dir_info": {"editable": true}, "url": "file:///…"}` exactly as Poetry's `json.dumps`
/// writes it, with the path percent-encoded like `pathlib.Path.as_uri()`.
fn direct_url(project_root: &Path) -> String {
    let url = format!(
        "file://{}",
        percent_encode_path(&project_root.to_string_lossy())
    );
    let url = serde_json::to_string(&url).unwrap_or_default();
    format!("{{\"dir_info\": {{\"editable\": true}}, \"url\": {url}}}")
}

/// `urllib.parse.quote(path, safe="/")`.
fn percent_encode_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/_.-~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_poetry() {
        assert_eq!(escape_version("1.0+local-1"), "1.0_local_1");
        assert_eq!(
            direct_url(Path::new("/tmp/my proj")),
            r#"{"dir_info": {"editable": true}, "url": "file:///tmp/my%20proj"}"#
        );
    }
}
