//! Chooses the build environment's packages: from requirement strings to one wheel per name,
//! consistent with every requirement met on the way (PEP 508 markers evaluated for the
//! target, extras followed).
//!
//! Build requirements are short lists of pure-Python tools (setuptools, wheel, hatchling and
//! its four dependencies, poetry-core, flit-core), so this is a greedy resolver: the newest
//! version allowed by everything known so far; when a later requirement rules out a version
//! already chosen, the requirement is remembered and the resolution starts again. It never
//! backtracks further than that, and says so when it gives up.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use pep508_rs::VersionOrUrl;

use crate::packaging::pep508::parse_requirement;
use crate::packaging::{ExtraName, MarkerEnvironment, PackageName, Version, VersionSpecifiers};

/// A wheel an index offers, already known to fit the target's tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub name: PackageName,
    pub version: Version,
    /// The wheel's file name: the key the provider uses.
    pub file: String,
}

/// Where candidates and their dependencies come from (an index, through `locate`/`fetch`).
pub trait Provider {
    type Error: std::fmt::Display;
    /// Every compatible wheel of `name`, any version, yanked and pre-releases left out.
    fn candidates(&mut self, name: &PackageName) -> Result<Vec<Candidate>, Self::Error>;
    /// The `Requires-Dist` lines of the candidate's metadata.
    fn requires_dist(&mut self, candidate: &Candidate) -> Result<Vec<String>, Self::Error>;
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("build requirement `{requirement}` is not valid PEP 508: {message}")]
    Invalid {
        requirement: String,
        message: String,
    },
    #[error(
        "build requirement `{requirement}` is a direct URL, which verse does not fetch for builds"
    )]
    DirectUrl { requirement: String },
    #[error("no wheel of {name} satisfies {constraints} for this interpreter")]
    NoVersion { name: String, constraints: String },
    #[error("the build requirements conflict ({details}); verse's build resolver gave up")]
    Conflict { details: String },
    #[error("{0}")]
    Provider(String),
}

/// How many times a resolution may start again after learning a constraint.
const MAX_ROUNDS: usize = 20;

/// Chooses one candidate per needed name, in a stable (name) order.
pub fn resolve<P: Provider>(
    requirements: &[String],
    markers: &MarkerEnvironment,
    provider: &mut P,
) -> Result<Vec<Candidate>, ResolveError> {
    let mut learned: BTreeMap<PackageName, Vec<(VersionSpecifiers, String)>> = BTreeMap::new();
    let mut candidates: BTreeMap<PackageName, Vec<Candidate>> = BTreeMap::new();
    for _ in 0..MAX_ROUNDS {
        match round(requirements, markers, provider, &learned, &mut candidates)? {
            Round::Done(chosen) => return Ok(chosen),
            Round::Learned(name, specifiers, from) => {
                let known = learned.entry(name).or_default();
                if known.iter().any(|(s, _)| s == &specifiers) {
                    return Err(conflict(&learned));
                }
                known.push((specifiers, from));
            }
        }
    }
    Err(conflict(&learned))
}

enum Round {
    Done(Vec<Candidate>),
    Learned(PackageName, VersionSpecifiers, String),
}

fn round<P: Provider>(
    requirements: &[String],
    markers: &MarkerEnvironment,
    provider: &mut P,
    learned: &BTreeMap<PackageName, Vec<(VersionSpecifiers, String)>>,
    candidates: &mut BTreeMap<PackageName, Vec<Candidate>>,
) -> Result<Round, ResolveError> {
    let mut chosen: BTreeMap<PackageName, Candidate> = BTreeMap::new();
    let mut extras_done: BTreeSet<(PackageName, Option<ExtraName>)> = BTreeSet::new();
    // (requirement text, the extras of the package that asked for it, who asked)
    let mut queue: VecDeque<(String, Vec<ExtraName>, String)> = requirements
        .iter()
        .map(|r| (r.clone(), Vec::new(), "build-system.requires".to_string()))
        .collect();
    while let Some((text, parent_extras, from)) = queue.pop_front() {
        let requirement = parse_requirement(&text).map_err(|message| ResolveError::Invalid {
            requirement: text.clone(),
            message,
        })?;
        if !requirement.marker.evaluate(markers, &parent_extras) {
            continue;
        }
        let specifiers = match &requirement.version_or_url {
            None => VersionSpecifiers::empty(),
            Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers.clone(),
            Some(VersionOrUrl::Url(_)) => {
                return Err(ResolveError::DirectUrl { requirement: text })
            }
        };
        let name = requirement.name.clone();
        if let Some(existing) = chosen.get(&name) {
            if !specifiers.contains(&existing.version) {
                return Ok(Round::Learned(
                    name,
                    specifiers,
                    format!("{text} (from {from})"),
                ));
            }
        } else {
            if !candidates.contains_key(&name) {
                let mut offered = provider
                    .candidates(&name)
                    .map_err(|e| ResolveError::Provider(e.to_string()))?;
                offered.sort_by(|a, b| b.version.cmp(&a.version));
                candidates.insert(name.clone(), offered);
            }
            let allowed = |version: &Version| {
                specifiers.contains(version)
                    && learned
                        .get(&name)
                        .is_none_or(|all| all.iter().all(|(s, _)| s.contains(version)))
            };
            let pick = candidates[&name]
                .iter()
                .find(|c| allowed(&c.version))
                .cloned()
                .ok_or_else(|| {
                    let mut all = vec![specifiers.to_string()];
                    if let Some(known) = learned.get(&name) {
                        all.extend(known.iter().map(|(s, _)| s.to_string()));
                    }
                    all.retain(|s| !s.is_empty());
                    ResolveError::NoVersion {
                        name: name.to_string(),
                        constraints: if all.is_empty() {
                            "any version".to_string()
                        } else {
                            all.join(", ")
                        },
                    }
                })?;
            chosen.insert(name.clone(), pick);
        }
        // The package's own dependencies, once without extras and once per extra asked for.
        let candidate = chosen[&name].clone();
        let wanted: Vec<Option<ExtraName>> = std::iter::once(None)
            .chain(requirement.extras.iter().cloned().map(Some))
            .collect();
        for extra in wanted {
            if !extras_done.insert((name.clone(), extra.clone())) {
                continue;
            }
            let dependencies = provider
                .requires_dist(&candidate)
                .map_err(|e| ResolveError::Provider(e.to_string()))?;
            let extras: Vec<ExtraName> = extra.into_iter().collect();
            let asker = format!("{}=={}", candidate.name, candidate.version);
            for dependency in dependencies {
                queue.push_back((dependency, extras.clone(), asker.clone()));
            }
        }
    }
    Ok(Round::Done(chosen.into_values().collect()))
}

/// The `Requires-Dist` values of a wheel's `*.dist-info/METADATA`.
pub fn read_requires_dist(wheel: &std::path::Path) -> Result<Vec<String>, String> {
    use std::io::Read;
    let file = std::fs::File::open(wheel).map_err(|e| format!("{}: {e}", wheel.display()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| format!("{}: {e}", wheel.display()))?;
    let mut name = None;
    for index in 0..zip.len() {
        let entry = zip
            .by_index_raw(index)
            .map_err(|e| format!("{}: {e}", wheel.display()))?;
        let entry_name = entry
            .name()
            .map_err(|e| format!("{}: {e}", wheel.display()))?;
        if entry_name.ends_with(".dist-info/METADATA") && entry_name.matches('/').count() == 1 {
            name = Some(entry_name.into_owned());
            break;
        }
    }
    let name = name.ok_or_else(|| format!("{}: no .dist-info/METADATA", wheel.display()))?;
    let mut text = String::new();
    zip.by_name(&name)
        .map_err(|e| format!("{}: {e}", wheel.display()))?
        .take(16 * 1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| format!("{}: {name}: {e}", wheel.display()))?;
    let mut requires = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if let Some((key, value)) = line.split_once(':') {
            if key.trim().eq_ignore_ascii_case("Requires-Dist") {
                requires.push(value.trim().to_string());
            }
        }
    }
    Ok(requires)
}

fn conflict(learned: &BTreeMap<PackageName, Vec<(VersionSpecifiers, String)>>) -> ResolveError {
    let details = learned
        .values()
        .flatten()
        .map(|(_, from)| from.clone())
        .collect::<Vec<_>>()
        .join("; ");
    ResolveError::Conflict { details }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::str::FromStr;

    struct Fake {
        /// name → [(version, requires-dist)]
        index: HashMap<String, Vec<(&'static str, Vec<&'static str>)>>,
    }

    impl Provider for Fake {
        type Error = String;
        fn candidates(&mut self, name: &PackageName) -> Result<Vec<Candidate>, String> {
            let offered = self
                .index
                .get(name.as_ref())
                .ok_or(format!("no project {name}"))?;
            Ok(offered
                .iter()
                .map(|(version, _)| Candidate {
                    name: name.clone(),
                    version: Version::from_str(version).unwrap(),
                    file: format!("{name}-{version}-py3-none-any.whl"),
                })
                .collect())
        }
        fn requires_dist(&mut self, candidate: &Candidate) -> Result<Vec<String>, String> {
            let offered = &self.index[candidate.name.as_ref()];
            let (_, requires) = offered
                .iter()
                .find(|(v, _)| Version::from_str(v).unwrap() == candidate.version)
                .unwrap();
            Ok(requires.iter().map(|s| s.to_string()).collect())
        }
    }

    fn markers() -> MarkerEnvironment {
        crate::packaging::MarkerEnvironmentBuilder {
            implementation_name: "cpython",
            implementation_version: "3.11.2",
            os_name: "posix",
            platform_machine: "x86_64",
            platform_python_implementation: "CPython",
            platform_release: "",
            platform_system: "Linux",
            platform_version: "",
            python_full_version: "3.11.2",
            python_version: "3.11",
            sys_platform: "linux",
        }
        .try_into()
        .unwrap()
    }

    fn names(chosen: &[Candidate]) -> Vec<String> {
        chosen
            .iter()
            .map(|c| format!("{}=={}", c.name, c.version))
            .collect()
    }

    #[test]
    fn newest_allowed_versions_with_their_dependencies_and_markers() {
        let mut fake = Fake {
            index: HashMap::from([
                (
                    "hatchling".to_string(),
                    vec![
                        (
                            "1.27.0",
                            vec!["packaging>=24.2", "tomli>=1.2.2; python_version < '3.11'"],
                        ),
                        ("1.20.0", vec!["packaging>=21.3"]),
                    ],
                ),
                (
                    "packaging".to_string(),
                    vec![("25.0", vec![]), ("24.1", vec![])],
                ),
                ("tomli".to_string(), vec![("2.0.0", vec![])]),
            ]),
        };
        let chosen = resolve(&["hatchling".to_string()], &markers(), &mut fake).unwrap();
        assert_eq!(names(&chosen), vec!["hatchling==1.27.0", "packaging==25.0"]);
    }

    #[test]
    fn a_later_constraint_restarts_with_an_older_version() {
        let mut fake = Fake {
            index: HashMap::from([
                ("a".to_string(), vec![("1.0", vec!["c<2"])]),
                ("b".to_string(), vec![("1.0", vec![])]),
                ("c".to_string(), vec![("2.0", vec![]), ("1.5", vec![])]),
            ]),
        };
        let chosen = resolve(
            &["c".to_string(), "b".to_string(), "a".to_string()],
            &markers(),
            &mut fake,
        )
        .unwrap();
        assert_eq!(names(&chosen), vec!["a==1.0", "b==1.0", "c==1.5"]);
    }

    #[test]
    fn extras_pull_in_their_dependencies() {
        let mut fake = Fake {
            index: HashMap::from([
                ("a".to_string(), vec![("1.0", vec!["b; extra == 'fast'"])]),
                ("b".to_string(), vec![("1.0", vec![])]),
            ]),
        };
        let plain = resolve(&["a".to_string()], &markers(), &mut fake).unwrap();
        assert_eq!(names(&plain), vec!["a==1.0"]);
        let fast = resolve(&["a[fast]".to_string()], &markers(), &mut fake).unwrap();
        assert_eq!(names(&fast), vec!["a==1.0", "b==1.0"]);
    }

    #[test]
    fn unsatisfiable_requirements_are_named() {
        let mut fake = Fake {
            index: HashMap::from([("a".to_string(), vec![("1.0", vec![])])]),
        };
        let error = resolve(&["a>=2".to_string()], &markers(), &mut fake).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no wheel of a satisfies >=2 for this interpreter"
        );
        let error =
            resolve(&["a @ https://x/a.whl".to_string()], &markers(), &mut fake).unwrap_err();
        assert!(matches!(error, ResolveError::DirectUrl { .. }), "{error}");
    }
}
