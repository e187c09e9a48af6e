//! Package selection, the way `poetry install` does it.
//!
//! * Lock 2.1 records, for every package, the groups it belongs to and a marker per group, so
//!   selection is a filter: a package is installed when one of its groups is active and that
//!   group's marker holds for the target (2.5.1 `Locker.locked_packages`; Poetry ≥ 2.3 default).
//! * Older locks lack that, so Poetry re-resolves against the locked set. We do what that
//!   resolution amounts to for one concrete interpreter: walk the graph from the project's
//!   requirements (pyproject.toml), follow each edge whose marker holds, and pick the locked
//!   version that satisfies the edge (poetry-lock.md §2.3).
//!
//! In both cases `extra` in a marker means the root extras the user asked for (lock 2.1) or
//! the extras requested on that edge (the walk).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use super::{by_name, PlanError, Skipped};
use crate::lock::{Lock, LockedMarkers, LockedPackage, Project};
use crate::packaging::poetry_constraint::PoetryConstraint;
use crate::packaging::{normalize, ExtraName, GroupName, MarkerTree, PackageName, Version};
use crate::target::Target;

/// The outcome of selection: indices into `lock.packages`.
#[derive(Debug)]
pub struct Selected {
    pub chosen: Vec<Chosen>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone)]
pub struct Chosen {
    pub index: usize,
    pub requested: bool,
    pub reason: String,
}

pub fn select(
    project: &Project,
    lock: &Lock,
    target: &Target,
    groups: &[GroupName],
    extras: &[ExtraName],
) -> Result<Selected, PlanError> {
    let requested = requested_names(project, groups);
    let mut markers = Markers::default();
    let mut selected = if lock
        .lock_version
        .is_some_and(|v| v.has_groups_and_markers())
    {
        by_groups_and_markers(lock, target, groups, extras, &mut markers)?
    } else {
        walk(project, lock, target, groups, extras, &mut markers)?
    };
    for chosen in &mut selected.chosen {
        chosen.requested = requested.contains(&lock.packages[chosen.index].name);
    }
    reject_duplicates(lock, &selected.chosen)?;
    Ok(selected)
}

/// The project's direct requirements in the active groups: pip's "requested" packages.
fn requested_names(project: &Project, groups: &[GroupName]) -> BTreeSet<PackageName> {
    project
        .groups
        .iter()
        .filter(|g| groups.contains(&g.name))
        .flat_map(|g| g.dependencies.iter().map(|d| d.name.clone()))
        .collect()
}

fn reject_duplicates(lock: &Lock, chosen: &[Chosen]) -> Result<(), PlanError> {
    let mut seen: BTreeMap<&PackageName, Vec<String>> = BTreeMap::new();
    for c in chosen {
        let p = &lock.packages[c.index];
        seen.entry(&p.name)
            .or_default()
            .push(p.pretty_version.clone());
    }
    match seen.into_iter().find(|(_, versions)| versions.len() > 1) {
        Some((name, versions)) => Err(PlanError::ConflictingVersions {
            name: name.to_string(),
            versions,
        }),
        None => Ok(()),
    }
}

/// Parses each marker string once.
#[derive(Default)]
struct Markers {
    parsed: HashMap<String, MarkerTree>,
}

impl Markers {
    fn evaluate(
        &mut self,
        package: &str,
        marker: &str,
        target: &Target,
        extras: &[ExtraName],
    ) -> Result<bool, PlanError> {
        if !self.parsed.contains_key(marker) {
            let tree = crate::packaging::pep508::parse_marker(marker).map_err(|e| {
                PlanError::BadMarker {
                    package: package.to_string(),
                    marker: marker.to_string(),
                    message: e.to_string(),
                }
            })?;
            self.parsed.insert(marker.to_string(), tree);
        }
        Ok(self.parsed[marker].evaluate(&target.markers, extras))
    }
}

fn list(names: &[&GroupName]) -> String {
    names
        .iter()
        .map(|g| g.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn by_groups_and_markers(
    lock: &Lock,
    target: &Target,
    groups: &[GroupName],
    extras: &[ExtraName],
    markers: &mut Markers,
) -> Result<Selected, PlanError> {
    let all_extras: Vec<ExtraName> = lock.extras.keys().cloned().collect();
    let mut chosen = Vec::new();
    let mut skipped = Vec::new();
    for (index, package) in lock.packages.iter().enumerate() {
        let active: Vec<&GroupName> = package
            .groups
            .iter()
            .filter(|g| groups.contains(g))
            .collect();
        let skip = |reason: String| Skipped {
            name: package.name.clone(),
            version: package.pretty_version.clone(),
            reason,
        };
        if active.is_empty() {
            let theirs: Vec<&GroupName> = package.groups.iter().collect();
            skipped.push(skip(format!(
                "only in group {}, which is not selected",
                list(&theirs)
            )));
            continue;
        }
        let mut holds = false;
        let mut failed: Vec<&str> = Vec::new();
        for group in &active {
            match group_marker(package, group) {
                None => holds = true,
                Some(marker) => {
                    if markers.evaluate(package.name.as_ref(), marker, target, extras)? {
                        holds = true;
                    } else {
                        failed.push(marker);
                    }
                }
            }
            if holds {
                break;
            }
        }
        if holds {
            chosen.push(Chosen {
                index,
                requested: false,
                reason: format!("in group {}", list(&active)),
            });
            continue;
        }
        let mut needs_extra = false;
        let mut enabling: Vec<String> = Vec::new();
        for marker in &failed {
            if markers.evaluate(package.name.as_ref(), marker, target, &all_extras)? {
                needs_extra = true;
                for extra in &all_extras {
                    let one = std::slice::from_ref(extra);
                    if markers.evaluate(package.name.as_ref(), marker, target, one)?
                        && !enabling.contains(&extra.to_string())
                    {
                        enabling.push(extra.to_string());
                    }
                }
            }
        }
        skipped.push(skip(if needs_extra {
            let which = if enabling.is_empty() {
                "an extra".to_string()
            } else {
                format!("the extra {} (-E)", enabling.join(" or "))
            };
            format!(
                "optional: needs {which}, which is not requested (`{}`)",
                failed.join("` or `")
            )
        } else {
            format!(
                "its marker `{}` is false for this interpreter ({})",
                failed.join("` or `"),
                describe(target)
            )
        }));
    }
    Ok(Selected { chosen, skipped })
}

/// The 2.1 marker of `package` in `group`; `None` means always.
fn group_marker<'a>(package: &'a LockedPackage, group: &GroupName) -> Option<&'a str> {
    match &package.markers {
        LockedMarkers::Always => None,
        LockedMarkers::All(marker) => Some(marker.as_str()),
        LockedMarkers::PerGroup(map) => map.get(group).map(String::as_str),
    }
}

fn describe(target: &Target) -> String {
    format!(
        "Python {} on {} {}",
        target.full_version,
        target.markers.sys_platform(),
        target.markers.platform_machine()
    )
}

/// One requirement edge during the walk.
struct Edge {
    name: PackageName,
    constraint: String,
    from: String,
    extras: Vec<ExtraName>,
}

fn walk(
    project: &Project,
    lock: &Lock,
    target: &Target,
    groups: &[GroupName],
    root_extras: &[ExtraName],
    markers: &mut Markers,
) -> Result<Selected, PlanError> {
    let index = by_name(lock);
    let python: Version = target
        .full_version
        .parse()
        .unwrap_or_else(|_| Version::new([target.version.0, target.version.1, target.version.2]));

    // Packages that the requested root extras switch on (Poetry's `[extras]` table).
    let mut extra_packages: BTreeSet<String> = BTreeSet::new();
    for extra in root_extras {
        let names = lock
            .extras
            .get(extra)
            .or_else(|| project.extras.get(extra))
            .cloned()
            .unwrap_or_default();
        extra_packages.extend(names.iter().map(|n| n.to_string()));
    }

    // Why a package was not reached: the first edge to it that was cut (for --dry-run).
    let mut why_not: BTreeMap<PackageName, String> = BTreeMap::new();
    let mut note = |name: &PackageName, reason: String| {
        why_not.entry(name.clone()).or_insert(reason);
    };
    for group in project.groups.iter().filter(|g| !groups.contains(&g.name)) {
        for dependency in &group.dependencies {
            note(
                &dependency.name,
                format!("only in group {}, which is not selected", group.name),
            );
        }
    }
    let mut queue: VecDeque<Edge> = VecDeque::new();
    for group in project.groups.iter().filter(|g| groups.contains(&g.name)) {
        for dependency in &group.dependencies {
            if dependency.optional && !extra_packages.contains(dependency.name.as_ref()) {
                note(
                    &dependency.name,
                    "optional: no requested extra of the project needs it".to_string(),
                );
                continue;
            }
            if let Some(marker) = &dependency.markers {
                if !markers.evaluate("the project", marker, target, root_extras)? {
                    note(
                        &dependency.name,
                        format!(
                            "the project requires it only when `{marker}`, which is false for this interpreter ({})",
                            describe(target)
                        ),
                    );
                    continue;
                }
            }
            queue.push_back(Edge {
                name: dependency.name.clone(),
                constraint: dependency.constraint.clone(),
                from: format!("the project (group {})", group.name),
                extras: dependency.extras.clone(),
            });
        }
    }

    // name → (package index, extras active on it, reason)
    let mut selected: BTreeMap<PackageName, (usize, BTreeSet<ExtraName>, String)> = BTreeMap::new();
    while let Some(edge) = queue.pop_front() {
        let candidates = index.get(&edge.name).cloned().unwrap_or_default();
        if candidates.is_empty() {
            return Err(PlanError::MissingFromLock {
                from: edge.from,
                name: edge.name.to_string(),
            });
        }
        let constraint = constraint_of(&edge)?;
        let mut fitting: Vec<usize> = Vec::new();
        for &i in &candidates {
            let package = &lock.packages[i];
            if !constraint
                .as_ref()
                .is_none_or(|c| c.contains(&package.version))
            {
                continue;
            }
            if let Some(marker) = &package.legacy_marker {
                if !markers.evaluate(package.name.as_ref(), marker, target, &[])? {
                    continue;
                }
            }
            fitting.push(i);
        }
        let current = selected.get(&edge.name).map(|(i, _, _)| *i);
        let pick = match current {
            Some(i) if fitting.contains(&i) => i,
            Some(i) => {
                let other = fitting
                    .iter()
                    .map(|&j| lock.packages[j].pretty_version.clone())
                    .next();
                let mut versions = vec![lock.packages[i].pretty_version.clone()];
                versions.extend(other);
                if versions.len() == 1 {
                    versions.push(format!("{} (from {})", edge.constraint, edge.from));
                }
                return Err(PlanError::ConflictingVersions {
                    name: edge.name.to_string(),
                    versions,
                });
            }
            None => match fitting
                .iter()
                .copied()
                .max_by(|&a, &b| lock.packages[a].version.cmp(&lock.packages[b].version))
            {
                Some(i) => i,
                None => {
                    return Err(PlanError::MissingFromLock {
                        from: edge.from,
                        name: format!(
                            "{} {} (locked: {})",
                            edge.name,
                            edge.constraint,
                            candidates
                                .iter()
                                .map(|&j| lock.packages[j].pretty_version.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    })
                }
            },
        };

        let entry = selected
            .entry(edge.name.clone())
            .or_insert_with(|| (pick, BTreeSet::new(), format!("required by {}", edge.from)));
        let first_visit = current.is_none();
        let before = entry.1.len();
        entry.1.extend(edge.extras.iter().cloned());
        if !first_visit && entry.1.len() == before {
            continue;
        }
        let active_extras: Vec<ExtraName> = entry.1.iter().cloned().collect();
        let package = &lock.packages[pick];
        let switched_on = extra_requirement_names(package, &active_extras);
        for dependency in &package.dependencies {
            if dependency.optional && !switched_on.contains(dependency.name.as_ref()) {
                note(
                    &dependency.name,
                    format!(
                        "optional dependency of {} {}: none of its extras that need it is requested",
                        package.name, package.pretty_version
                    ),
                );
                continue;
            }
            if let Some(marker) = &dependency.markers {
                if !markers.evaluate(package.name.as_ref(), marker, target, &active_extras)? {
                    note(
                        &dependency.name,
                        format!(
                            "{} {} requires it only when `{marker}`, which is false for this interpreter ({})",
                            package.name,
                            package.pretty_version,
                            describe(target)
                        ),
                    );
                    continue;
                }
            }
            if let Some(python_constraint) = &dependency.python {
                let parsed = PoetryConstraint::parse(python_constraint).map_err(|e| {
                    PlanError::BadConstraint {
                        package: package.name.to_string(),
                        constraint: python_constraint.clone(),
                        message: e.to_string(),
                    }
                })?;
                if !parsed.contains(&python) {
                    note(
                        &dependency.name,
                        format!(
                            "{} {} requires it only for Python {python_constraint}, not {}",
                            package.name, package.pretty_version, target.full_version
                        ),
                    );
                    continue;
                }
            }
            queue.push_back(Edge {
                name: dependency.name.clone(),
                constraint: dependency.constraint.clone(),
                from: format!("{} {}", package.name, package.pretty_version),
                extras: dependency.extras.clone(),
            });
        }
    }

    let chosen_indices: BTreeSet<usize> = selected.values().map(|(i, _, _)| *i).collect();
    let reason_for = |p: &LockedPackage| -> String {
        if let Some((i, _, _)) = selected.get(&p.name) {
            return format!(
                "another version of it, {}, is selected",
                lock.packages[*i].pretty_version
            );
        }
        if let Some(reason) = why_not.get(&p.name) {
            return reason.clone();
        }
        if p.optional {
            "optional: no requested extra needs it".to_string()
        } else {
            format!(
                "not required by the selected groups on this interpreter ({})",
                describe(target)
            )
        }
    };
    let skipped = lock
        .packages
        .iter()
        .enumerate()
        .filter(|(i, _)| !chosen_indices.contains(i))
        .map(|(_, p)| Skipped {
            name: p.name.clone(),
            version: p.pretty_version.clone(),
            reason: reason_for(p),
        })
        .collect();
    let chosen = selected
        .into_values()
        .map(|(index, _, reason)| Chosen {
            index,
            requested: false,
            reason,
        })
        .collect();
    Ok(Selected { chosen, skipped })
}

fn constraint_of(edge: &Edge) -> Result<Option<PoetryConstraint>, PlanError> {
    let text = edge.constraint.trim();
    if text.is_empty() || text == "*" {
        return Ok(None);
    }
    PoetryConstraint::parse(text)
        .map(Some)
        .map_err(|e| PlanError::BadConstraint {
            package: format!("{} (required by {})", edge.name, edge.from),
            constraint: text.to_string(),
            message: e.to_string(),
        })
}

/// The normalized names of the requirements that `extras` of `package` switch on, from its
/// `[package.extras]` table (`"PySocks (>=1.5.6,!=1.5.7)"`, `"brotli ; marker"`, `"pkg[x]"`).
fn extra_requirement_names(package: &LockedPackage, extras: &[ExtraName]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for extra in extras {
        if let Some(requirements) = package.extras.get(extra) {
            for requirement in requirements {
                let end = requirement
                    .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
                    .unwrap_or(requirement.len());
                names.insert(normalize(&requirement[..end]));
            }
        }
    }
    names
}
