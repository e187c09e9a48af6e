//! `verse tree`: the dependency graph of what `verse install` would install for the target
//! interpreter, drawn like `poetry show --tree` but only with what is really installed here:
//! the project's requirements in the selected groups at the top, and under each package the
//! requirements whose marker holds for this interpreter. A package already drawn above is
//! marked `(*)` and not expanded again (cargo tree's convention), so the output stays linear.

use std::collections::{BTreeMap, BTreeSet};

use super::install::{absolute, interpreters, probe_first, read_project, selection_of, venv_dir};
use crate::cli::TreeArgs;
use crate::error::Error;
use crate::lock::{Lock, LockedPackage, Project};
use crate::packaging::{ExtraName, MarkerTree, PackageName};
use crate::plan::{self, Plan, Policy};
use crate::report::Printer;
use crate::target::Target;

pub fn tree_command(args: &TreeArgs, printer: &Printer) -> Result<(), Error> {
    let project_dir = absolute(&args.input.project);
    let (project, lock) = read_project(&project_dir, args.input.allow_stale_lock, printer)?;
    let venv_dir = venv_dir(args.venv.as_deref(), &project_dir);
    let venv_exists = venv_dir.join("pyvenv.cfg").is_file();
    let candidates = interpreters(args.python.as_deref(), &venv_dir, venv_exists)?;
    let target = probe_first(&candidates, None, false).map_err(|(python, e)| {
        Error::input(format!("cannot use the interpreter {}", python.display()))
            .with_source(e)
            .with_hint("pass --python with a working interpreter (a path, or a version like 3.11)")
    })?;
    // The tree shows the selection; a missing wheel is install's error to report.
    let policy = Policy {
        allow_unhashed: true,
        no_editable: false,
    };
    let plan = plan::plan(
        &project,
        &lock,
        &target,
        &selection_of(&args.selection),
        policy,
    )
    .map_err(|e| {
        let hint = e.hint();
        Error::input("cannot work out what would be installed")
            .with_source(e)
            .with_optional_hint(hint)
    })?;
    printer.result(&draw(&project, &lock, &plan, &target));
    Ok(())
}

/// One requirement edge of the drawn graph.
struct Edge {
    name: PackageName,
    constraint: String,
    extras: Vec<ExtraName>,
}

/// The text of the tree.
pub(super) fn draw(project: &Project, lock: &Lock, plan: &Plan, target: &Target) -> String {
    let selected: BTreeMap<&PackageName, &LockedPackage> = plan
        .packages
        .iter()
        .filter_map(|p| {
            lock.packages
                .iter()
                .find(|l| l.name == p.name && l.version == p.version)
                .map(|l| (&l.name, l))
        })
        .collect();
    // Extras asked of each package anywhere: they switch its optional requirements on.
    let mut asked: BTreeMap<&PackageName, BTreeSet<ExtraName>> = BTreeMap::new();
    for group in &project.groups {
        for dependency in &group.dependencies {
            asked
                .entry(&dependency.name)
                .or_default()
                .extend(dependency.extras.iter().cloned());
        }
    }
    for package in selected.values() {
        for dependency in &package.dependencies {
            asked
                .entry(&dependency.name)
                .or_default()
                .extend(dependency.extras.iter().cloned());
        }
    }

    let holds = |marker: Option<&String>, extras: &[ExtraName]| -> bool {
        match marker {
            None => true,
            Some(text) => crate::packaging::pep508::parse_marker(text)
                .map(|tree: MarkerTree| tree.evaluate(&target.markers, extras))
                .unwrap_or(true),
        }
    };

    let mut roots: Vec<Edge> = Vec::new();
    for group in project
        .groups
        .iter()
        .filter(|g| plan.groups.contains(&g.name))
    {
        for dependency in &group.dependencies {
            if selected.contains_key(&dependency.name)
                && holds(dependency.markers.as_ref(), &plan.extras)
                && !roots.iter().any(|r| r.name == dependency.name)
            {
                roots.push(Edge {
                    name: dependency.name.clone(),
                    constraint: dependency.constraint.clone(),
                    extras: dependency.extras.clone(),
                });
            }
        }
    }
    roots.sort_by(|a, b| a.name.cmp(&b.name));

    let children = |package: &LockedPackage| -> Vec<Edge> {
        let extras: Vec<ExtraName> = asked
            .get(&package.name)
            .map(|e| e.iter().cloned().collect())
            .unwrap_or_default();
        let mut out: Vec<Edge> = Vec::new();
        for dependency in &package.dependencies {
            if !selected.contains_key(&dependency.name)
                || !holds(dependency.markers.as_ref(), &extras)
                || out.iter().any(|e| e.name == dependency.name)
            {
                continue;
            }
            if let Some(python) = &dependency.python {
                let allowed = crate::packaging::poetry_constraint::PoetryConstraint::parse(python)
                    .ok()
                    .zip(target.full_version.parse().ok())
                    .is_none_or(|(c, v)| c.contains(&v));
                if !allowed {
                    continue;
                }
            }
            out.push(Edge {
                name: dependency.name.clone(),
                constraint: dependency.constraint.clone(),
                extras: dependency.extras.clone(),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    };

    let mut out = String::new();
    let mut drawn: BTreeSet<PackageName> = BTreeSet::new();
    for root in &roots {
        let package = selected[&root.name];
        let extras = bracketed(&root.extras);
        out.push_str(&format!(
            "{}{extras} {}{}\n",
            package.name,
            package.pretty_version,
            if package.description.is_empty() {
                String::new()
            } else {
                format!(" {}", package.description)
            }
        ));
        drawn.insert(package.name.clone());
        let mut path = vec![package.name.clone()];
        draw_children(
            &mut out, package, "", &children, &selected, &mut drawn, &mut path,
        );
    }
    if let Some(root) = &plan.root {
        out.push_str(&format!(
            "{} {} (the project itself, editable)\n",
            root.name, root.version
        ));
    }
    let unreached: Vec<String> = selected
        .values()
        .filter(|p| !drawn.contains(&p.name))
        .map(|p| format!("{} {}", p.name, p.pretty_version))
        .collect();
    if !unreached.is_empty() {
        // Lock 2.1 selects by groups and markers, not by walking: a package can be selected
        // without an edge that holds here (its requirer's marker differs from its own).
        out.push_str(&format!(
            "also installed (selected by the lock, no requirement edge on this interpreter): {}\n",
            unreached.join(", ")
        ));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn draw_children(
    out: &mut String,
    package: &LockedPackage,
    prefix: &str,
    children: &dyn Fn(&LockedPackage) -> Vec<Edge>,
    selected: &BTreeMap<&PackageName, &LockedPackage>,
    drawn: &mut BTreeSet<PackageName>,
    path: &mut Vec<PackageName>,
) {
    let edges = children(package);
    let count = edges.len();
    for (i, edge) in edges.into_iter().enumerate() {
        let last = i + 1 == count;
        let child = selected[&edge.name];
        let constraint = if edge.constraint.trim().is_empty() {
            "*".to_string()
        } else {
            edge.constraint.clone()
        };
        let seen = drawn.contains(&child.name);
        out.push_str(&format!(
            "{prefix}{} {}{} {} → {}{}\n",
            if last { "└──" } else { "├──" },
            child.name,
            bracketed(&edge.extras),
            constraint,
            child.pretty_version,
            if seen { " (*)" } else { "" }
        ));
        if seen || path.contains(&child.name) {
            continue;
        }
        drawn.insert(child.name.clone());
        path.push(child.name.clone());
        let deeper = format!("{prefix}{}", if last { "    " } else { "│   " });
        draw_children(out, child, &deeper, children, selected, drawn, path);
        path.pop();
    }
}

fn bracketed(extras: &[ExtraName]) -> String {
    if extras.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = extras.iter().map(ToString::to_string).collect();
        format!("[{}]", names.join(","))
    }
}
