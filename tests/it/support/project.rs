//! `Project`: writes a Poetry project for a test: `pyproject.toml` in either style, a
//! `poetry.lock` (lock-version 2.1 by default, 2.0 and 1.1 on request) whose file hashes come
//! from built wheels, and optionally the root package's sources.
//!
//! The lock's `content-hash` is computed from the written pyproject with
//! `verse::lock::content_hash::content_hash`, so a lock is fresh unless a test makes it stale.
//! Nothing here checks that lock and pyproject agree on dependencies: tests state both, which
//! is what lets them write inconsistent projects on purpose.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use super::wheel::DistFile;

/// Which pyproject layout to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `[tool.poetry]` name/version and `[tool.poetry.dependencies]` (Poetry 1.x layout).
    Poetry,
    /// PEP 621 `[project]` with `[tool.poetry]` enrichment (Poetry 2.x layout).
    Pep621,
}

/// One requirement of the root project.
#[derive(Clone, Debug)]
pub struct Dep {
    pub name: String,
    /// PEP 440 specifiers (`>=1.0,<2`) or `*`: valid in both styles.
    pub constraint: String,
    pub markers: Option<String>,
    pub extras: Vec<String>,
    pub source: Option<String>,
    /// Only installed through a root extra (set by [`Pyproject::extra`]).
    pub optional: bool,
}

impl Dep {
    pub fn new(name: &str, constraint: &str) -> Self {
        Dep {
            name: name.to_string(),
            constraint: constraint.to_string(),
            markers: None,
            extras: Vec::new(),
            source: None,
            optional: false,
        }
    }

    pub fn markers(mut self, markers: &str) -> Self {
        self.markers = Some(markers.to_string());
        self
    }

    pub fn extras(mut self, extras: &[&str]) -> Self {
        self.extras = extras.iter().map(|e| e.to_string()).collect();
        self
    }

    pub fn source(mut self, source: &str) -> Self {
        self.source = Some(source.to_string());
        self
    }

    /// The Poetry-table spelling: `"c"` or `{ version = "c", markers = "...", ... }`.
    fn poetry_value(&self) -> String {
        if self.markers.is_none()
            && self.extras.is_empty()
            && self.source.is_none()
            && !self.optional
        {
            return toml_str(&self.constraint);
        }
        let mut parts = vec![format!("version = {}", toml_str(&self.constraint))];
        if let Some(markers) = &self.markers {
            parts.push(format!("markers = {}", toml_str(markers)));
        }
        if !self.extras.is_empty() {
            parts.push(format!("extras = {}", toml_list(&self.extras)));
        }
        if self.optional {
            parts.push("optional = true".to_string());
        }
        if let Some(source) = &self.source {
            parts.push(format!("source = {}", toml_str(source)));
        }
        format!("{{ {} }}", parts.join(", "))
    }

    /// The PEP 508 spelling Poetry 2 writes: `name[x] (>=1.0) ; markers`.
    fn pep508(&self) -> String {
        let mut text = self.name.clone();
        if !self.extras.is_empty() {
            let _ = write!(text, "[{}]", self.extras.join(","));
        }
        if self.constraint != "*" {
            let _ = write!(text, " ({})", self.constraint);
        }
        if let Some(markers) = &self.markers {
            let _ = write!(text, " ; {markers}");
        }
        text
    }
}

/// A `[[tool.poetry.source]]` entry.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub url: String,
    /// `primary`, `supplemental` or `explicit`.
    pub priority: String,
}

/// The content of `pyproject.toml`.
#[derive(Clone, Debug)]
pub struct Pyproject {
    pub style: Style,
    pub name: String,
    pub version: String,
    /// The project's Python constraint: `python` (Poetry style) or `requires-python` (PEP 621).
    pub python: String,
    /// Import name of the root package written under `src/`; `None` writes
    /// `package-mode = false` unless [`Pyproject::package_mode`] says otherwise.
    pub root_package: Option<String>,
    pub package_mode: Option<bool>,
    /// (group, requirement); group `main` is the project's own dependencies.
    pub deps: Vec<(String, Dep)>,
    pub optional_groups: Vec<String>,
    /// Write the `dev` group as the old `[tool.poetry.dev-dependencies]` table.
    pub legacy_dev_dependencies: bool,
    pub extras: Vec<(String, Vec<String>)>,
    pub sources: Vec<Source>,
    /// Root console scripts: (name, `module:function`).
    pub scripts: Vec<(String, String)>,
    /// Appended verbatim after `[build-system]`: start it with a table header.
    pub raw: String,
    /// Replaces the poetry-core `[build-system]` table (the whole table, header included).
    pub build_system: Option<String>,
}

impl Pyproject {
    pub fn new(style: Style) -> Self {
        Pyproject {
            style,
            name: "demo-app".to_string(),
            version: "0.1.0".to_string(),
            python: ">=3.9".to_string(),
            root_package: None,
            package_mode: None,
            deps: Vec::new(),
            optional_groups: Vec::new(),
            legacy_dev_dependencies: false,
            extras: Vec::new(),
            sources: Vec::new(),
            scripts: Vec::new(),
            raw: String::new(),
            build_system: None,
        }
    }

    /// A `[build-system]` table of the test's own instead of poetry-core's.
    pub fn build_system(mut self, table: &str) -> Self {
        self.build_system = Some(table.to_string());
        self
    }

    pub fn python(mut self, constraint: &str) -> Self {
        self.python = constraint.to_string();
        self
    }

    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// A main dependency.
    pub fn dep(self, dep: Dep) -> Self {
        self.group_dep("main", dep)
    }

    pub fn group_dep(mut self, group: &str, dep: Dep) -> Self {
        self.deps.push((group.to_string(), dep));
        self
    }

    pub fn optional_group(mut self, group: &str) -> Self {
        self.optional_groups.push(group.to_string());
        self
    }

    /// A root extra; the named main dependencies become optional.
    pub fn extra(mut self, extra: &str, packages: &[&str]) -> Self {
        for (group, dep) in &mut self.deps {
            if group == "main" && packages.iter().any(|p| same_name(p, &dep.name)) {
                dep.optional = true;
            }
        }
        self.extras.push((
            extra.to_string(),
            packages.iter().map(|p| p.to_string()).collect(),
        ));
        self
    }

    pub fn source(mut self, name: &str, url: &str, priority: &str) -> Self {
        self.sources.push(Source {
            name: name.to_string(),
            url: url.to_string(),
            priority: priority.to_string(),
        });
        self
    }

    /// The project is a package: `src/<import_name>/__init__.py`, installed editable.
    pub fn root_package(mut self, import_name: &str) -> Self {
        self.root_package = Some(import_name.to_string());
        self
    }

    pub fn package_mode(mut self, enabled: bool) -> Self {
        self.package_mode = Some(enabled);
        self
    }

    pub fn script(mut self, name: &str, target: &str) -> Self {
        self.scripts.push((name.to_string(), target.to_string()));
        self
    }

    pub fn legacy_dev_dependencies(mut self) -> Self {
        self.legacy_dev_dependencies = true;
        self
    }

    pub fn raw(mut self, text: &str) -> Self {
        self.raw.push_str(text);
        self
    }

    fn main_deps(&self) -> impl Iterator<Item = &Dep> {
        self.deps
            .iter()
            .filter(|(g, _)| g == "main")
            .map(|(_, d)| d)
    }

    /// The non-main groups in first-mention order (optional ones included).
    fn groups(&self) -> Vec<String> {
        let mut groups: Vec<String> = Vec::new();
        for name in self
            .deps
            .iter()
            .map(|(g, _)| g)
            .chain(self.optional_groups.iter())
        {
            if name != "main" && !groups.contains(name) {
                groups.push(name.clone());
            }
        }
        groups
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let package_mode = self.package_mode.unwrap_or(self.root_package.is_some());
        if self.style == Style::Pep621 {
            let _ = writeln!(out, "[project]");
            let _ = writeln!(out, "name = {}", toml_str(&self.name));
            let _ = writeln!(out, "version = {}", toml_str(&self.version));
            let _ = writeln!(out, "description = \"verse test project\"");
            let _ = writeln!(out, "requires-python = {}", toml_str(&self.python));
            let main: Vec<String> = self
                .main_deps()
                .filter(|d| !d.optional)
                .map(Dep::pep508)
                .collect();
            let _ = writeln!(out, "dependencies = {}\n", toml_list(&main));
            if !self.extras.is_empty() {
                let _ = writeln!(out, "[project.optional-dependencies]");
                for (extra, packages) in &self.extras {
                    let reqs: Vec<String> = packages
                        .iter()
                        .map(|p| {
                            self.main_deps()
                                .find(|d| same_name(&d.name, p))
                                .map(Dep::pep508)
                                .unwrap_or_else(|| p.clone())
                        })
                        .collect();
                    let _ = writeln!(out, "{} = {}", toml_key(extra), toml_list(&reqs));
                }
                out.push('\n');
            }
            if !self.scripts.is_empty() {
                let _ = writeln!(out, "[project.scripts]");
                for (name, target) in &self.scripts {
                    let _ = writeln!(out, "{} = {}", toml_key(name), toml_str(target));
                }
                out.push('\n');
            }
        }

        let _ = writeln!(out, "[tool.poetry]");
        if self.style == Style::Poetry {
            let _ = writeln!(out, "name = {}", toml_str(&self.name));
            let _ = writeln!(out, "version = {}", toml_str(&self.version));
            let _ = writeln!(out, "description = \"verse test project\"");
            let _ = writeln!(out, "authors = [\"Test <test@example.invalid>\"]");
        }
        if !package_mode {
            let _ = writeln!(out, "package-mode = false");
        }
        if let Some(package) = &self.root_package {
            let _ = writeln!(
                out,
                "packages = [{{ include = {}, from = \"src\" }}]",
                toml_str(package)
            );
        }
        out.push('\n');

        match self.style {
            Style::Poetry => {
                let _ = writeln!(out, "[tool.poetry.dependencies]");
                let _ = writeln!(out, "python = {}", toml_str(&self.python));
                for dep in self.main_deps() {
                    let _ = writeln!(out, "{} = {}", toml_key(&dep.name), dep.poetry_value());
                }
                out.push('\n');
                if !self.extras.is_empty() {
                    let _ = writeln!(out, "[tool.poetry.extras]");
                    for (extra, packages) in &self.extras {
                        let _ = writeln!(out, "{} = {}", toml_key(extra), toml_list(packages));
                    }
                    out.push('\n');
                }
                if !self.scripts.is_empty() {
                    let _ = writeln!(out, "[tool.poetry.scripts]");
                    for (name, target) in &self.scripts {
                        let _ = writeln!(out, "{} = {}", toml_key(name), toml_str(target));
                    }
                    out.push('\n');
                }
            }
            Style::Pep621 => {
                // Enrichment: a source pin lives in [tool.poetry.dependencies].
                let enriched: Vec<&Dep> = self.main_deps().filter(|d| d.source.is_some()).collect();
                if !enriched.is_empty() {
                    let _ = writeln!(out, "[tool.poetry.dependencies]");
                    for dep in enriched {
                        let source = dep.source.as_deref().unwrap_or_default();
                        let _ = writeln!(
                            out,
                            "{} = {{ source = {} }}",
                            toml_key(&dep.name),
                            toml_str(source)
                        );
                    }
                    out.push('\n');
                }
            }
        }

        for group in self.groups() {
            let deps: Vec<&Dep> = self
                .deps
                .iter()
                .filter(|(g, _)| *g == group)
                .map(|(_, d)| d)
                .collect();
            if group == "dev" && self.legacy_dev_dependencies {
                let _ = writeln!(out, "[tool.poetry.dev-dependencies]");
            } else {
                if self.optional_groups.contains(&group) {
                    let _ = writeln!(
                        out,
                        "[tool.poetry.group.{}]\noptional = true\n",
                        toml_key(&group)
                    );
                }
                let _ = writeln!(out, "[tool.poetry.group.{}.dependencies]", toml_key(&group));
            }
            for dep in deps {
                let _ = writeln!(out, "{} = {}", toml_key(&dep.name), dep.poetry_value());
            }
            out.push('\n');
        }

        for source in &self.sources {
            let _ = writeln!(out, "[[tool.poetry.source]]");
            let _ = writeln!(out, "name = {}", toml_str(&source.name));
            let _ = writeln!(out, "url = {}", toml_str(&source.url));
            let _ = writeln!(out, "priority = {}\n", toml_str(&source.priority));
        }

        match &self.build_system {
            Some(table) => out.push_str(table),
            None => out.push_str("[build-system]\nrequires = [\"poetry-core>=2.0\"]\nbuild-backend = \"poetry.core.masonry.api\"\n"),
        }
        if !self.raw.is_empty() {
            out.push('\n');
            out.push_str(&self.raw);
        }
        out
    }
}

/// `metadata.lock-version`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockFormat {
    /// Poetry 1.1/1.2: `category`, files in `[metadata.files]` merged per name.
    V1_1,
    /// Poetry 1.3-1.8: per-package `files`; `category` only if a package sets one.
    V2_0,
    /// Poetry 2.x: per-package `groups` and `markers`.
    V2_1,
}

impl LockFormat {
    fn as_str(self) -> &'static str {
        match self {
            LockFormat::V1_1 => "1.1",
            LockFormat::V2_0 => "2.0",
            LockFormat::V2_1 => "2.1",
        }
    }
}

/// The 2.1 `markers` key of one package.
#[derive(Clone, Debug, Default)]
pub enum Markers {
    #[default]
    Always,
    All(String),
    PerGroup(Vec<(String, String)>),
}

/// One `[[package]]` entry.
#[derive(Clone, Debug)]
pub struct Locked {
    pub name: String,
    pub version: String,
    pub optional: bool,
    pub python_versions: String,
    pub groups: Vec<String>,
    pub markers: Markers,
    pub category: Option<String>,
    /// (filename, `algo:hex`)
    pub files: Vec<(String, String)>,
    /// (name, TOML value as written)
    pub dependencies: Vec<(String, String)>,
    pub extras: Vec<(String, Vec<String>)>,
    /// `[package.source]`: (type, url, reference)
    pub source: Option<(String, String, String)>,
    /// More `[package.source]` keys, as written (`resolved_reference`, `subdirectory`).
    pub source_extra: Vec<(String, String)>,
    /// `develop = true` (path and git packages).
    pub develop: bool,
}

impl Locked {
    pub fn new(name: &str, version: &str) -> Self {
        Locked {
            name: name.to_string(),
            version: version.to_string(),
            optional: false,
            python_versions: ">=3.7".to_string(),
            groups: vec!["main".to_string()],
            markers: Markers::Always,
            category: None,
            files: Vec::new(),
            dependencies: Vec::new(),
            extras: Vec::new(),
            source: None,
            source_extra: Vec::new(),
            develop: false,
        }
    }

    /// A package of group `main` whose only file is `file`; name (normalized, as Poetry 2
    /// writes it) and version are taken from the file.
    pub fn of(file: &DistFile) -> Self {
        Locked::new(&verse::packaging::normalize(&file.name), &file.version).file(file)
    }

    pub fn file(mut self, file: &DistFile) -> Self {
        self.files.push((file.filename.clone(), file.lock_hash()));
        self.files.sort();
        self
    }

    /// A file entry with any hash text (e.g. a wrong one).
    pub fn file_entry(mut self, filename: &str, hash: &str) -> Self {
        self.files.push((filename.to_string(), hash.to_string()));
        self.files.sort();
        self
    }

    /// `files = []`: what old Poetry wrote when it saw no hashes.
    pub fn unhashed(mut self) -> Self {
        self.files.clear();
        self
    }

    pub fn groups(mut self, groups: &[&str]) -> Self {
        self.groups = groups.iter().map(|g| g.to_string()).collect();
        self
    }

    pub fn markers(mut self, markers: &str) -> Self {
        self.markers = Markers::All(markers.to_string());
        self
    }

    pub fn group_markers(mut self, markers: &[(&str, &str)]) -> Self {
        self.markers = Markers::PerGroup(
            markers
                .iter()
                .map(|(g, m)| (g.to_string(), m.to_string()))
                .collect(),
        );
        self
    }

    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub fn python_versions(mut self, constraint: &str) -> Self {
        self.python_versions = constraint.to_string();
        self
    }

    pub fn category(mut self, category: &str) -> Self {
        self.category = Some(category.to_string());
        self
    }

    /// `name = "constraint"` in `[package.dependencies]`.
    pub fn depends(self, name: &str, constraint: &str) -> Self {
        let value = toml_str(constraint);
        self.depends_raw(name, &value)
    }

    /// A dependency with its TOML value verbatim, e.g.
    /// `{version = ">=1", markers = "sys_platform == \"win32\""}`.
    pub fn depends_raw(mut self, name: &str, value: &str) -> Self {
        self.dependencies
            .push((name.to_string(), value.to_string()));
        self
    }

    pub fn extra(mut self, extra: &str, requirements: &[&str]) -> Self {
        self.extras.push((
            extra.to_string(),
            requirements.iter().map(|r| r.to_string()).collect(),
        ));
        self
    }

    /// `[package.source]` of a package from a named `[[tool.poetry.source]]`.
    pub fn legacy_source(mut self, reference: &str, url: &str) -> Self {
        self.source = Some((
            "legacy".to_string(),
            url.trim_end_matches('/').to_string(),
            reference.to_string(),
        ));
        self
    }

    /// A `directory` package at `path` (relative to the project), editable if `develop`.
    pub fn directory(mut self, path: &str, develop: bool) -> Self {
        self.source = Some(("directory".to_string(), path.to_string(), String::new()));
        self.develop = develop;
        self
    }

    /// A `git` package: `reference` as the user wrote it, `commit` as Poetry resolved it.
    pub fn git(
        mut self,
        url: &str,
        reference: &str,
        commit: &str,
        subdirectory: Option<&str>,
        develop: bool,
    ) -> Self {
        self.source = Some(("git".to_string(), url.to_string(), reference.to_string()));
        self.source_extra
            .push(("resolved_reference".to_string(), toml_str(commit)));
        if let Some(sub) = subdirectory {
            self.source_extra
                .push(("subdirectory".to_string(), toml_str(sub)));
        }
        self.develop = develop;
        self
    }

    /// A `file` package (`path` relative to the project) or a `url` package, with its file.
    pub fn direct_file(mut self, kind: &str, location: &str, file: &DistFile) -> Self {
        self.source = Some((kind.to_string(), location.to_string(), String::new()));
        self.file(file)
    }

    fn effective_category(&self) -> String {
        self.category.clone().unwrap_or_else(|| {
            if self.groups.iter().any(|g| g == "main") {
                "main".to_string()
            } else {
                "dev".to_string()
            }
        })
    }

    fn render(&self, format: LockFormat, out: &mut String) {
        let _ = writeln!(out, "[[package]]");
        let _ = writeln!(out, "name = {}", toml_str(&self.name));
        let _ = writeln!(out, "version = {}", toml_str(&self.version));
        let _ = writeln!(out, "description = \"\"");
        if format == LockFormat::V1_1 || self.category.is_some() {
            let _ = writeln!(out, "category = {}", toml_str(&self.effective_category()));
        }
        let _ = writeln!(out, "optional = {}", self.optional);
        let _ = writeln!(out, "python-versions = {}", toml_str(&self.python_versions));
        if self.develop {
            let _ = writeln!(out, "develop = true");
        }
        if format == LockFormat::V2_1 {
            let _ = writeln!(out, "groups = {}", toml_list(&self.groups));
            if let Markers::All(markers) = &self.markers {
                let _ = writeln!(out, "markers = {}", toml_str(markers));
            }
        }
        if format != LockFormat::V1_1 {
            render_files(&self.files, out);
        }
        if format == LockFormat::V2_1 {
            if let Markers::PerGroup(markers) = &self.markers {
                let parts: Vec<String> = markers
                    .iter()
                    .map(|(g, m)| format!("{g} = {}", toml_str(m)))
                    .collect();
                let _ = writeln!(out, "markers = {{{}}}", parts.join(", "));
            }
        }
        out.push('\n');
        if !self.dependencies.is_empty() {
            let _ = writeln!(out, "[package.dependencies]");
            for (name, value) in &self.dependencies {
                let _ = writeln!(out, "{} = {value}", toml_key(name));
            }
            out.push('\n');
        }
        if !self.extras.is_empty() {
            let _ = writeln!(out, "[package.extras]");
            for (extra, requirements) in &self.extras {
                let _ = writeln!(out, "{} = {}", toml_key(extra), toml_list(requirements));
            }
            out.push('\n');
        }
        if let Some((kind, url, reference)) = &self.source {
            let _ = writeln!(out, "[package.source]");
            let _ = writeln!(out, "type = {}", toml_str(kind));
            let _ = writeln!(out, "url = {}", toml_str(url));
            let _ = writeln!(out, "reference = {}", toml_str(reference));
            for (key, value) in &self.source_extra {
                let _ = writeln!(out, "{key} = {value}");
            }
            out.push('\n');
        }
    }
}

/// The content of `poetry.lock`.
#[derive(Clone, Debug)]
pub struct Lockfile {
    pub format: LockFormat,
    pub packages: Vec<Locked>,
    /// `metadata.python-versions`; `None`: the pyproject's Python constraint.
    pub python_versions: Option<String>,
    /// `None`: computed from the pyproject written beside it.
    pub content_hash: Option<String>,
    /// Top-level `[extras]`; `None`: the pyproject's extras.
    pub extras: Option<Vec<(String, Vec<String>)>>,
}

impl Lockfile {
    pub fn new(format: LockFormat) -> Self {
        Lockfile {
            format,
            packages: Vec::new(),
            python_versions: None,
            content_hash: None,
            extras: None,
        }
    }

    pub fn package(mut self, package: Locked) -> Self {
        self.packages.push(package);
        self
    }

    pub fn python_versions(mut self, constraint: &str) -> Self {
        self.python_versions = Some(constraint.to_string());
        self
    }

    pub fn content_hash(mut self, hash: &str) -> Self {
        self.content_hash = Some(hash.to_string());
        self
    }

    /// The lock text for this pyproject.
    pub fn render(&self, pyproject: &Pyproject, pyproject_text: &str) -> String {
        let mut out = String::new();
        let poetry = match self.format {
            LockFormat::V1_1 => None,
            LockFormat::V2_0 => Some("1.8.5"),
            LockFormat::V2_1 => Some("2.5.1"),
        };
        if let Some(poetry) = poetry {
            let _ = writeln!(
                out,
                "# This file is automatically @generated by Poetry {poetry} and should not be changed by hand.\n"
            );
        }
        let mut packages = self.packages.clone();
        packages.sort_by(|a, b| {
            (verse::packaging::normalize(&a.name), &a.version)
                .cmp(&(verse::packaging::normalize(&b.name), &b.version))
        });
        for package in &packages {
            package.render(self.format, &mut out);
        }
        let extras = self.extras.as_ref().unwrap_or(&pyproject.extras);
        if !extras.is_empty() {
            let _ = writeln!(out, "[extras]");
            for (extra, names) in extras {
                let _ = writeln!(out, "{} = {}", toml_key(extra), toml_list(names));
            }
            out.push('\n');
        }
        let content_hash = self
            .content_hash
            .clone()
            .unwrap_or_else(|| content_hash_of(pyproject_text));
        let _ = writeln!(out, "[metadata]");
        let _ = writeln!(out, "lock-version = {}", toml_str(self.format.as_str()));
        let python = self.python_versions.as_ref().unwrap_or(&pyproject.python);
        let _ = writeln!(out, "python-versions = {}", toml_str(python));
        let _ = writeln!(out, "content-hash = {}", toml_str(&content_hash));
        if self.format == LockFormat::V1_1 {
            let _ = writeln!(out, "\n[metadata.files]");
            let mut names: Vec<&str> = Vec::new();
            for package in &packages {
                if !names.contains(&package.name.as_str()) {
                    names.push(&package.name);
                }
            }
            for name in names {
                let mut files: Vec<(String, String)> = packages
                    .iter()
                    .filter(|p| p.name == name)
                    .flat_map(|p| p.files.iter().cloned())
                    .collect();
                files.sort();
                let _ = write!(out, "{} = ", toml_key(name));
                render_file_list(&files, &mut out);
            }
        }
        out
    }
}

/// A project directory: its pyproject, its lock, and the files written for them.
#[derive(Clone, Debug)]
pub struct Project {
    pub dir: PathBuf,
    pub pyproject: Pyproject,
    pub lock: Lockfile,
}

impl Project {
    /// A Poetry-style project with a 2.1 lock, no dependencies, `package-mode = false`.
    pub fn new(dir: &Path) -> Self {
        Project {
            dir: dir.to_path_buf(),
            pyproject: Pyproject::new(Style::Poetry),
            lock: Lockfile::new(LockFormat::V2_1),
        }
    }

    pub fn pyproject(mut self, pyproject: Pyproject) -> Self {
        self.pyproject = pyproject;
        self
    }

    pub fn lock(mut self, lock: Lockfile) -> Self {
        self.lock = lock;
        self
    }

    pub fn pyproject_path(&self) -> PathBuf {
        self.dir.join("pyproject.toml")
    }

    pub fn lock_path(&self) -> PathBuf {
        self.dir.join("poetry.lock")
    }

    /// Writes pyproject.toml, poetry.lock and the root package (if any, and not yet there).
    pub fn write(&self) -> &Self {
        let pyproject_text = self.write_pyproject();
        let lock_text = self.lock.render(&self.pyproject, &pyproject_text);
        write(&self.lock_path(), &lock_text);
        if let Some(package) = &self.pyproject.root_package {
            let init = self.dir.join("src").join(package).join("__init__.py");
            if !init.exists() {
                write(&init, "GREETING = \"hello from the root project\"\n");
            }
        }
        self
    }

    /// Writes only pyproject.toml (e.g. to make an existing lock stale); returns its text.
    pub fn write_pyproject(&self) -> String {
        let text = self.pyproject.render();
        write(&self.pyproject_path(), &text);
        text
    }
}

/// The content hash of a pyproject text, by verse's own implementation.
pub fn content_hash_of(pyproject_text: &str) -> String {
    let table: toml::Table = toml::from_str(pyproject_text).unwrap_or_else(|e| {
        panic!("the kit wrote an invalid pyproject.toml: {e}\n{pyproject_text}")
    });
    verse::lock::content_hash::content_hash(&table)
}

fn render_files(files: &[(String, String)], out: &mut String) {
    out.push_str("files = ");
    render_file_list(files, out);
}

fn render_file_list(files: &[(String, String)], out: &mut String) {
    if files.is_empty() {
        out.push_str("[]\n");
        return;
    }
    out.push_str("[\n");
    for (file, hash) in files {
        let _ = writeln!(
            out,
            "    {{file = {}, hash = {}}},",
            toml_str(file),
            toml_str(hash)
        );
    }
    out.push_str("]\n");
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("creating {}: {e}", parent.display()));
    }
    fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

fn same_name(a: &str, b: &str) -> bool {
    verse::packaging::normalize(a) == verse::packaging::normalize(b)
}

/// A TOML key: bare when it can be (`A-Za-z0-9_-`), else quoted (`"yaml.thing"` is one key,
/// `yaml.thing` would be two).
pub fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        toml_str(key)
    }
}

/// A TOML basic string.
pub fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn toml_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| toml_str(i)).collect();
    format!("[{}]", items.join(", "))
}
