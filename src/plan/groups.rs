//! Which dependency groups and root extras are in effect, from Poetry's flags
//! (`--only/--with/--without/--all-groups`, `-E/--all-extras`), with Poetry's rules
//! (2.5.1 `GroupCommand.activated_groups`, `InstallCommand.handle`).

use std::collections::BTreeSet;

use super::{PlanError, Selection};
use crate::lock::{Lock, Project};
use crate::packaging::{normalize, ExtraName, GroupName};

/// The groups to install, in the project's declaration order.
pub fn activated(project: &Project, selection: &Selection) -> Result<Vec<GroupName>, PlanError> {
    let names = |values: &[String]| -> Vec<GroupName> {
        values
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(GroupName::new)
            .collect()
    };
    let only = names(&selection.only);
    let with = names(&selection.with);
    let without = names(&selection.without);

    let known: Vec<&GroupName> = project.groups.iter().map(|g| &g.name).collect();
    let mut unknown: Vec<String> = only
        .iter()
        .chain(&with)
        .chain(&without)
        .filter(|g| !known.contains(g))
        .map(ToString::to_string)
        .collect();
    unknown.dedup();
    if !unknown.is_empty() {
        let mut unknown_sorted = unknown;
        unknown_sorted.sort();
        unknown_sorted.dedup();
        return Err(PlanError::UnknownGroups {
            unknown: unknown_sorted,
            known: known.iter().map(ToString::to_string).collect(),
        });
    }

    let chosen = |group: &GroupName, optional: bool| -> bool {
        if selection.all_groups {
            true
        } else if !only.is_empty() {
            only.contains(group)
        } else {
            (!optional || with.contains(group)) && !without.contains(group)
        }
    };
    Ok(project
        .groups
        .iter()
        .filter(|g| chosen(&g.name, g.optional))
        .map(|g| g.name.clone())
        .collect())
}

/// Poetry's warning when `--only` makes `--with`/`--without` moot (2.5.1
/// `GroupCommand.activated_groups` ignores them the same way [`activated`] does).
pub fn ignored_options_warning(selection: &Selection) -> Option<String> {
    let given = |values: &[String]| {
        values
            .iter()
            .flat_map(|v| v.split(','))
            .any(|v| !v.trim().is_empty())
    };
    let moot = !selection.all_groups
        && given(&selection.only)
        && (given(&selection.with) || given(&selection.without));
    moot.then(|| {
        "the `--with` and `--without` options are ignored when used along with the `--only` option"
            .to_string()
    })
}

/// The root extras to install. Poetry validates `-E` names against the lock's `[extras]`
/// table and takes `--all-extras` from the project; names are normalized, and like Poetry we
/// also split on spaces (`-E "a b"`).
pub fn extras(
    project: &Project,
    lock: &Lock,
    selection: &Selection,
) -> Result<Vec<ExtraName>, PlanError> {
    let known: BTreeSet<String> = if lock.extras.is_empty() {
        project.extras.keys().map(ToString::to_string).collect()
    } else {
        lock.extras.keys().map(ToString::to_string).collect()
    };
    let requested: BTreeSet<String> = if selection.all_extras {
        known.clone()
    } else {
        selection
            .extras
            .iter()
            .flat_map(|e| e.split([',', ' ']))
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(normalize)
            .collect()
    };
    let unknown: Vec<String> = requested
        .iter()
        .filter(|e| !known.contains(*e))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(PlanError::UnknownExtras {
            unknown,
            known: known.into_iter().collect(),
        });
    }
    requested
        .into_iter()
        .map(|e| {
            ExtraName::new(e.clone()).map_err(|_| PlanError::UnknownExtras {
                unknown: vec![e],
                known: vec![],
            })
        })
        .collect()
}
