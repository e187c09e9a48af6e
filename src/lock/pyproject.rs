//! `pyproject.toml`, in both styles Poetry reads (poetry-lock.md §5.1, §5.2): the Poetry
//! 1.x `[tool.poetry]` tables, and PEP 621 `[project]` with `[tool.poetry]` enrichment and
//! PEP 735 `[dependency-groups]`.
//!
//! The reader follows poetry-core 2.5's `Factory.configure_package` for what matters to an
//! installer: the dependency groups and their requirements (as Poetry hands them to the
//! locker, `DependencyGroup.dependencies_for_locking`), root extras, sources, the Python
//! constraint, `package-mode`, and what the editable install of the root needs (package
//! directories for the `.pth` file, scripts, entry points). It also computes the content
//! hashes ([`super::content_hash`]). It does not validate the project the way `poetry
//! check` does, nor touch the lock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep508_rs::{MarkerTree, Requirement, VersionOrUrl};
use toml::de::DeValue;

use super::content_hash::{content_hash, legacy_content_hash};
use super::toml_doc::{entries_in_order, Doc, Table, Value};
use super::{
    DependencyGroup, LockError, Project, RootDependency, RootPackage, SourceDecl, SourcePriority,
};
use crate::packaging::poetry_constraint::python_marker;
use crate::packaging::{
    is_valid_name, normalize, ExtraName, GroupName, PackageName, Version, NAME_RULE,
};

/// Reads `<project_dir>/pyproject.toml`.
pub fn read(project_dir: &Path) -> Result<Project, LockError> {
    let path = project_dir.join("pyproject.toml");
    let text = Doc::read(&path)?;
    parse(project_dir, &path, &text)
}

/// Parses the text of a pyproject; `project_dir` locates the root package's directories,
/// `path` is used in errors.
pub fn parse(project_dir: &Path, path: &Path, text: &str) -> Result<Project, LockError> {
    let doc = Doc::new(path, text);
    let root = doc.parse()?;
    // The hash needs plain values; a second parse is cheaper than converting. Python's
    // `tomllib.loads` first turns CRLF into LF, which shows in multi-line strings.
    let plain: toml::Table =
        toml::from_str(&text.replace("\r\n", "\n")).map_err(|e| doc.invalid_file(e.message()))?;

    let empty = Table::default();
    let project = doc
        .opt_table(&root, "project", "`[project]`")?
        .unwrap_or(&empty);
    let tool_poetry = match doc.opt_table(&root, "tool", "`[tool]`")? {
        Some(tool) => doc
            .opt_table(tool, "poetry", "`[tool.poetry]`")?
            .unwrap_or(&empty),
        None => &empty,
    };
    let dependency_groups = doc
        .opt_table(&root, "dependency-groups", "`[dependency-groups]`")?
        .unwrap_or(&empty);

    let reader = Reader {
        doc: &doc,
        project_dir,
    };

    let name_value = project.get("name").or_else(|| tool_poetry.get("name"));
    let name = match name_value {
        Some(value) => {
            let text = doc.str(value, "the project `name`")?;
            if !is_valid_name(text) {
                return Err(doc.invalid(
                    value.span(),
                    format!("`{text}` is not a valid project name: {NAME_RULE}"),
                ));
            }
            Some(PackageName::from_str(text).map_err(|e| {
                doc.invalid(
                    value.span(),
                    format!("`{text}` is not a valid project name: {e}"),
                )
            })?)
        }
        None => None,
    };
    let package_mode = doc
        .opt_bool(tool_poetry, "package-mode", "`[tool.poetry]`")?
        .unwrap_or(true);
    let version = match project
        .get("version")
        .or_else(|| tool_poetry.get("version"))
    {
        Some(value) => {
            let text = doc.str(value, "the project `version`")?;
            // The root is installed under this version (its dist-info name): refuse a bad one
            // now, before anything is downloaded, as Poetry refuses it on reading.
            if package_mode {
                if let Err(e) = text.parse::<Version>() {
                    return Err(doc.invalid(
                        value.span(),
                        format!("the project version `{text}` is not a PEP 440 version: {e}"),
                    ));
                }
            }
            Some(text.to_string())
        }
        None => None,
    };

    let deps = reader.dependencies(project, tool_poetry, dependency_groups)?;

    // `tool.poetry.dependencies.python` is the range Poetry locks for; it wins over
    // `requires-python` (poetry-core `ProjectPackage.python_versions`).
    let python_constraint = match deps.python {
        Some(python) => Some(python),
        None => doc
            .opt_str(project, "requires-python", "`[project]`")?
            .map(str::to_string),
    };

    let root_package = reader.root_package(
        project,
        tool_poetry,
        name.as_ref(),
        package_mode,
        &deps.groups[0],
        &deps.extras,
    )?;

    Ok(Project {
        root: project_dir.to_path_buf(),
        name,
        version,
        package_mode,
        python_constraint,
        groups: deps.groups,
        extras: deps.extras,
        sources: reader.sources(tool_poetry)?,
        root_package,
        content_hash: content_hash(&plain),
        legacy_content_hash: legacy_content_hash(&plain),
    })
}

struct Reader<'d, 'a> {
    doc: &'d Doc<'a>,
    project_dir: &'d Path,
}

/// A group while it is being assembled: the PEP 621/735 requirements and the
/// `[tool.poetry]` ones are kept apart because the latter only enrich the former.
struct GroupBuild {
    name: GroupName,
    optional: bool,
    /// `project.dynamic` names the dependencies: Poetry then adds `[tool.poetry]`
    /// requirements too (`DependencyGroup.dependencies`).
    mixed_dynamic: bool,
    /// With the root extra that lists it, for `project.optional-dependencies` entries.
    standard: Vec<(RootDependency, Option<ExtraName>)>,
    poetry: Vec<RootDependency>,
    includes: Vec<(String, std::ops::Range<usize>)>,
}

impl GroupBuild {
    fn new(name: GroupName, optional: bool) -> Self {
        GroupBuild {
            name,
            optional,
            mixed_dynamic: false,
            standard: Vec::new(),
            poetry: Vec::new(),
            includes: Vec::new(),
        }
    }
}

struct Dependencies {
    python: Option<String>,
    groups: Vec<DependencyGroup>,
    extras: BTreeMap<ExtraName, Vec<PackageName>>,
}

impl<'a> Reader<'_, 'a> {
    /// poetry-core `Factory._configure_package_dependencies` and
    /// `_configure_package_dependency_groups`.
    fn dependencies(
        &self,
        project: &Table<'a>,
        tool_poetry: &Table<'a>,
        dependency_groups: &Table<'a>,
    ) -> Result<Dependencies, LockError> {
        let doc = self.doc;
        let mut groups: Vec<GroupBuild> = vec![GroupBuild::new(GroupName::main(), false)];
        let mut extras = BTreeMap::new();
        let mut python = None;

        let project_deps = project.get("dependencies");
        let optional_deps = doc
            .opt_table(project, "optional-dependencies", "`[project]`")?
            .filter(|t| !t.is_empty());
        let uses_project = project_deps.is_some() || optional_deps.is_some();
        if uses_project {
            let dynamic = match project.get("dynamic") {
                Some(value) => doc.strings(value, "`project.dynamic`")?,
                None => Vec::new(),
            };
            groups[0].mixed_dynamic = dynamic
                .iter()
                .any(|d| matches!(*d, "dependencies" | "optional-dependencies"));
            if let Some(value) = project_deps {
                for item in doc.array(value, "`project.dependencies`")? {
                    let requirement = self.pep508(item, "`project.dependencies`")?;
                    groups[0].standard.push((requirement, None));
                }
            }
            for (extra, _, value) in entries_in_order(optional_deps.unwrap_or(&Table::default())) {
                let extra_name = self.extra(value, extra)?;
                let what = format!("`project.optional-dependencies.{extra}`");
                let mut names = Vec::new();
                for item in doc.array(value, &what)? {
                    let mut requirement = self.pep508(item, &what)?;
                    requirement.optional = true;
                    names.push(requirement.name.clone());
                    groups[0]
                        .standard
                        .push((requirement, Some(extra_name.clone())));
                }
                extras.insert(extra_name, names);
            }
        }

        if let Some(value) = tool_poetry.get("dependencies") {
            let table = doc.table(value, "`tool.poetry.dependencies`")?;
            python = self.poetry_dependencies(
                table,
                "`tool.poetry.dependencies`",
                true,
                &mut groups[0].poetry,
            )?;
        }

        // PEP 735 groups first, their `optional` flag from [tool.poetry.group.<name>].
        let poetry_groups = doc
            .opt_table(tool_poetry, "group", "`[tool.poetry]`")?
            .cloned()
            .unwrap_or_default();
        let poetry_group_optional = |name: &GroupName| -> Result<bool, LockError> {
            for (key, value) in &poetry_groups {
                if GroupName::new(key.get_ref()) == *name {
                    let table =
                        doc.table(value, &format!("`tool.poetry.group.{}`", key.get_ref()))?;
                    return Ok(doc
                        .opt_bool(table, "optional", "a Poetry group")?
                        .unwrap_or(false));
                }
            }
            Ok(false)
        };
        for (key, _, value) in entries_in_order(dependency_groups) {
            let name = GroupName::new(key);
            let what = format!("`dependency-groups.{key}`");
            let mut group = GroupBuild::new(name.clone(), poetry_group_optional(&name)?);
            for item in doc.array(value, &what)? {
                match item.get_ref() {
                    DeValue::String(_) => group.standard.push((self.pep508(item, &what)?, None)),
                    DeValue::Table(table) => {
                        if let Some(include) = doc.opt_str(table, "include-group", &what)? {
                            group.includes.push((include.to_string(), item.span()));
                        }
                    }
                    _ => {
                        let message = format!(
                            "{what}: entries must be requirement strings or \
                             {{include-group = \"...\"}}"
                        );
                        return Err(doc.invalid(item.span(), message));
                    }
                }
            }
            groups.push(group);
        }

        for (key, _, value) in entries_in_order(&poetry_groups) {
            let what = format!("`tool.poetry.group.{key}`");
            let table = doc.table(value, &what)?;
            let name = GroupName::new(key);
            let index = match groups.iter().position(|g| g.name == name) {
                Some(index) => index,
                None => {
                    let optional = doc.opt_bool(table, "optional", &what)?.unwrap_or(false);
                    groups.push(GroupBuild::new(name, optional));
                    groups.len() - 1
                }
            };
            if let Some(includes) = table.get("include-groups") {
                for item in doc.array(includes, &format!("{what}: `include-groups`"))? {
                    let include = doc.str(item, &format!("{what}: `include-groups`"))?;
                    groups[index]
                        .includes
                        .push((include.to_string(), item.span()));
                }
            }
            if let Some(deps) = doc.opt_table(table, "dependencies", &what)? {
                let what = format!("`tool.poetry.group.{key}.dependencies`");
                let mut poetry = Vec::new();
                self.poetry_dependencies(deps, &what, false, &mut poetry)?;
                groups[index].poetry.extend(poetry);
            }
        }

        // Poetry ≤ 1.1's dev-dependencies are the `dev` group since 1.2.
        if let Some(value) = tool_poetry.get("dev-dependencies") {
            let table = doc.table(value, "`tool.poetry.dev-dependencies`")?;
            let dev = GroupName::new("dev");
            let index = match groups.iter().position(|g| g.name == dev) {
                Some(index) => index,
                None => {
                    groups.push(GroupBuild::new(dev, false));
                    groups.len() - 1
                }
            };
            let mut poetry = Vec::new();
            self.poetry_dependencies(table, "`tool.poetry.dev-dependencies`", false, &mut poetry)?;
            groups[index].poetry.extend(poetry);
        }

        // [tool.poetry.extras] counts only when [project] declares no dependencies; it
        // names main-group requirements.
        let project_has_dependencies = project_deps
            .and_then(|v| v.get_ref().as_array())
            .is_some_and(|a| !a.is_empty());
        if !project_has_dependencies && optional_deps.is_none() {
            extras.clear();
            if let Some(table) = doc.opt_table(tool_poetry, "extras", "`[tool.poetry]`")? {
                let main_names: Vec<PackageName> = own_dependencies(&groups[0])
                    .iter()
                    .map(|d| d.name.clone())
                    .collect();
                for (extra, _, value) in entries_in_order(table) {
                    let extra_name = self.extra(value, extra)?;
                    let mut names = Vec::new();
                    for item in doc.strings(value, &format!("`tool.poetry.extras.{extra}`"))? {
                        let wanted = normalize(item);
                        if let Some(found) = main_names.iter().find(|n| n.as_ref() == wanted) {
                            if !names.contains(found) {
                                names.push(found.clone());
                            }
                        }
                    }
                    extras.insert(extra_name, names);
                }
            }
        }

        let mut resolved = Vec::new();
        for index in 0..groups.len() {
            let mut visiting = Vec::new();
            let dependencies = self.group_dependencies(&groups, index, &mut visiting)?;
            resolved.push(DependencyGroup {
                name: groups[index].name.clone(),
                optional: groups[index].optional && !groups[index].name.is_main(),
                dependencies,
            });
        }
        Ok(Dependencies {
            python,
            groups: resolved,
            extras,
        })
    }

    /// `DependencyGroup.dependencies_for_locking`, with included groups appended.
    fn group_dependencies(
        &self,
        groups: &[GroupBuild],
        index: usize,
        visiting: &mut Vec<usize>,
    ) -> Result<Vec<RootDependency>, LockError> {
        let group = &groups[index];
        visiting.push(index);
        let mut out = own_dependencies(group);
        for (include, span) in &group.includes {
            let wanted = GroupName::new(include);
            let Some(included) = groups.iter().position(|g| g.name == wanted) else {
                return Err(self.doc.invalid(
                    span.clone(),
                    format!(
                        "group `{}` includes group `{include}`, which is not defined",
                        group.name
                    ),
                ));
            };
            if visiting.contains(&included) {
                return Err(self.doc.invalid(
                    span.clone(),
                    format!("group `{}` includes itself through `{include}`", group.name),
                ));
            }
            out.extend(self.group_dependencies(groups, included, visiting)?);
        }
        visiting.pop();
        Ok(out)
    }

    /// A PEP 508 requirement string (`project.dependencies`, extras, PEP 735 groups).
    fn pep508(&self, item: &Value<'a>, what: &str) -> Result<RootDependency, LockError> {
        let text = self.doc.str(item, what)?;
        let requirement = crate::packaging::pep508::parse_requirement(text)
            .or_else(|e| relative_path_requirement(text).ok_or(e))
            .map_err(|e| {
                self.doc.invalid(
                    item.span(),
                    format!("{what}: `{text}` is not a PEP 508 requirement: {e}"),
                )
            })?;
        let (constraint, direct) = match &requirement.version_or_url {
            None => ("*".to_string(), None),
            Some(VersionOrUrl::VersionSpecifier(specifiers)) => {
                let text = specifiers.to_string();
                (
                    if text.is_empty() {
                        "*".to_string()
                    } else {
                        text
                    },
                    None,
                )
            }
            Some(VersionOrUrl::Url(url)) => ("*".to_string(), Some(direct_kind(url.as_ref()))),
        };
        Ok(RootDependency {
            name: requirement.name.clone(),
            constraint,
            markers: requirement.marker.try_to_string(),
            extras: requirement.extras.clone(),
            optional: false,
            direct,
        })
    }

    /// One `[tool.poetry.dependencies]`-style table. Returns the `python` entry, which is
    /// the project's Python constraint when `main` is set.
    fn poetry_dependencies(
        &self,
        table: &Table<'a>,
        what: &str,
        main: bool,
        out: &mut Vec<RootDependency>,
    ) -> Result<Option<String>, LockError> {
        let mut python = None;
        for (key, span, value) in entries_in_order(table) {
            if key.eq_ignore_ascii_case("python") {
                if main {
                    if let DeValue::String(s) = value.get_ref() {
                        python = Some(s.to_string());
                    }
                }
                continue;
            }
            let name = PackageName::from_str(key).map_err(|e| {
                self.doc.invalid(
                    span.clone(),
                    format!("{what}: `{key}` is not a valid package name: {e}"),
                )
            })?;
            let dep_what = format!("{what}: `{key}`");
            match value.get_ref() {
                DeValue::Array(items) => {
                    for item in items.iter() {
                        out.push(self.poetry_dependency(&name, item, &dep_what)?);
                    }
                }
                _ => out.push(self.poetry_dependency(&name, value, &dep_what)?),
            }
        }
        Ok(python)
    }

    /// poetry-core `Factory.create_dependency`.
    fn poetry_dependency(
        &self,
        name: &PackageName,
        value: &Value<'a>,
        what: &str,
    ) -> Result<RootDependency, LockError> {
        let doc = self.doc;
        let table = match value.get_ref() {
            DeValue::String(constraint) => {
                return Ok(RootDependency {
                    name: name.clone(),
                    constraint: constraint.to_string(),
                    markers: None,
                    extras: Vec::new(),
                    optional: false,
                    direct: None,
                })
            }
            DeValue::Table(table) => table,
            _ => {
                return Err(doc.invalid(
                    value.span(),
                    format!("{what} must be a constraint string or a table"),
                ))
            }
        };
        let direct = ["git", "file", "path", "url"]
            .into_iter()
            .find(|k| table.contains_key(*k))
            .map(str::to_string);
        let constraint = doc
            .opt_str(table, "version", what)?
            .unwrap_or("*")
            .to_string();

        let mut markers = Vec::new();
        if let Some(marker) = doc.opt_str(table, "markers", what)? {
            if !marker.trim().is_empty() {
                markers.push(marker.to_string());
            }
        }
        if let Some(python) = table.get("python") {
            let constraint = doc.str(python, &format!("{what}: `python`"))?;
            let marker = python_marker(constraint)
                .map_err(|e| doc.invalid(python.span(), format!("{what}: `python`: {e}")))?;
            if !marker.is_empty() {
                markers.push(marker);
            }
        }
        if let Some(platform) = table.get("platform") {
            let constraint = doc.str(platform, &format!("{what}: `platform`"))?;
            let marker = platform_marker(constraint);
            if !marker.is_empty() {
                markers.push(marker);
            }
        }

        let extras = match table.get("extras") {
            Some(value) => {
                let mut extras = Vec::new();
                for item in doc.array(value, &format!("{what}: `extras`"))? {
                    let text = doc.str(item, &format!("{what}: `extras`"))?;
                    extras.push(self.extra(item, text)?);
                }
                extras
            }
            None => Vec::new(),
        };
        Ok(RootDependency {
            name: name.clone(),
            constraint,
            markers: and_markers(&markers),
            extras,
            optional: doc.opt_bool(table, "optional", what)?.unwrap_or(false),
            direct,
        })
    }

    fn extra(&self, value: &Value<'a>, name: &str) -> Result<ExtraName, LockError> {
        ExtraName::from_str(name).map_err(|e| {
            self.doc.invalid(
                value.span(),
                format!("`{name}` is not a valid extra name: {e}"),
            )
        })
    }

    /// `[[tool.poetry.source]]`.
    fn sources(&self, tool_poetry: &Table<'a>) -> Result<Vec<SourceDecl>, LockError> {
        let doc = self.doc;
        let Some(value) = tool_poetry.get("source") else {
            return Ok(Vec::new());
        };
        let mut sources = Vec::new();
        for item in doc.array(value, "`tool.poetry.source`")? {
            let table = doc.table(item, "each `[[tool.poetry.source]]`")?;
            let Some(name) = doc.opt_str(table, "name", "a source")? else {
                return Err(doc.invalid(item.span(), "a [[tool.poetry.source]] has no `name`"));
            };
            let what = format!("source `{name}`");
            let priority = match table.get("priority") {
                Some(value) => match doc.str(value, &what)?.to_ascii_lowercase().as_str() {
                    "primary" | "default" => SourcePriority::Primary,
                    "supplemental" | "secondary" => SourcePriority::Supplemental,
                    "explicit" => SourcePriority::Explicit,
                    other => {
                        return Err(doc.invalid(
                            value.span(),
                            format!(
                                "{what}: unknown priority `{other}` \
                                 (primary, supplemental or explicit)"
                            ),
                        ))
                    }
                },
                // Before 1.5 the priority was spelled as flags.
                None if doc.opt_bool(table, "secondary", &what)?.unwrap_or(false) => {
                    SourcePriority::Supplemental
                }
                None => SourcePriority::Primary,
            };
            sources.push(SourceDecl {
                name: name.to_string(),
                url: doc.opt_str(table, "url", &what)?.map(str::to_string),
                priority,
            });
        }
        Ok(sources)
    }

    fn root_package(
        &self,
        project: &Table<'a>,
        tool_poetry: &Table<'a>,
        name: Option<&PackageName>,
        package_mode: bool,
        main: &DependencyGroup,
        extras: &BTreeMap<ExtraName, Vec<PackageName>>,
    ) -> Result<RootPackage, LockError> {
        let doc = self.doc;
        let root = fs_err::canonicalize(self.project_dir)
            .or_else(|_| std::path::absolute(self.project_dir))
            .unwrap_or_else(|_| self.project_dir.to_path_buf());

        let mut package_dirs: Vec<PathBuf> = Vec::new();
        if let Some(value) = tool_poetry.get("packages") {
            for item in doc.array(value, "`tool.poetry.packages`")? {
                let table = doc.table(item, "each `tool.poetry.packages` entry")?;
                let Some(include) = doc.opt_str(table, "include", "a `packages` entry")? else {
                    return Err(doc.invalid(
                        item.span(),
                        "a `tool.poetry.packages` entry has no `include`",
                    ));
                };
                let base = match doc.opt_str(table, "from", "a `packages` entry")? {
                    Some(from) => root.join(from),
                    None => root.clone(),
                };
                // Like Poetry 2, a declared package that is not there is not installable; a
                // glob is taken on trust.
                let is_glob = include.contains(['*', '?', '[']);
                let present = is_glob
                    || base.join(include).is_dir()
                    || base.join(include).is_file()
                    || base.join(format!("{include}.py")).is_file();
                if present && !package_dirs.contains(&base) {
                    package_dirs.push(base);
                }
            }
        } else if let (Some(name), true) = (name, package_mode) {
            // poetry-core `Module`: `<module>` or `<module>.py` at the root, else under src/.
            let module = name.as_ref().replace('-', "_");
            let found = |dir: &Path| {
                dir.join(&module).is_dir() || dir.join(format!("{module}.py")).is_file()
            };
            if found(&root) {
                package_dirs.push(root.clone());
            } else if found(&root.join("src")) {
                package_dirs.push(root.join("src"));
            }
        }

        let mut scripts = BTreeMap::new();
        let mut gui_scripts = BTreeMap::new();
        let mut entry_points = BTreeMap::new();
        let project_scripts = doc
            .opt_table(project, "scripts", "`[project]`")?
            .filter(|t| !t.is_empty());
        if let Some(table) = project_scripts {
            scripts = self.string_map(table, "`project.scripts`")?;
        } else if let Some(table) = doc.opt_table(tool_poetry, "scripts", "`[tool.poetry]`")? {
            for (script, _, value) in entries_in_order(table) {
                let what = format!("`tool.poetry.scripts.{script}`");
                match value.get_ref() {
                    DeValue::String(reference) => {
                        scripts.insert(script.to_string(), reference.to_string());
                    }
                    DeValue::Table(spec) => {
                        let kind = doc.opt_str(spec, "type", &what)?;
                        let reference = doc.opt_str(spec, "reference", &what)?;
                        // Poetry 1.x wrote `{callable = "mod:func"}` without a type; 2.x
                        // keeps only `type = "console"` entries.
                        let callable = doc.opt_str(spec, "callable", &what)?;
                        let is_console = match kind {
                            Some(kind) => kind == "console",
                            None => callable.is_some(),
                        };
                        if let (true, Some(target)) = (is_console, reference.or(callable)) {
                            scripts.insert(script.to_string(), target.to_string());
                        }
                    }
                    _ => {
                        return Err(doc
                            .invalid(value.span(), format!("{what} must be a string or a table")))
                    }
                }
            }
        }
        if let Some(table) = doc.opt_table(project, "gui-scripts", "`[project]`")? {
            gui_scripts = self.string_map(table, "`project.gui-scripts`")?;
        }
        let other = doc
            .opt_table(project, "entry-points", "`[project]`")?
            .filter(|t| !t.is_empty())
            .map(|t| (t, "project.entry-points"))
            .or(doc
                .opt_table(tool_poetry, "plugins", "`[tool.poetry]`")?
                .map(|t| (t, "tool.poetry.plugins")));
        if let Some((table, key)) = other {
            for (group, _, value) in entries_in_order(table) {
                let what = format!("`{key}.{group}`");
                let group_table = doc.table(value, &what)?;
                entry_points.insert(group.to_string(), self.string_map(group_table, &what)?);
            }
        }

        let mut requires_dist = Vec::new();
        if !project.contains_key("dependencies") && !project.contains_key("optional-dependencies") {
            requires_dist = poetry_requires_dist(main, extras);
        }
        if let Some(value) = project.get("dependencies") {
            requires_dist.extend(
                doc.strings(value, "`project.dependencies`")?
                    .into_iter()
                    .map(str::to_string),
            );
        }
        if let Some(table) = doc.opt_table(project, "optional-dependencies", "`[project]`")? {
            for (extra, _, value) in entries_in_order(table) {
                for requirement in doc.strings(value, "`project.optional-dependencies`")? {
                    requires_dist.push(with_extra_marker(requirement, extra));
                }
            }
        }

        let summary = match doc.opt_str(project, "description", "`[project]`")? {
            Some(s) => Some(s.to_string()),
            None => doc
                .opt_str(tool_poetry, "description", "`[tool.poetry]`")?
                .map(str::to_string),
        };

        Ok(RootPackage {
            package_dirs,
            scripts,
            gui_scripts,
            entry_points,
            requires_dist,
            summary,
        })
    }

    fn string_map(
        &self,
        table: &Table<'a>,
        what: &str,
    ) -> Result<BTreeMap<String, String>, LockError> {
        let mut map = BTreeMap::new();
        for (key, _, value) in entries_in_order(table) {
            map.insert(
                key.to_string(),
                self.doc
                    .str(value, &format!("{what}: `{key}`"))?
                    .to_string(),
            );
        }
        Ok(map)
    }
}

/// A group's own requirements as Poetry locks them: the standard (PEP 621/735) ones,
/// enriched by same-named `[tool.poetry]` ones, or the `[tool.poetry]` ones alone.
fn own_dependencies(group: &GroupBuild) -> Vec<RootDependency> {
    let standard = || group.standard.iter().map(|(d, _)| d.clone());
    if group.poetry.is_empty() {
        return standard().collect();
    }
    if group.standard.is_empty() {
        return group.poetry.clone();
    }
    let mut base = group.standard.clone();
    if group.mixed_dynamic {
        let extra = |d: &RootDependency| (d.clone(), None);
        if base.iter().all(|(d, _)| d.optional) {
            base.extend(group.poetry.iter().filter(|d| !d.optional).map(extra));
        } else if base.iter().all(|(d, _)| !d.optional) {
            base.extend(group.poetry.iter().filter(|d| d.optional).map(extra));
        }
    }
    let mut out = Vec::new();
    for (dep, in_extra) in base {
        let mut enriched = false;
        // Poetry compares against the marker with the extra that lists the dependency, so
        // a `[tool.poetry]` marker `extra == "x"` adds nothing.
        let mut dep_marker = parse_marker(dep.markers.as_deref());
        if let Some(extra) = &in_extra {
            dep_marker.and(parse_marker(Some(&format!("extra == '{extra}'"))));
        }
        for poetry in group.poetry.iter().filter(|p| p.name == dep.name) {
            let mut both = dep_marker.clone();
            both.and(parse_marker(poetry.markers.as_deref()));
            if both.is_false() {
                continue;
            }
            enriched = true;
            let markers = if both == dep_marker {
                dep.markers.clone()
            } else {
                and_markers(
                    &[dep.markers.clone(), poetry.markers.clone()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>(),
                )
            };
            out.push(RootDependency {
                name: dep.name.clone(),
                constraint: intersect_constraints(&dep.constraint, &poetry.constraint),
                markers,
                extras: dep.extras.clone(),
                optional: dep.optional,
                direct: dep.direct.clone().or_else(|| poetry.direct.clone()),
            });
        }
        if !enriched {
            out.push(dep);
        }
    }
    out
}

/// A marker for the algebra; an unparsable marker counts as "always" here (the planner
/// reports it when it evaluates the marker).
fn parse_marker(marker: Option<&str>) -> MarkerTree {
    marker
        .and_then(|m| crate::packaging::pep508::parse_marker(m).ok())
        .unwrap_or_default()
}

/// `A` and `B` as one constraint string. `A` is PEP 440 (no `||`); an alternative in the
/// Poetry constraint `B` is distributed: `A,B1 || A,B2`.
fn intersect_constraints(standard: &str, poetry: &str) -> String {
    let standard = standard.trim();
    let poetry = poetry.trim();
    if poetry.is_empty() || poetry == "*" {
        return standard.to_string();
    }
    if standard.is_empty() || standard == "*" {
        return poetry.to_string();
    }
    poetry
        .split("||")
        .flat_map(|p| p.split('|'))
        .map(|branch| format!("{standard},{}", branch.trim()))
        .collect::<Vec<_>>()
        .join(" || ")
}

fn and_markers(markers: &[String]) -> Option<String> {
    match markers {
        [] => None,
        [one] => Some(one.clone()),
        many => Some(
            many.iter()
                .map(|m| format!("({m})"))
                .collect::<Vec<_>>()
                .join(" and "),
        ),
    }
}

/// poetry-core's `sys_platform` marker for a `platform = "..."` constraint (generic
/// constraint syntax: `linux`, `!=win32`, `linux || darwin`).
pub(super) fn platform_marker(constraint: &str) -> String {
    let alternatives: Vec<String> = constraint
        .split("||")
        .flat_map(|p| p.split('|'))
        .filter_map(|alternative| {
            let parts: Vec<String> = alternative
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty() && *p != "*")
                .map(|part| {
                    let (op, value) = if let Some(v) = part.strip_prefix("!=") {
                        ("!=", v)
                    } else {
                        ("==", part.strip_prefix("==").unwrap_or(part))
                    };
                    format!("sys_platform {op} \"{}\"", value.trim())
                })
                .collect();
            (!parts.is_empty()).then(|| parts.join(" and "))
        })
        .collect();
    match alternatives.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        many => many
            .iter()
            .map(|a| {
                if a.contains(" and ") {
                    format!("({a})")
                } else {
                    a.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// `Requires-Dist` lines for a `[tool.poetry]`-style project, as Poetry's
/// `Dependency.to_pep_508` writes them (`markdown (>=3.5,<4.0) ; python_version >= "3.10"`),
/// sorted by name. A constraint PEP 440 cannot spell is left out of its line.
fn poetry_requires_dist(
    main: &DependencyGroup,
    extras: &BTreeMap<ExtraName, Vec<PackageName>>,
) -> Vec<String> {
    let mut deps: Vec<&RootDependency> = main.dependencies.iter().collect();
    deps.sort_by(|a, b| a.name.cmp(&b.name));
    deps.into_iter()
        .map(|dep| {
            let mut line = dep.name.to_string();
            if !dep.extras.is_empty() {
                let names: Vec<String> = dep.extras.iter().map(ToString::to_string).collect();
                line.push_str(&format!("[{}]", names.join(",")));
            }
            let specifiers =
                crate::packaging::poetry_constraint::PoetryConstraint::parse(&dep.constraint)
                    .ok()
                    .and_then(|c| c.to_pep440());
            if let Some(specifiers) = specifiers.filter(|s| !s.is_empty()) {
                line.push_str(&format!(" ({specifiers})"));
            }
            let mut markers: Vec<String> = dep.markers.iter().cloned().collect();
            if dep.optional {
                let in_extras: Vec<String> = extras
                    .iter()
                    .filter(|(_, names)| names.contains(&dep.name))
                    .map(|(extra, _)| format!("extra == \"{extra}\""))
                    .collect();
                if !in_extras.is_empty() {
                    markers.push(in_extras.join(" or "));
                }
            }
            if let Some(marker) = and_markers(&markers) {
                line.push_str(&format!(" ; {marker}"));
            }
            line
        })
        .collect()
}

/// `name @ ../path ; marker`: poetry-core accepts a bare relative path where PEP 508 wants
/// a URL. Parsed with the path swapped for an absolute `file:` URL, so the result is a
/// `path` direct reference with the right name, extras and marker.
fn relative_path_requirement(text: &str) -> Option<Requirement<pep508_rs::VerbatimUrl>> {
    let (name, rest) = text.split_once('@')?;
    let rest = rest.trim_start();
    if !(rest.starts_with('.') || rest.starts_with('/')) {
        return None;
    }
    let marker = rest
        .split_once(" ;")
        .or_else(|| rest.split_once("\t;"))
        .map(|(_, m)| m);
    let substitute = match marker {
        Some(marker) => format!("{name}@ file:///relative-path ;{marker}"),
        None => format!("{name}@ file:///relative-path"),
    };
    crate::packaging::pep508::parse_requirement(&substitute).ok()
}

/// Which kind of direct reference a PEP 508 URL is.
fn direct_kind(url: &str) -> String {
    if url.starts_with("git+") {
        "git"
    } else if url.starts_with("file:") {
        "path"
    } else {
        "url"
    }
    .to_string()
}

/// `req ; extra == "x"`, combined with any marker the requirement has.
fn with_extra_marker(requirement: &str, extra: &str) -> String {
    let extra = normalize(extra);
    match requirement.split_once(';') {
        Some((req, marker)) => format!(
            "{} ; ({}) and extra == \"{extra}\"",
            req.trim(),
            marker.trim()
        ),
        None => format!("{} ; extra == \"{extra}\"", requirement.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lock::content_hash::is_fresh;
    use crate::lock::poetry_lock;

    fn samples() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lock/samples")
    }

    fn project(text: &str) -> Result<Project, LockError> {
        parse(
            Path::new("/nonexistent/project"),
            Path::new("pyproject.toml"),
            text,
        )
    }

    fn group<'p>(project: &'p Project, name: &str) -> &'p DependencyGroup {
        project
            .groups
            .iter()
            .find(|g| g.name.as_str() == name)
            .unwrap_or_else(|| panic!("no group {name}"))
    }

    fn dep<'g>(group: &'g DependencyGroup, name: &str) -> Vec<&'g RootDependency> {
        group
            .dependencies
            .iter()
            .filter(|d| d.name.as_ref() == name)
            .collect()
    }

    fn extra(name: &str) -> ExtraName {
        ExtraName::from_str(name).unwrap()
    }

    fn pkg(name: &str) -> PackageName {
        PackageName::from_str(name).unwrap()
    }

    #[test]
    fn reads_poetry_1_style() {
        let p = read(&samples().join("poetry-1.8.5_lock-2.0")).unwrap();
        assert_eq!(p.name, Some(pkg("demo-app")));
        assert_eq!(p.version.as_deref(), Some("0.1.0"));
        assert!(p.package_mode);
        assert_eq!(p.python_constraint.as_deref(), Some("^3.9"));
        let names: Vec<_> = p
            .groups
            .iter()
            .map(|g| (g.name.as_str(), g.optional))
            .collect();
        assert_eq!(names, vec![("main", false), ("dev", false), ("docs", true)]);

        let main = group(&p, "main");
        assert_eq!(main.dependencies.len(), 6);
        let tomli = dep(main, "tomli")[0];
        assert_eq!(tomli.constraint, ">=2.0");
        assert_eq!(tomli.markers.as_deref(), Some("python_version < \"3.11\""));
        let httpx = dep(main, "httpx")[0];
        assert_eq!(httpx.extras, vec![extra("socks")]);
        let colorama = dep(main, "colorama")[0];
        assert_eq!(colorama.markers.as_deref(), Some("sys_platform == 'win32'"));
        assert!(dep(main, "pyyaml")[0].optional);
        let markdown = dep(group(&p, "docs"), "markdown")[0];
        assert_eq!(markdown.constraint, "^3.5");
        assert_eq!(
            markdown.markers.as_deref(),
            Some("python_version >= \"3.10\"")
        );

        assert_eq!(p.extras[&extra("yaml")], vec![pkg("pyyaml")]);
        assert_eq!(p.extras[&extra("write")], vec![pkg("tomli-w")]);
        assert!(p.sources.is_empty());
        assert_eq!(p.root_package.package_dirs.len(), 1);
        assert!(p.root_package.package_dirs[0].ends_with("poetry-1.8.5_lock-2.0/src"));
        assert!(p.root_package.package_dirs[0].is_absolute());
        assert_eq!(
            p.root_package.summary.as_deref(),
            Some("verse research sample (Poetry 1.x layout): groups, extras, markers")
        );
        assert_eq!(
            p.root_package.requires_dist,
            vec![
                "click (>=8.1)",
                "colorama ; sys_platform == 'win32'",
                "httpx[socks] (>=0.27,<1)",
                "pyyaml (>=6.0) ; extra == \"yaml\"",
                "tomli (>=2.0) ; python_version < \"3.11\"",
                "tomli-w (>=1.0) ; (platform_python_implementation == 'CPython') and (extra == \"write\")",
            ]
        );
    }

    #[test]
    fn reads_dev_dependencies_and_git() {
        let p = read(&samples().join("poetry-1.0.10_lock-1.0")).unwrap();
        let dev = group(&p, "dev");
        assert!(!dev.optional);
        assert_eq!(dev.dependencies[0].name, pkg("virtualenv"));
        let oldlib = dep(group(&p, "main"), "oldlib")[0];
        assert_eq!(oldlib.direct.as_deref(), Some("git"));
    }

    #[test]
    fn reads_pep_621_with_groups() {
        let p =
            read(&samples().join("poetry-2.5.1_lock-2.1_pep621-groups-extras-markers")).unwrap();
        assert_eq!(p.python_constraint.as_deref(), Some(">=3.9"));
        let names: Vec<_> = p
            .groups
            .iter()
            .map(|g| (g.name.as_str(), g.optional))
            .collect();
        assert_eq!(
            names,
            vec![
                ("main", false),
                ("lint", false),
                ("dev", false),
                ("docs", true)
            ]
        );
        let main = group(&p, "main");
        let httpx = dep(main, "httpx")[0];
        assert_eq!(httpx.extras, vec![extra("socks")]);
        assert_eq!(httpx.constraint, ">=0.27, <1");
        let tomli = dep(main, "tomli")[0];
        assert_eq!(
            tomli.markers.as_deref(),
            Some("python_full_version < '3.11'")
        );
        let tomli_w = dep(main, "tomli-w")[0];
        assert!(tomli_w.optional);
        assert_eq!(
            tomli_w.markers.as_deref(),
            Some("platform_python_implementation == 'CPython'")
        );
        assert_eq!(p.extras[&extra("yaml")], vec![pkg("pyyaml")]);
        assert_eq!(dep(group(&p, "lint"), "pyflakes")[0].constraint, ">=3");
        assert_eq!(
            p.root_package.requires_dist.last().map(String::as_str),
            Some("tomli-w (>=1.0) ; (platform_python_implementation == 'CPython') and extra == \"write\"")
        );
    }

    #[test]
    fn reads_sources_and_direct_references() {
        let p = read(&samples().join("poetry-2.5.1_lock-2.1_sources-git-path-url")).unwrap();
        assert!(!p.package_mode);
        assert!(p.root_package.package_dirs.is_empty());
        assert_eq!(
            p.sources,
            vec![SourceDecl {
                name: "internal".into(),
                url: Some("http://127.0.0.1:8765/simple/".into()),
                priority: SourcePriority::Explicit,
            }]
        );
        let main = group(&p, "main");
        let kinds: Vec<_> = main
            .dependencies
            .iter()
            .map(|d| (d.name.as_ref(), d.direct.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("internal-tool", None),
                ("gitlib", Some("git")),
                ("subpkg", Some("git")),
                ("localpkg", Some("path")),
                ("wheelpkg", Some("path")),
                ("pluggy", Some("url")),
            ]
        );
        let pytest = dep(group(&p, "test"), "pytest")[0];
        assert_eq!(pytest.extras, vec![extra("dev")]);
    }

    #[test]
    fn every_sample_and_scenario_is_fresh_against_its_lock() {
        let mut dirs: Vec<PathBuf> = fs_err::read_dir(samples())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/scenarios");
        for name in ["datasci-large", "django", "seed-fastapi", "tiny"] {
            dirs.push(scenarios.join(name));
        }
        for dir in dirs {
            let p = read(&dir).unwrap();
            let lock = poetry_lock::read(&dir.join("poetry.lock")).unwrap();
            assert!(is_fresh(&p, &lock), "{}", dir.display());
        }
    }

    #[test]
    fn freshness_accepts_the_legacy_hash_only_from_old_poetry() {
        let dir = samples().join("poetry-2.5.1_lock-2.1_pep621-groups-extras-markers");
        let p = read(&dir).unwrap();
        let mut lock = poetry_lock::read(&dir.join("poetry.lock")).unwrap();
        let legacy = p.legacy_content_hash.clone().unwrap();
        lock.content_hash = Some(legacy);
        assert!(
            !is_fresh(&p, &lock),
            "2.5.1 wrote it: the legacy hash is stale"
        );
        lock.generated_by = Some("2.2.1".into());
        assert!(is_fresh(&p, &lock));
        lock.generated_by = None;
        assert!(!is_fresh(&p, &lock));
        lock.content_hash = None;
        assert!(!is_fresh(&p, &lock));
    }

    #[test]
    fn python_key_becomes_a_marker_anded_with_markers() {
        let p = project(
            r#"
[tool.poetry]
name = "x"
[tool.poetry.dependencies]
python = "^3.8"
foo = { version = "^1.0", python = "^3.9", markers = "sys_platform == 'linux'" }
bar = [
    { version = "<=1.9", python = "<3.8" },
    { version = "^2.0", python = ">=3.8", platform = "linux || darwin" },
]
baz = { version = "*", python = "!=3.9.*" }
"#,
        )
        .unwrap();
        assert_eq!(p.python_constraint.as_deref(), Some("^3.8"));
        let main = group(&p, "main");
        assert_eq!(
            dep(main, "foo")[0].markers.as_deref(),
            Some("(sys_platform == 'linux') and (python_version >= \"3.9\" and python_version < \"4.0\")")
        );
        let bar = dep(main, "bar");
        assert_eq!(bar.len(), 2);
        assert_eq!(bar[0].markers.as_deref(), Some("python_version < \"3.8\""));
        assert_eq!(
            bar[1].markers.as_deref(),
            Some("(python_version >= \"3.8\") and (sys_platform == \"linux\" or sys_platform == \"darwin\")")
        );
        assert_eq!(
            dep(main, "baz")[0].markers.as_deref(),
            Some("(python_version < \"3.9\") or (python_version >= \"3.10\")")
        );
        for d in &main.dependencies {
            let marker = d.markers.as_deref().unwrap();
            assert!(MarkerTree::from_str(marker).is_ok(), "{marker}");
        }
    }

    /// Compared with poetry-core 2.5.0 (`Factory().create_poetry(...)`, main group's
    /// `dependencies_for_locking`) on the same file: httpx `>=0.27,<1`; click `*`; rich
    /// `sys_platform == "win32"` (not enriched); attrs twice, `<22` with
    /// `python_version >= "3.8" and python_version < "3.10"` and `>=23` with
    /// `python_version >= "3.10"`; uvloop `>=0.19,<0.20` with `sys_platform != "win32"`,
    /// optional; `ignored` left out; python `>=3.10,<4`.
    #[test]
    fn project_dependencies_are_enriched_by_tool_poetry() {
        let p = project(
            r#"
[project]
name = "x"
version = "0.1"
requires-python = ">=3.9"
dependencies = ["httpx (>=0.27)", "click", "rich ; sys_platform == 'win32'", "attrs ; python_version >= '3.8'"]
[project.optional-dependencies]
fast = ["uvloop ; sys_platform != 'win32'"]

[tool.poetry.dependencies]
python = ">=3.10,<4"
httpx = { version = "<1", source = "internal" }
rich = { markers = "sys_platform == 'linux'" }
attrs = [{ version = "<22", markers = "python_version < '3.10'" }, { version = ">=23", markers = "python_version >= '3.10'" }]
uvloop = { version = "^0.19", markers = "extra == 'fast'" }
ignored = "^1"
"#,
        )
        .unwrap();
        assert_eq!(p.python_constraint.as_deref(), Some(">=3.10,<4"));
        let main = group(&p, "main");
        let got: Vec<_> = main
            .dependencies
            .iter()
            .map(|d| {
                (
                    d.name.as_ref(),
                    d.constraint.as_str(),
                    d.markers.as_deref(),
                    d.optional,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("httpx", ">=0.27,<1", None, false),
                ("click", "*", None, false),
                ("rich", "*", Some("sys_platform == 'win32'"), false),
                (
                    "attrs",
                    "<22",
                    Some("(python_full_version >= '3.8') and (python_version < '3.10')"),
                    false
                ),
                (
                    "attrs",
                    ">=23",
                    Some("(python_full_version >= '3.8') and (python_version >= '3.10')"),
                    false
                ),
                ("uvloop", "^0.19", Some("sys_platform != 'win32'"), true),
            ]
        );
        assert_eq!(p.extras[&extra("fast")], vec![pkg("uvloop")]);
    }

    #[test]
    fn pep_735_groups_include_groups() {
        let p = project(
            r#"
[project]
name = "x"
dependencies = []

[dependency-groups]
test = ["pytest>=8"]
Lint_Tools = ["ruff", {include-group = "test"}]

[tool.poetry.group.lint-tools]
optional = true

[tool.poetry.group.docs]
include-groups = ["test"]
[tool.poetry.group.docs.dependencies]
mkdocs = "*"
"#,
        )
        .unwrap();
        let lint = group(&p, "lint-tools");
        assert!(lint.optional);
        let names: Vec<_> = lint.dependencies.iter().map(|d| d.name.as_ref()).collect();
        assert_eq!(names, vec!["ruff", "pytest"]);
        let docs: Vec<_> = group(&p, "docs")
            .dependencies
            .iter()
            .map(|d| d.name.as_ref())
            .collect();
        assert_eq!(docs, vec!["mkdocs", "pytest"]);

        let err = project("[dependency-groups]\na = [{include-group = \"b\"}]\n").unwrap_err();
        assert!(err.to_string().contains("not defined"), "{err}");
        let err = project(
            "[dependency-groups]\na = [{include-group = \"b\"}]\nb = [{include-group = \"a\"}]\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("includes itself"), "{err}");
    }

    #[test]
    fn tool_poetry_extras_only_without_project_dependencies() {
        let legacy = project(
            r#"
[tool.poetry]
name = "x"
[tool.poetry.dependencies]
PyYAML = { version = "*", optional = true }
[tool.poetry.extras]
YAML = ["pyyaml", "not-a-dependency"]
"#,
        )
        .unwrap();
        assert_eq!(legacy.extras[&extra("yaml")], vec![pkg("pyyaml")]);

        let pep621 = project(
            r#"
[project]
name = "x"
dependencies = ["click"]
[project.optional-dependencies]
fast = ["uvloop"]
[tool.poetry.extras]
yaml = ["pyyaml"]
"#,
        )
        .unwrap();
        assert_eq!(
            pep621.extras.keys().collect::<Vec<_>>(),
            vec![&extra("fast")]
        );
        assert_eq!(pep621.extras[&extra("fast")], vec![pkg("uvloop")]);
    }

    #[test]
    fn sources_priorities_old_and_new() {
        let p = project(
            r#"
[[tool.poetry.source]]
name = "a"
url = "https://a/simple/"
default = true
[[tool.poetry.source]]
name = "b"
url = "https://b/simple/"
secondary = true
[[tool.poetry.source]]
name = "c"
url = "https://c/simple/"
priority = "supplemental"
[[tool.poetry.source]]
name = "pypi"
priority = "primary"
"#,
        )
        .unwrap();
        let got: Vec<_> = p
            .sources
            .iter()
            .map(|s| (s.name.as_str(), s.priority, s.url.is_some()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", SourcePriority::Primary, true),
                ("b", SourcePriority::Supplemental, true),
                ("c", SourcePriority::Supplemental, true),
                ("pypi", SourcePriority::Primary, false),
            ]
        );
        let err =
            project("[[tool.poetry.source]]\nname = \"a\"\npriority = \"first\"\n").unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
    }

    #[test]
    fn scripts_and_entry_points() {
        let p = project(
            r#"
[tool.poetry]
name = "x"
[tool.poetry.scripts]
plain = "x.cli:main"
table = { reference = "x.cli:other", type = "console" }
old = { callable = "x.cli:old" }
file = { reference = "bin/run.sh", type = "file" }
[tool.poetry.plugins."x.plugins"]
one = "x.plugins:one"
"#,
        )
        .unwrap();
        let scripts: Vec<_> = p
            .root_package
            .scripts
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            scripts,
            vec![
                ("old", "x.cli:old"),
                ("plain", "x.cli:main"),
                ("table", "x.cli:other")
            ]
        );
        assert_eq!(
            p.root_package.entry_points["x.plugins"]["one"],
            "x.plugins:one"
        );

        let p = project(
            r#"
[project]
name = "x"
[project.scripts]
a = "x:a"
[project.gui-scripts]
g = "x:g"
[project.entry-points."pytest11"]
x = "x.plugin"
[tool.poetry.scripts]
ignored = "x:ignored"
"#,
        )
        .unwrap();
        assert_eq!(p.root_package.scripts.keys().collect::<Vec<_>>(), vec!["a"]);
        assert_eq!(p.root_package.gui_scripts["g"], "x:g");
        assert_eq!(p.root_package.entry_points["pytest11"]["x"], "x.plugin");
    }

    #[test]
    fn default_package_discovery() {
        let dir = tempfile::tempdir().unwrap();
        let text = "[tool.poetry]\nname = \"My.Pkg\"\n";
        fs_err::create_dir_all(dir.path().join("src/my_pkg")).unwrap();
        let p = parse(dir.path(), Path::new("pyproject.toml"), text).unwrap();
        assert_eq!(
            p.root_package.package_dirs,
            vec![fs_err::canonicalize(dir.path()).unwrap().join("src")]
        );
        fs_err::write(dir.path().join("my_pkg.py"), "").unwrap();
        let p = parse(dir.path(), Path::new("pyproject.toml"), text).unwrap();
        assert_eq!(
            p.root_package.package_dirs,
            vec![fs_err::canonicalize(dir.path()).unwrap()]
        );
    }

    /// Mutated sample pyprojects give a value or an error, never a panic.
    #[test]
    fn mutated_samples_never_panic() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |bound: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % bound.max(1) as u64) as usize
        };
        for entry in fs_err::read_dir(samples()).unwrap() {
            let dir = entry.unwrap().path();
            let text = fs_err::read_to_string(dir.join("pyproject.toml")).unwrap();
            for _ in 0..300 {
                let mut start = next(text.len());
                while !text.is_char_boundary(start) {
                    start -= 1;
                }
                let mut end = (start + next(40)).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                let cut = format!("{}{}", &text[..start], &text[end..]);
                let _ = parse(&dir, Path::new("pyproject.toml"), &cut);
            }
        }
    }

    #[test]
    fn pep_508_direct_references() {
        let p = project(
            r#"
[project]
name = "x"
dependencies = [
    "a @ git+https://example.com/a.git@v1",
    "b @ https://example.com/b-1.0-py3-none-any.whl",
    "c @ file:///srv/c",
    "d[x] @ ../d ; sys_platform == 'linux'",
    "e (>=1) ; python_version < '3.11'",
]
"#,
        )
        .unwrap();
        let got: Vec<_> = group(&p, "main")
            .dependencies
            .iter()
            .map(|d| (d.name.as_ref(), d.direct.as_deref(), d.markers.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", Some("git"), None),
                ("b", Some("url"), None),
                ("c", Some("path"), None),
                ("d", Some("path"), Some("sys_platform == 'linux'")),
                ("e", None, Some("python_full_version < '3.11'")),
            ]
        );
        assert_eq!(dep(group(&p, "main"), "d")[0].extras, vec![extra("x")]);
    }

    /// A CRLF file hashes like its LF twin (tomllib normalizes line ends first, also
    /// inside multi-line strings) and reads the same.
    #[test]
    fn crlf_files_hash_like_python() {
        let lf = "[tool.poetry.dependencies]\npython = \"^3.9\"\nfoo = { version = \"*\", markers = \"\"\"\nsys_platform == 'linux'\"\"\" }\n";
        let crlf = lf.replace('\n', "\r\n");
        let a = project(lf).unwrap();
        let b = project(&crlf).unwrap();
        assert_eq!(a.content_hash, b.content_hash);
        assert_eq!(a.groups[0].dependencies, b.groups[0].dependencies);
        let script = "import hashlib,json,sys,tomllib\nd = tomllib.loads(sys.argv[1])['tool']['poetry']\nc = {k: d.get(k) for k in ('dependencies', 'source', 'extras', 'dev-dependencies')}\nprint(hashlib.sha256(json.dumps(c, sort_keys=True).encode()).hexdigest(), end='')";
        let output = std::process::Command::new("python3")
            .args(["-c", script, &crlf])
            .output()
            .expect("python3 is the oracle for this test");
        assert_eq!(b.content_hash, String::from_utf8(output.stdout).unwrap());
    }

    #[test]
    fn bad_values_are_positioned_errors() {
        let err =
            project("[tool.poetry.dependencies]\nfoo = { version = \"^1\", python = \"^^3\" }\n")
                .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("line 2") && text.contains("`foo`"), "{text}");
        let err = project("[project]\ndependencies = [\"not a requirement!!\"]\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        // An empty project name once installed `.pth` and `-0.1.0.dist-info`.
        for bad in ["", "-app", "my app"] {
            let err =
                project(&format!("[project]\nname = \"{bad}\"\nversion = \"1.0\"\n")).unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains("line 2") && text.contains("not a valid project name"),
                "{text}"
            );
        }
        // The root's version goes into its dist-info name: checked here, not after the
        // dependencies are installed.
        let err = project("[project]\nname = \"app\"\nversion = \"banana\"\n").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("line 3") && text.contains("not a PEP 440 version"),
            "{text}"
        );
        assert!(project(
            "[project]\nname = \"app\"\nversion = \"banana\"\n[tool.poetry]\npackage-mode = false\n"
        )
        .is_ok());
        let err = project("[tool.poetry]\npackage-mode = \"no\"\n").unwrap_err();
        assert!(err.to_string().contains("line 2, column 16"), "{err}");
        assert!(matches!(
            project("[tool.poetry\n"),
            Err(LockError::Syntax { line: 1, .. })
        ));
        assert!(matches!(
            read(Path::new("/nonexistent/dir")),
            Err(LockError::Read { .. })
        ));
    }
}
