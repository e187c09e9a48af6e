//! The export selection for locks older than 2.1 (no groups or markers per package): walk the
//! graph from the project's requirements, as poetry-plugin-export's `walker.py` does
//! (`get_project_dependency_packages`, `walk_dependencies`, `get_locked_package`). Each
//! requirement carries a marker (the intersection of the markers along its path, split into
//! the Python-version regions of the candidates so that a name locked at several versions
//! gets one marker per version), and a package reached by several paths gets the union.
//!
//! Pure, like the rest of `export`; it selects for every environment, never for one target
//! (that walk is `plan::select`).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use super::marker::{Bound, Marker, PythonRange};
use super::ExportError;
use crate::lock::{Lock, LockedPackage, Project};
use crate::packaging::poetry_constraint::{python_marker, PoetryConstraint};
use crate::packaging::{normalize, GroupName, PackageName, Version};

/// One package the walk reached.
pub struct Reached<'a> {
    pub package: &'a LockedPackage,
    /// The extras asked of it by the first requirement that reached it.
    pub features: Vec<String>,
    pub marker: Marker,
}

/// A requirement in the walk's queue.
#[derive(Clone)]
struct Requirement {
    name: PackageName,
    constraint: String,
    extras: Vec<String>,
    marker: Marker,
}

impl Requirement {
    /// poetry-core's `Dependency` equality (name, constraint, extras) plus the marker.
    fn key(&self) -> (String, String, Vec<String>, String) {
        (
            self.name.to_string(),
            self.constraint.trim().to_string(),
            self.extras.clone(),
            self.marker.to_string(),
        )
    }
}

fn parse(text: &str, package: &str) -> Result<Marker, ExportError> {
    Marker::parse(text).map_err(|source| ExportError::BadMarker {
        package: package.to_string(),
        group: "(dependency)".to_string(),
        source,
    })
}

/// The walk over the project's requirements in `groups` (with the project's Python marker
/// applied to each) and the packages `extras` switch on.
pub fn walk<'a>(
    project: &Project,
    lock: &'a Lock,
    groups: &[GroupName],
    extras: &[String],
    python: &Marker,
) -> Result<Vec<Reached<'a>>, ExportError> {
    let mut by_name: BTreeMap<&PackageName, Vec<&LockedPackage>> = BTreeMap::new();
    for package in &lock.packages {
        by_name.entry(&package.name).or_default().push(package);
    }
    for list in by_name.values_mut() {
        // Higher versions first, so that they are preferred.
        list.sort_by(|a, b| b.version.cmp(&a.version));
    }
    let mut ranges: HashMap<(String, String), PythonRange> = HashMap::new();
    for package in &lock.packages {
        ranges.insert(key_of(package), package_range(package)?);
    }

    // Packages the requested extras switch on, and everything they require.
    let mut extra_names: BTreeSet<String> = BTreeSet::new();
    let mut stack: Vec<String> = extras
        .iter()
        .flat_map(|e| {
            lock.extras
                .iter()
                .filter(move |(name, _)| name.as_ref() == e.as_str())
                .flat_map(|(_, names)| names.iter().map(ToString::to_string))
        })
        .collect();
    while let Some(name) = stack.pop() {
        let Some(package) = lock.packages.iter().find(|p| p.name.as_ref() == name) else {
            continue;
        };
        if extra_names.insert(name) {
            stack.extend(package.dependencies.iter().map(|d| d.name.to_string()));
        }
    }

    let mut queue: VecDeque<Requirement> = VecDeque::new();
    for group in project.groups.iter().filter(|g| groups.contains(&g.name)) {
        for dependency in &group.dependencies {
            let own = parse(dependency.markers.as_deref().unwrap_or(""), "the project")?;
            let requirement = Requirement {
                name: dependency.name.clone(),
                constraint: dependency.constraint.clone(),
                extras: sorted_extras(dependency.extras.iter().map(ToString::to_string)),
                marker: own.intersect(python),
            };
            // `repository.find_packages(dependency)[0]`, in lock order.
            let Some(package) = lock.packages.iter().find(|p| {
                p.name == requirement.name && allows(&requirement.constraint, &p.version)
            }) else {
                continue;
            };
            if package.optional && !extra_names.contains(package.name.as_ref()) {
                continue;
            }
            queue.push_back(requirement);
        }
    }

    let root = project.name.clone();
    let mut visited: BTreeSet<(String, String, Vec<String>, String)> = BTreeSet::new();
    let mut reached: Vec<Reached<'a>> = Vec::new();
    while let Some(requirement) = queue.pop_front() {
        if !visited.insert(requirement.key()) || root.as_ref() == Some(&requirement.name) {
            continue;
        }
        let candidates = by_name.get(&requirement.name).cloned().unwrap_or_default();
        let package = locked_package(&requirement, &candidates, &reached, &ranges)?;
        let features = requirement.extras.clone();
        let marker = requirement.marker.clone();

        for dependency in &package.dependencies {
            if dependency.optional {
                let switched_on = features.iter().any(|f| {
                    package.extras.iter().any(|(extra, requirements)| {
                        extra.as_ref() == f.as_str()
                            && requirements
                                .iter()
                                .any(|r| normalize(requirement_name(r)) == dependency.name.as_ref())
                    })
                });
                if !switched_on {
                    continue;
                }
            }
            let mut own = parse(
                dependency.markers.as_deref().unwrap_or(""),
                package.name.as_ref(),
            )?;
            if let Some(range) = &dependency.python {
                let text = python_marker(range).map_err(|e| ExportError::BadPython {
                    constraint: range.clone(),
                    message: e.to_string(),
                })?;
                own = own.intersect(&parse(&text, package.name.as_ref())?);
            }
            let base = own.intersect(&marker).without_extras();
            if base.is_empty() {
                continue;
            }
            let candidates = by_name.get(&dependency.name).cloned().unwrap_or_default();
            for region in regions(&candidates, &ranges) {
                let split = region.intersect(&base);
                if !split.is_empty() {
                    queue.push_back(Requirement {
                        name: dependency.name.clone(),
                        constraint: dependency.constraint.clone(),
                        extras: sorted_extras(dependency.extras.iter().map(ToString::to_string)),
                        marker: split,
                    });
                }
            }
        }

        match reached
            .iter_mut()
            .find(|r| key_of(r.package) == key_of(package))
        {
            Some(entry) => entry.marker = entry.marker.union(&marker),
            None => reached.push(Reached {
                package,
                features,
                marker,
            }),
        }
    }
    Ok(reached)
}

fn key_of(package: &LockedPackage) -> (String, String) {
    (package.name.to_string(), package.version.to_string())
}

fn sorted_extras(extras: impl Iterator<Item = String>) -> Vec<String> {
    let set: BTreeSet<String> = extras.map(|e| normalize(&e)).collect();
    set.into_iter().collect()
}

/// The name at the start of a requirement string (`PySocks (>=1.5.6)` → `PySocks`).
fn requirement_name(requirement: &str) -> &str {
    let end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(requirement.len());
    &requirement[..end]
}

fn allows(constraint: &str, version: &Version) -> bool {
    let text = constraint.trim();
    if text.is_empty() || text == "*" {
        return true;
    }
    PoetryConstraint::parse(text).is_ok_and(|c| c.contains(version))
}

/// A package's `python-versions` as a set of versions.
fn package_range(package: &LockedPackage) -> Result<PythonRange, ExportError> {
    let text = python_marker(&package.python_versions).map_err(|e| ExportError::BadPython {
        constraint: package.python_versions.clone(),
        message: e.to_string(),
    })?;
    Ok(parse(&text, package.name.as_ref())?.python_range())
}

/// poetry-plugin-export `get_locked_package`: the highest compatible candidate, unless an
/// earlier decision for an overlapping marker forces one.
fn locked_package<'a>(
    requirement: &Requirement,
    candidates: &[&'a LockedPackage],
    reached: &[Reached<'a>],
    ranges: &HashMap<(String, String), PythonRange>,
) -> Result<&'a LockedPackage, ExportError> {
    let overlapping: Vec<&LockedPackage> = candidates
        .iter()
        .copied()
        .filter(|p| {
            reached.iter().any(|r| {
                key_of(r.package) == key_of(p)
                    && !r.marker.intersect(&requirement.marker).is_empty()
            })
        })
        .collect();
    let failed = || ExportError::Walk {
        requirement: format!(
            "{} {} ; {}",
            requirement.name, requirement.constraint, requirement.marker
        ),
    };
    if overlapping.len() > 1 {
        return Err(failed());
    }
    let wanted = requirement.marker.python_range();
    let mut compatible: Vec<&LockedPackage> = candidates
        .iter()
        .copied()
        .filter(|p| {
            ranges
                .get(&key_of(p))
                .is_some_and(|range| range.allows_all(&wanted))
                && allows(&requirement.constraint, &p.version)
        })
        .collect();
    if !overlapping.is_empty() {
        compatible.retain(|p| overlapping.iter().any(|o| key_of(o) == key_of(p)));
        if compatible.is_empty() {
            return Err(failed());
        }
    }
    compatible.first().copied().ok_or_else(failed)
}

/// poetry-plugin-export `get_python_version_region_markers`: the distinct Python-version
/// regions the candidates' `python-versions` cut the line into, as markers.
fn regions(
    candidates: &[&LockedPackage],
    ranges: &HashMap<(String, String), PythonRange>,
) -> Vec<Marker> {
    // (version, flag) as poetry-core's `constraint_regions` sorts them.
    let mut edges: Vec<(Version, bool)> = Vec::new();
    for package in candidates {
        let Some(range) = ranges.get(&key_of(package)) else {
            continue;
        };
        for (lo, hi) in range.intervals() {
            if let Some((v, included)) = lo {
                edges.push((v, !included));
            }
            if let Some((v, included)) = hi {
                edges.push((v, included));
            }
        }
    }
    edges.sort();
    edges.dedup();
    if edges.is_empty() {
        return vec![Marker::Any];
    }
    let mut bounds: Vec<(Bound, Bound)> = Vec::new();
    let first = &edges[0];
    bounds.push((None, Some((first.0.clone(), first.1))));
    for pair in edges.windows(2) {
        bounds.push((
            Some((pair[0].0.clone(), !pair[0].1)),
            Some((pair[1].0.clone(), pair[1].1)),
        ));
    }
    let last = &edges[edges.len() - 1];
    bounds.push((Some((last.0.clone(), !last.1)), None));
    bounds
        .into_iter()
        .map(|(lo, hi)| {
            let mut marker = Marker::Any;
            if let Some((v, included)) = lo {
                marker = marker.intersect(&bound_marker(&v, if included { ">=" } else { ">" }));
            }
            if let Some((v, included)) = hi {
                marker = marker.intersect(&bound_marker(&v, if included { "<=" } else { "<" }));
            }
            marker
        })
        .collect()
}

fn bound_marker(version: &Version, op: &str) -> Marker {
    let name = if version.release().len() > 2 {
        "python_full_version"
    } else {
        "python_version"
    };
    Marker::parse(&format!("{name} {op} \"{version}\"")).unwrap_or(Marker::Any)
}
