//! `verse install`, start to finish: read the project, probe the target, plan, then fetch
//! everything (verified) before the venv is touched, then install.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::cli::{InstallArgs, SelectionArgs, SourceArgs};
use crate::error::Error;
use crate::fetch::{self, Cache, Fetched, FetchedWheel};
use crate::install::{self, EditableProject, InstalledDistribution, WheelOptions};
use crate::locate::{LocateError, Locator, SourceOptions, OFFLINE_HINT};
use crate::lock::{self, content_hash};
use crate::plan::{self, Artifact, Direct, Plan, PlannedPackage, Policy, Selection};
use crate::report::{DownloadProgress, Printer, Summary};
use crate::target::{self, Target};
use crate::venv::{self, Venv};

pub fn install_command(args: &InstallArgs, printer: &Printer) -> Result<(), Error> {
    let started = Instant::now();
    let project_dir = absolute(&args.input.project);

    let (project, lock) = super::input::read_install_input(
        &project_dir,
        args.lock.as_deref(),
        args.input.allow_stale_lock,
        printer,
    )?;

    let venv_dir = venv_dir(args.venv.as_deref(), &project_dir);
    let venv_exists = venv_dir.join("pyvenv.cfg").is_file();
    let candidates = interpreters(args.python.as_deref(), &venv_dir, venv_exists)?;
    // The probe answer is cached beside the wheels (not with --no-cache).
    let cache_root = match (&args.fetch.cache_dir, args.fetch.no_cache) {
        (_, true) => None,
        (Some(dir), false) => Some(absolute(dir)),
        (None, false) => Cache::default_root(),
    };
    let target = probe_first(&candidates, cache_root.as_deref(), !args.dry_run).map_err(|(python, e)| {
        let error = Error::input(format!("cannot use the interpreter {}", python.display()))
            .with_source(e);
        if venv_exists && args.python.is_none() {
            error.with_hint(format!(
                "the existing venv at {} has a broken interpreter (was it copied from another machine?); delete it and run again",
                venv_dir.display()
            ))
        } else {
            error.with_hint("pass --python with a working interpreter (a path, or a version like 3.11)")
        }
    })?;
    printer.detail(format!(
        "Target: Python {} at {} ({} {})",
        target.full_version,
        target.executable.display(),
        target.markers.sys_platform(),
        target.markers.platform_machine()
    ));

    let selection = selection_of(&args.selection);
    let policy = Policy {
        allow_unhashed: args.allow_unhashed,
        no_editable: args.no_editable,
    };
    let plan = plan::plan(&project, &lock, &target, &selection, policy).map_err(|e| {
        let hint = e.hint();
        let class_input = Error::input("cannot plan the install").with_source(e);
        class_input.with_optional_hint(hint)
    })?;
    let planned = started.elapsed();
    for warning in &plan.warnings {
        printer.warn(warning);
    }

    // The cache must outlive the install: with --no-cache (or unhashed files) the fetched
    // wheels live in directories that are removed when it is dropped.
    let cache = if args.dry_run {
        None
    } else {
        Some(open_cache(args)?)
    };
    // From reading what is installed to the end, this process alone works on the venv.
    let _venv_lock = match &cache {
        Some(cache) => {
            let lock_dir = if args.fetch.no_cache {
                std::env::temp_dir().join("verse-locks")
            } else {
                cache.root().join("locks")
            };
            Some(super::venv_lock::lock(&lock_dir, &venv_dir, printer)?)
        }
        None => None,
    };
    let venv_exists = venv_dir.join("pyvenv.cfg").is_file();

    let installed = if venv_exists {
        let venv = venv::open(&venv_dir, &target).map_err(venv_error)?;
        install::installed(&venv).map_err(|e| {
            Error::failure(format!(
                "cannot read what is installed in {}",
                venv_dir.display()
            ))
            .with_source(e)
        })?
    } else {
        Vec::new()
    };
    let installed: HashMap<String, InstalledDistribution> = installed
        .into_iter()
        .map(|d| (d.name.to_string(), d))
        .collect();

    let Some(cache) = cache else {
        let text = if args.json {
            let timings = json_timings(planned, None, None, started);
            let report = super::json::install_report(
                &plan,
                &target,
                &venv_dir,
                args.sources.index_url.as_deref(),
                super::json::Outcome::DryRun(&installed),
                timings,
            );
            render_json(&report)?
        } else {
            describe_plan(&plan, &target, &venv_dir, &installed, args)
        };
        printer.result(&text);
        return Ok(());
    };

    // Work out what changes: same version installed means nothing to do (like Poetry).
    let mut work: Vec<(PlannedPackage, Option<InstalledDistribution>)> = Vec::new();
    let mut unchanged = 0;
    for package in &plan.packages {
        match installed.get(package.name.as_ref()) {
            Some(existing) if is_current(existing, package, &venv_dir) => unchanged += 1,
            existing => work.push((package.clone(), existing.cloned())),
        }
    }

    // Builds happen before the venv is touched too: a failed build changes nothing.
    // Directories and git checkouts need nothing downloaded, so they build while the
    // downloads run; the fetched sdists build once they are all here.
    let options = source_options(&args.sources);
    let builder = super::build::Builder::new(printer, &cache, &target, &options, &project.sources);
    // An editable git dependency is checked out inside the venv (`src/<name>`, as Poetry
    // does), so that venv must exist before it is built.
    let editable_git = work.iter().any(|(p, _)| {
        matches!(
            p.artifact,
            Artifact::Direct(Direct::Git { editable: true, .. })
        )
    });
    let mut early_venv = None;
    if editable_git && !venv_exists {
        printer.detail(format!("Creating virtualenv at {}", venv_dir.display()));
        early_venv = Some(venv::create(&venv_dir, &target).map_err(venv_error)?);
    }
    // Editable git checkouts replace the one in the venv: they go last, once everything
    // else has been fetched and built.
    let editable_git_job = |i: &usize| {
        matches!(
            work[*i].0.artifact,
            Artifact::Direct(Direct::Git { editable: true, .. })
        )
    };
    let in_place: Vec<usize> = (0..work.len())
        .filter(|&i| !is_fetched(&work[i].0) && !editable_git_job(&i))
        .collect();
    // Source archives are built as soon as each is verified on disk, by a pool of build
    // workers, while the remaining files download.
    let position: HashMap<&str, usize> = work
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.name.as_ref(), i))
        .collect();
    let expects_archives = work
        .iter()
        .any(|(p, _)| is_fetched(p) && p.artifact.needs_build());
    let (sender, receiver) = std::sync::mpsc::channel::<(usize, Fetched)>();
    let (fetched, built_in_place, built_archives) = std::thread::scope(|scope| {
        let early = scope.spawn(|| {
            let jobs = in_place.iter().map(|&i| (i, &work[i].0, None));
            build_parallel(&builder, jobs, &venv_dir)
        });
        // Only an install with archives to build pays for the build workers.
        let archives = expects_archives.then(|| {
            scope.spawn(|| {
                let jobs = receiver
                    .into_iter()
                    .map(|(i, archive)| (i, &work[i].0, Some(archive)));
                build_parallel(&builder, jobs, &venv_dir)
            })
        });
        let on_archive = |package: &PlannedPackage, archive: &Fetched| {
            if let Some(&i) = position.get(package.name.as_ref()) {
                let _ = sender.send((i, archive.clone()));
            }
        };
        let fetched = fetch_all(args, printer, &cache, &project, &target, &work, &on_archive);
        // No more archives: the build workers stop once the queue is empty.
        drop(sender);
        let panicked = |_| Err(Error::failure("a build thread panicked"));
        let early = early.join().unwrap_or_else(panicked);
        let archives = archives.map_or(Ok(Vec::new()), |a| a.join().unwrap_or_else(panicked));
        (fetched, early, archives)
    });
    let fetched = fetched?;
    let built_in_place = built_in_place?;
    let built_archives = built_archives?;
    let fetched_at = started.elapsed();
    // Fetched wheels are installed as they are; built ones take their places.
    let mut wheels: Vec<Option<FetchedWheel>> = fetched
        .into_iter()
        .map(|f| match f {
            Some(Fetched::Wheel(wheel)) => Some(wheel),
            _ => None,
        })
        .collect();
    for (i, wheel) in built_in_place.into_iter().chain(built_archives) {
        wheels[i] = Some(wheel);
    }
    for i in (0..work.len()).filter(editable_git_job) {
        wheels[i] = Some(builder.wheel_for(&work[i].0, None, &venv_dir)?.wheel);
    }
    let wheels: Vec<FetchedWheel> = wheels.into_iter().flatten().collect();
    let root_wheel = match &plan.root {
        Some(root) if !root.editable => {
            let wheel = builder.root_wheel(&root.name, &root.version, &root.root)?;
            let previous = installed.get(root.name.as_ref()).cloned();
            Some((wheel, previous))
        }
        _ => None,
    };

    let venv = if let Some(venv) = early_venv {
        venv
    } else if venv_exists {
        venv::open(&venv_dir, &target).map_err(venv_error)?
    } else {
        printer.detail(format!("Creating virtualenv at {}", venv_dir.display()));
        venv::create(&venv_dir, &target).map_err(venv_error)?
    };

    let linker = install::Linker::new(args.link_mode.parse().map_err(Error::input)?);
    let (mut summary, mut dists) = install_all(&venv, work, wheels, &cache, &linker)?;
    if !summary.installed.is_empty() && !cache.is_temporary() {
        printer.detail(format!("Files placed by {}", linker.mode().as_str()));
    }
    summary.unchanged = unchanged;

    if let (Some(root), Some((wheel, previous))) = (&plan.root, root_wheel) {
        dists.push(install_root_wheel(&venv, root, &wheel, previous.as_ref())?);
        summary
            .installed
            .push((root.name.to_string(), root.version.clone()));
        if let Some(previous) = previous {
            summary
                .removed
                .push((previous.name.to_string(), previous.version.to_string()));
        }
    } else if let Some(root) = &plan.root {
        // install_editable replaces any previous install of the project itself.
        let previous = installed.get(root.name.as_ref());
        let editable = EditableProject {
            name: root.name.clone(),
            version: root.version.clone(),
            root: root.root.clone(),
            package: root.package.clone(),
        };
        install::install_editable(&venv, &editable).map_err(|e| {
            Error::failure(format!("cannot install the project {} (editable)", root.name))
                .with_source(e)
                .with_hint("pass --no-root to install only the dependencies, or set `package-mode = false` in pyproject.toml")
        })?;
        let same = previous.is_some_and(|p| root.version.parse().ok().as_ref() == Some(&p.version));
        if !same {
            summary
                .installed
                .push((root.name.to_string(), root.version.clone()));
        } else {
            summary.unchanged += 1;
        }
    }

    // The project built as a wheel is compiled too; an editable one is source the user runs.
    if args.compile {
        compile(&venv, &dists, printer)?;
    }

    if args.sync {
        sync(&venv, &plan, &installed, &mut summary)?;
    }

    drop(cache);
    summary.elapsed = started.elapsed();
    printer.summary(&summary);
    if args.json {
        let timings = json_timings(planned, Some(fetched_at), Some(summary.elapsed), started);
        let report = super::json::install_report(
            &plan,
            &target,
            &venv_dir,
            args.sources.index_url.as_deref(),
            super::json::Outcome::Done(&summary),
            timings,
        );
        printer.result(&render_json(&report)?);
    }
    Ok(())
}

/// Phase durations from the marks taken along the way (each mark is time since start).
fn json_timings(
    planned: std::time::Duration,
    fetched: Option<std::time::Duration>,
    done: Option<std::time::Duration>,
    started: Instant,
) -> crate::report::json::Timings {
    use crate::report::json::seconds;
    let total = started.elapsed();
    let fetched_at = fetched.unwrap_or(planned);
    crate::report::json::Timings {
        plan_seconds: seconds(planned),
        fetch_seconds: seconds(fetched_at.saturating_sub(planned)),
        install_seconds: seconds(done.unwrap_or(fetched_at).saturating_sub(fetched_at)),
        total_seconds: seconds(total),
    }
}

pub(super) fn render_json<T: serde::Serialize>(document: &T) -> Result<String, Error> {
    crate::report::json::render(document)
        .map_err(|e| Error::failure("cannot write the JSON report").with_source(e))
}

/// Fetches every file the work needs, concurrently, before anything is installed; every
/// failure is reported together.
fn fetch_all(
    args: &InstallArgs,
    printer: &Printer,
    cache: &Cache,
    project: &lock::Project,
    target: &Target,
    work: &[(PlannedPackage, Option<InstalledDistribution>)],
    on_archive: OnArchive<'_>,
) -> Result<Vec<Option<Fetched>>, Error> {
    // Directories and git checkouts are not fetched: the build step reads them in place.
    let packages: Vec<PlannedPackage> = work
        .iter()
        .map(|(p, _)| p.clone())
        .filter(is_fetched)
        .collect();
    let fetched = fetch_packages_unpacking(
        printer,
        cache,
        &source_options(&args.sources),
        &project.sources,
        &target.tags,
        &packages,
        args.fetch.concurrent_downloads,
        !cache.is_temporary(),
        Some(on_archive),
    )?;
    Ok(order(work, fetched))
}

/// Turns each job's package (and its fetched file, if any) into the wheel to install:
/// wheels pass through, everything else is built, several at a time (bounded by cores).
/// `jobs` may be a queue that is still being filled (the archives of a running download):
/// workers take from it until it ends. Every failure is reported together.
fn build_parallel<'p>(
    builder: &super::build::Builder<'_>,
    jobs: impl Iterator<Item = (usize, &'p PlannedPackage, Option<Fetched>)> + Send,
    venv_dir: &Path,
) -> Result<Vec<(usize, FetchedWheel)>, Error> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let workers = match jobs.size_hint() {
        (_, Some(0)) => return Ok(Vec::new()),
        (_, Some(most)) => cores.min(most),
        (_, None) => cores,
    };
    let queue = std::sync::Mutex::new(jobs);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let job = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                let Some((index, package, fetched)) = job else {
                    break;
                };
                let result = builder
                    .wheel_for(package, fetched, venv_dir)
                    .map(|built| (index, built.wheel));
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(result);
            });
        }
    });
    let mut wheels = Vec::new();
    let mut errors = Vec::new();
    for result in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
        match result {
            Ok(wheel) => wheels.push(wheel),
            Err(error) => errors.push(error),
        }
    }
    if let Some(mut error) = combine(errors) {
        error.message = error
            .message
            .replace("files could not be fetched", "packages could not be built");
        return Err(error);
    }
    Ok(wheels)
}

/// Whether a package's file is downloaded or copied (everything but directories and git).
fn is_fetched(package: &PlannedPackage) -> bool {
    !matches!(
        package.artifact,
        Artifact::Direct(Direct::Directory { .. } | Direct::Git { .. })
    )
}

/// The locate options the source flags ask for.
pub(super) fn source_options(args: &SourceArgs) -> SourceOptions {
    SourceOptions {
        index_url: args.index_url.clone(),
        extra_index_urls: args.extra_index_urls.clone(),
        find_links: args.find_links.iter().map(|d| absolute(d)).collect(),
        source_urls: args.source_urls.clone(),
        offline: args.offline,
    }
}

/// Gets each package's file into the cache, verified: from the cache itself, else located
/// (local folders first) and fetched, `concurrency` at a time. The result is in the order of
/// `packages`. All failures are reported together; with `--offline`, every missing file is
/// named in one error.
pub(super) fn fetch_packages(
    printer: &Printer,
    cache: &Cache,
    options: &SourceOptions,
    sources: &[lock::SourceDecl],
    tags: &crate::packaging::Tags,
    packages: &[PlannedPackage],
    concurrency: u16,
) -> Result<Vec<Fetched>, Error> {
    fetch_packages_unpacking(
        printer,
        cache,
        options,
        sources,
        tags,
        packages,
        concurrency,
        false,
        None,
    )
}

/// Called with each verified source archive as soon as it is on disk (from the cache or
/// downloaded), so its build can start while other files still download.
type OnArchive<'a> = &'a (dyn Fn(&PlannedPackage, &Fetched) + Sync);

/// [`fetch_packages`], and with `unpack`, each verified download is also unpacked into the
/// cache's unpacked tree as soon as it is complete, while the others still download (at most
/// one unpack per core at a time); the install then only links. An unpack that fails here is
/// left for the install to redo and report. Each source archive is handed to `on_archive`.
#[allow(clippy::too_many_arguments)]
fn fetch_packages_unpacking(
    printer: &Printer,
    cache: &Cache,
    options: &SourceOptions,
    sources: &[lock::SourceDecl],
    tags: &crate::packaging::Tags,
    packages: &[PlannedPackage],
    concurrency: u16,
    unpack: bool,
    on_archive: Option<OnArchive<'_>>,
) -> Result<Vec<Fetched>, Error> {
    let mut fetched: Vec<Option<Fetched>> = Vec::with_capacity(packages.len());
    let mut missing = Vec::new();
    for (position, package) in packages.iter().enumerate() {
        let hit = fetch::from_cache(cache, package);
        match (&hit, on_archive) {
            (None, _) => missing.push(position),
            (Some(archive @ Fetched::Archive(_)), Some(on_archive)) => on_archive(package, archive),
            _ => {}
        }
        fetched.push(hit);
    }
    if missing.is_empty() {
        return Ok(fetched.into_iter().flatten().collect());
    }
    printer.detail(format!(
        "{} cached, {} to fetch",
        packages.len() - missing.len(),
        missing.len()
    ));

    let locator = Locator::new(options, sources).map_err(|e| {
        let hint = e.hint();
        let error = Error::input("invalid package source").with_source(e);
        error.with_optional_hint(hint)
    })?;
    // Every package's source must be known before anything is downloaded.
    for &position in &missing {
        locator.index_for(&packages[position]).map_err(|e| {
            let hint = e.hint();
            let error = Error::input("cannot tell where to download from").with_source(e);
            error.with_optional_hint(hint)
        })?;
    }
    let progress = Arc::new(DownloadProgress::new(printer, missing.len()));
    let reporter: Arc<dyn fetch::Reporter> = progress.clone();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::failure("cannot start the async runtime").with_source(e))?;
    let limit = Arc::new(tokio::sync::Semaphore::new(usize::from(concurrency)));
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let unpacking = Arc::new(tokio::sync::Semaphore::new(cores));
    let results: Vec<Result<Fetched, TaskError>> = runtime.block_on(async {
        let tasks = missing.iter().map(|&position| {
            let package = &packages[position];
            let (limit, unpacking) = (limit.clone(), unpacking.clone());
            let (locator, reporter) = (&locator, &reporter);
            async move {
                let permit = limit.acquire().await.map_err(|_| {
                    TaskError::Other(Error::failure("the download queue closed unexpectedly"))
                })?;
                let located = locator
                    .locate(package, tags)
                    .await
                    .map_err(|e| TaskError::Locate(Box::new((package.clone(), e))))?;
                printer.detail(format!("{}: from {}", located.file, located.origin));
                let wheel = fetch::download(cache, package, &located, reporter)
                    .await
                    .map_err(|e| {
                        let refused = matches!(
                            e,
                            fetch::FetchError::Status {
                                status: 401 | 403,
                                ..
                            }
                        );
                        let error = Error::failure(format!(
                            "cannot fetch {}=={}",
                            package.name, package.pretty_version
                        ))
                        .with_source(e);
                        TaskError::Other(if refused {
                            error.with_hint(format!(
                                "{} listed the file but its host refused the download: give that host credentials (POETRY_HTTP_BASIC_<SOURCE>_USERNAME/_PASSWORD, the URL, or ~/.netrc)",
                                located.origin
                            ))
                        } else {
                            error
                        })
                    })?;
                // The next download need not wait for this unpack or build.
                drop(permit);
                if let (Fetched::Archive(_), Some(on_archive)) = (&wheel, on_archive) {
                    on_archive(package, &wheel);
                }
                if let (true, Fetched::Wheel(fetched)) = (unpack, &wheel) {
                    if let (Some(hash), Ok(_slot)) = (fetched.hash(), unpacking.acquire().await) {
                        let (path, filename, dir, tmp) = (
                            fetched.path().to_path_buf(),
                            fetched.filename().clone(),
                            cache.unpacked_dir(hash),
                            cache.tmp_dir(),
                        );
                        let _ = tokio::task::spawn_blocking(move || {
                            install::prepare_unpacked(&path, &filename, &dir, &tmp)
                        })
                        .await;
                    }
                }
                Ok(wheel)
            }
        });
        futures_util::future::join_all(tasks).await
    });
    progress.finish();

    let mut errors = Vec::new();
    let mut offline = Vec::new();
    for (&position, result) in missing.iter().zip(results) {
        match result {
            Ok(wheel) => fetched[position] = Some(wheel),
            Err(TaskError::Locate(boxed)) => {
                let (package, e) = *boxed;
                if let LocateError::Offline { package, file } = &e {
                    offline.push(format!("{file} ({package})"));
                    continue;
                }
                let hint = e.hint();
                let error = Error::failure(format!(
                    "cannot find {}=={}",
                    package.name, package.pretty_version
                ))
                .with_source(e);
                errors.push(error.with_optional_hint(hint));
            }
            Err(TaskError::Other(error)) => errors.push(error),
        }
    }
    if !offline.is_empty() {
        offline.sort();
        let mut message = if offline.len() == 1 {
            "1 file is not in the cache or any local source, and --offline forbids downloading it:"
                .to_string()
        } else {
            format!(
                "{} files are not in the cache or any local source, and --offline forbids downloading them:",
                offline.len()
            )
        };
        for line in &offline {
            message.push_str(&format!("\n- {line}"));
        }
        if !errors.is_empty() {
            message.push_str(&format!(
                "\nand {} other error(s), the first: {}",
                errors.len(),
                errors[0].message
            ));
        }
        return Err(Error::failure(message).with_hint(OFFLINE_HINT));
    }
    if let Some(error) = combine(errors) {
        return Err(error);
    }
    Ok(fetched.into_iter().flatten().collect())
}

enum TaskError {
    Locate(Box<(PlannedPackage, LocateError)>),
    Other(Error),
}

/// Puts fetched files in the same order as the work list (`None` where nothing is fetched).
fn order(
    work: &[(PlannedPackage, Option<InstalledDistribution>)],
    fetched: Vec<Fetched>,
) -> Vec<Option<Fetched>> {
    let mut by_name: HashMap<String, Fetched> = fetched
        .into_iter()
        .map(|f| (f.name().to_string(), f))
        .collect();
    work.iter()
        .map(|(p, _)| by_name.remove(p.name.as_ref()))
        .collect()
}

/// Poetry leaves a package alone when the same version is installed from the same place
/// (its `direct_url.json`, for path, git and url packages; none for index packages).
fn is_current(
    installed: &InstalledDistribution,
    package: &PlannedPackage,
    venv_dir: &Path,
) -> bool {
    if installed.version != package.version {
        return false;
    }
    let recorded = std::fs::read_to_string(installed.dist_info.join("direct_url.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    let expected = direct_url(package)
        .or_else(|| editable_git_url(venv_dir, package))
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    if recorded != expected {
        return false;
    }
    // An editable git checkout is current only at the locked commit.
    match &package.artifact {
        Artifact::Direct(Direct::Git {
            editable: true,
            commit: Some(commit),
            url,
            ..
        }) => {
            let checkout = super::build::editable_checkout(venv_dir, url, &package.name);
            crate::build::git::head(&checkout, url).is_ok_and(|head| &head == commit)
        }
        _ => true,
    }
}

/// `direct_url.json` (PEP 610) as Poetry writes it for path, git, file and url packages:
/// Python's `json.dumps` of the same dict, so the bytes match too.
pub(super) fn direct_url(package: &PlannedPackage) -> Option<String> {
    let Artifact::Direct(direct) = &package.artifact else {
        return None;
    };
    let json = |value: &str| serde_json::Value::from(value).to_string();
    // Poetry records `Path(...).resolve()`: no `..`, symlinks followed.
    let file_url = |path: &Path| {
        let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| absolute(path));
        reqwest::Url::from_file_path(&resolved)
            .map(|u| u.to_string())
            .unwrap_or_else(|()| format!("file://{}", resolved.display()))
    };
    let archive_info = |hash: &Option<crate::packaging::FileHash>| match hash {
        Some(hash) => format!(
            "{{\"hashes\": {{{}: {}}}}}",
            json(hash.algorithm.as_str()),
            json(&hash.hex)
        ),
        None => "{}".to_string(),
    };
    Some(match direct {
        Direct::Directory { path, editable } => format!(
            "{{\"url\": {}, \"dir_info\": {}}}",
            json(&file_url(path)),
            if *editable {
                "{\"editable\": true}"
            } else {
                "{}"
            }
        ),
        Direct::Git {
            url,
            reference,
            commit,
            subdirectory,
            editable: false,
        } => {
            let mut text = format!(
                "{{\"url\": {}, \"vcs_info\": {{\"vcs\": \"git\", \"requested_revision\": {}, \"commit_id\": {}}}",
                json(url),
                json(reference),
                commit.as_deref().map_or("null".to_string(), json)
            );
            if let Some(sub) = subdirectory {
                text.push_str(&format!(", \"subdirectory\": {}", json(sub)));
            }
            text.push('}');
            text
        }
        // Poetry records an editable git dependency as the directory it checked out.
        Direct::Git { editable: true, .. } => return None,
        Direct::File { path, hash, .. } => format!(
            "{{\"url\": {}, \"archive_info\": {}}}",
            json(&file_url(path)),
            archive_info(hash)
        ),
        Direct::Url { url, hash, .. } => format!(
            "{{\"url\": {}, \"archive_info\": {}}}",
            json(url),
            archive_info(hash)
        ),
    })
}

/// `direct_url.json` for an editable git dependency checked out at `<venv>/src/<name>`.
fn editable_git_url(venv_root: &Path, package: &PlannedPackage) -> Option<String> {
    let Artifact::Direct(Direct::Git {
        editable: true,
        url,
        ..
    }) = &package.artifact
    else {
        return None;
    };
    let checkout = super::build::editable_checkout(venv_root, url, &package.name);
    let url = reqwest::Url::from_file_path(&checkout).ok()?;
    Some(format!(
        "{{\"url\": {}, \"dir_info\": {{\"editable\": true}}}}",
        serde_json::Value::from(url.to_string())
    ))
}

/// Installs the project built as a wheel (`--no-editable`), replacing any earlier install
/// of it (editable or not).
fn install_root_wheel(
    venv: &Venv,
    root: &plan::PlannedRoot,
    wheel: &FetchedWheel,
    previous: Option<&InstalledDistribution>,
) -> Result<InstalledDistribution, Error> {
    if let Some(previous) = previous {
        install::uninstall(venv, previous).map_err(|e| {
            Error::failure(format!("cannot remove the installed project {}", root.name))
                .with_source(e)
                .with_hint("fix the cause and run the same command again")
        })?;
    }
    // pip and uv record a project installed from its directory like this.
    let url = reqwest::Url::from_file_path(&root.root)
        .map(|u| u.to_string())
        .unwrap_or_default();
    let options = WheelOptions {
        requested: true,
        direct_url: Some(format!(
            "{{\"url\": {}, \"dir_info\": {{}}}}",
            serde_json::Value::from(url)
        )),
    };
    let dist =
        install::install_wheel(venv, wheel.path(), wheel.filename(), &options).map_err(|e| {
            Error::failure(format!(
                "cannot install the project {} (built as a wheel)",
                root.name
            ))
            .with_source(e)
        })?;
    install::touch_site_packages(venv);
    Ok(dist)
}

/// One error for many: the first in full, and a line for each of the others.
pub(super) fn combine(mut errors: Vec<Error>) -> Option<Error> {
    if errors.len() <= 1 {
        return errors.pop();
    }
    let count = errors.len();
    let mut first = errors.remove(0);
    let mut message = format!(
        "{count} files could not be fetched; the first: {}",
        first.message
    );
    for other in &errors {
        message.push_str(&format!("\n- {}", other.message));
        if let Some(cause) = other.causes().last() {
            message.push_str(&format!(": {cause}"));
        }
    }
    first.message = message;
    Some(first)
}

/// Removes the versions being replaced, then installs the fetched wheels in parallel (one
/// task per wheel, bounded by cores). Removal comes first and alone because packages may share
/// files (pkgutil-style namespace `__init__.py`): removing an old version while another
/// package installs the same file would delete the fresh copy. All errors are reported together.
fn install_all(
    venv: &Venv,
    work: Vec<(PlannedPackage, Option<InstalledDistribution>)>,
    fetched: Vec<FetchedWheel>,
    cache: &Cache,
    linker: &install::Linker,
) -> Result<(Summary, Vec<InstalledDistribution>), Error> {
    // Wheels arrive in work order (see `order`); a gap would pair packages with the wrong files.
    let names_match = work.len() == fetched.len()
        && work
            .iter()
            .zip(&fetched)
            .all(|((package, _), wheel)| &package.name == wheel.name());
    if !names_match {
        return Err(Error::failure(
            "internal error: the fetched wheels do not match the packages to install; nothing was installed",
        ));
    }
    for (package, previous) in &work {
        if let Some(previous) = previous {
            install::uninstall(venv, previous).map_err(|e| {
                Error::failure(format!(
                    "cannot remove {}=={} to replace it with {}",
                    previous.name, previous.version, package.pretty_version
                ))
                .with_source(e)
                .with_hint("fix the cause and run the same command again: the removal resumes where it stopped")
            })?;
        }
    }
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut jobs: Vec<_> = work.into_iter().zip(fetched).collect();
    // Largest wheels first: taken last, scipy's thousands of files were linked by one worker
    // while the others had nothing left to do.
    jobs.sort_by_cached_key(|(_, wheel)| {
        std::cmp::Reverse(std::fs::metadata(wheel.path()).map_or(0, |m| m.len()))
    });
    let next = std::sync::Mutex::new(jobs.into_iter());
    let outcomes = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let job = next.lock().unwrap_or_else(|e| e.into_inner()).next();
                let Some(((package, previous), wheel)) = job else {
                    break;
                };
                let outcome = install_one(venv, &package, &wheel, cache, linker);
                outcomes
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((package, previous, outcome));
            });
        }
    });
    install::touch_site_packages(venv);

    let mut summary = Summary::default();
    let mut dists = Vec::new();
    let mut errors = Vec::new();
    let mut outcomes = outcomes.into_inner().unwrap_or_else(|e| e.into_inner());
    // By name, whichever worker finished first: the report lists them in a stable order.
    outcomes.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    for (package, previous, outcome) in outcomes {
        match outcome {
            Ok(dist) => {
                dists.push(dist);
                summary
                    .installed
                    .push((package.name.to_string(), package.pretty_version.clone()));
                if let Some(previous) = previous {
                    summary
                        .removed
                        .push((previous.name.to_string(), previous.version.to_string()));
                }
            }
            Err(error) => errors.push(error),
        }
    }
    if let Some(mut error) = combine(errors) {
        error.message = error
            .message
            .replace("could not be fetched", "could not be installed");
        return Err(error.with_hint(
            "packages that were installed are complete; fix the cause and run the same command again",
        ));
    }
    Ok((summary, dists))
}

/// `--compile`: bytecode for the distributions just installed, one interpreter per core.
fn compile(venv: &Venv, dists: &[InstalledDistribution], printer: &Printer) -> Result<(), Error> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let compiled = install::compile(venv, dists, workers).map_err(|e| {
        Error::failure("cannot compile the installed packages to bytecode")
            .with_source(e)
            .with_hint("the packages are installed; run again without --compile, or fix the cause")
    })?;
    printer.detail(format!(
        "Compiled {} to bytecode{}",
        crate::report::count(compiled.files, "file"),
        if compiled.failed > 0 {
            format!(" ({} did not compile and were skipped)", compiled.failed)
        } else {
            String::new()
        }
    ));
    Ok(())
}

/// Installs one wheel: through the cache's unpacked tree when the wheel is a verified cache
/// entry, else (`--no-cache`, an unhashed file) by unzipping it directly.
fn install_one(
    venv: &Venv,
    package: &PlannedPackage,
    wheel: &FetchedWheel,
    cache: &Cache,
    linker: &install::Linker,
) -> Result<InstalledDistribution, Error> {
    let options = WheelOptions {
        requested: package.requested,
        direct_url: direct_url(package).or_else(|| editable_git_url(&venv.root, package)),
    };
    let result = match wheel.hash().filter(|_| !cache.is_temporary()) {
        Some(hash) => {
            let tmp = cache.tmp_dir();
            let unpacked = install::UnpackedCache {
                dir: cache.unpacked_dir(hash),
                tmp: &tmp,
                linker,
            };
            install::install_wheel_cached(venv, wheel.path(), wheel.filename(), &options, &unpacked)
        }
        None => install::install_wheel(venv, wheel.path(), wheel.filename(), &options),
    };
    result.map_err(|e| {
        Error::failure(format!(
            "cannot install {}=={}",
            package.name, package.pretty_version
        ))
        .with_source(e)
    })
}

fn open_cache(args: &InstallArgs) -> Result<Cache, Error> {
    open_cache_at(args.fetch.no_cache, args.fetch.cache_dir.as_deref())
}

pub(super) fn open_cache_at(no_cache: bool, cache_dir: Option<&Path>) -> Result<Cache, Error> {
    if no_cache {
        return Cache::temporary().map_err(|e| {
            Error::failure("cannot create a temporary download directory").with_source(e)
        });
    }
    let root = match cache_dir {
        Some(dir) => absolute(dir),
        None => Cache::default_root().ok_or_else(|| {
            Error::input("cannot find a cache directory: neither XDG_CACHE_HOME nor HOME is set")
                .with_hint("pass --cache-dir DIR, or --no-cache")
        })?,
    };
    Cache::open(&root).map_err(|e| {
        Error::failure(format!("cannot use the cache at {}", root.display()))
            .with_source(e)
            .with_hint("pass --cache-dir with a writable directory, or --no-cache")
    })
}

/// `--sync`: removes what was installed before this run and is not in the selection. Poetry
/// keeps the venv's own pip (unless locked) and the project itself; so do we.
fn sync(
    venv: &Venv,
    plan: &Plan,
    installed: &HashMap<String, InstalledDistribution>,
    summary: &mut Summary,
) -> Result<(), Error> {
    let mut keep: std::collections::HashSet<&str> =
        plan.packages.iter().map(|p| p.name.as_ref()).collect();
    keep.insert("pip");
    if let Some(root) = &plan.root {
        keep.insert(root.name.as_ref());
    }
    let mut extra: Vec<&InstalledDistribution> = installed
        .values()
        .filter(|d| !keep.contains(d.name.as_ref()))
        .collect();
    extra.sort_by(|a, b| a.name.cmp(&b.name));
    for dist in extra {
        install::uninstall(venv, dist).map_err(|e| {
            Error::failure(format!(
                "cannot remove {}=={} (--sync)",
                dist.name, dist.version
            ))
            .with_source(e)
            .with_hint("fix the cause and run the same command again")
        })?;
        summary
            .removed
            .push((dist.name.to_string(), dist.version.to_string()));
    }
    Ok(())
}

/// Reads the project and refuses a stale lock (Poetry's content-hash), unless allowed.
pub(super) fn read_project(
    project_dir: &Path,
    allow_stale_lock: bool,
    printer: &Printer,
) -> Result<(lock::Project, lock::Lock), Error> {
    let (project, lock) = lock::read(project_dir).map_err(lock_error)?;
    if !content_hash::is_fresh(&project, &lock) {
        let message = format!(
            "poetry.lock is out of date: pyproject.toml changed since the lock was written (in {})",
            project_dir.display()
        );
        if allow_stale_lock {
            printer.warn(format!("{message}; going on anyway (--allow-stale-lock)"));
        } else {
            return Err(Error::input(message).with_hint(
                "run `poetry lock` to update it, or pass --allow-stale-lock to use the lock as it is",
            ));
        }
    }
    Ok((project, lock))
}

/// The planner's view of Poetry's group and extra flags.
pub(super) fn selection_of(args: &SelectionArgs) -> Selection {
    Selection {
        // Poetry 1.x's `--no-dev` is `--only main`.
        only: if args.no_dev {
            vec!["main".to_string()]
        } else {
            args.only.clone()
        },
        with: args.with.clone(),
        without: args.without.clone(),
        all_groups: args.all_groups,
        extras: args.extras.clone(),
        all_extras: args.all_extras,
        no_root: args.no_root,
        only_root: args.only_root,
    }
}

pub(super) fn venv_dir(venv: Option<&Path>, project_dir: &Path) -> PathBuf {
    if let Some(dir) = venv {
        return absolute(dir);
    }
    if let Some(active) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        return absolute(Path::new(&active));
    }
    project_dir.join(".venv")
}

/// The interpreters to try, best first: `--python` (a path, a command, or `X.Y`: every match
/// on PATH, since the first may be a shim that cannot run that version), else the venv's own,
/// else `python3` on PATH.
pub(super) fn interpreters(
    python: Option<&str>,
    venv_dir: &Path,
    venv_exists: bool,
) -> Result<Vec<PathBuf>, Error> {
    let request = match (python, venv_exists) {
        (Some(request), _) => request.to_string(),
        (None, true) => {
            return venv::interpreter(venv_dir).map(|p| vec![p]).ok_or_else(|| {
                Error::input(format!(
                    "{} has a pyvenv.cfg but no bin/python",
                    venv_dir.display()
                ))
                .with_hint("delete the broken venv and run again")
            })
        }
        (None, false) => "python3".to_string(),
    };
    if request.contains('/') {
        return Ok(vec![absolute(Path::new(&request))]);
    }
    let command = if is_version(&request) {
        format!("python{request}")
    } else {
        request.clone()
    };
    let found = find_on_path(&command);
    if found.is_empty() {
        return Err(Error::input(format!("no interpreter `{command}` on PATH"))
            .with_hint("pass --python with the path of a Python interpreter"));
    }
    Ok(found)
}

/// Probes the candidates in order; the first that works is the target. If none does, the
/// first one's failure is the one to report.
pub(super) fn probe_first(
    candidates: &[PathBuf],
    cache_root: Option<&Path>,
    store: bool,
) -> Result<Target, (PathBuf, target::ProbeError)> {
    let mut first_failure = None;
    for python in candidates {
        match target::probe_cached(python, cache_root, store) {
            Ok(target) => return Ok(target),
            Err(error) => {
                first_failure.get_or_insert((python.clone(), error));
            }
        }
    }
    Err(first_failure.expect("interpreters() returns at least one candidate"))
}

fn is_version(text: &str) -> bool {
    let mut parts = text.split('.');
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if all_digits(a) && all_digits(b))
}

fn find_on_path(command: &str) -> Vec<PathBuf> {
    let Some(path) = std::env::var_os("PATH") else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = Vec::new();
    for candidate in std::env::split_paths(&path).map(|dir| dir.join(command)) {
        if candidate.is_file() && !found.contains(&candidate) {
            found.push(candidate);
        }
    }
    found
}

pub(super) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

pub(super) fn lock_error(error: lock::LockError) -> Error {
    let hint = match &error {
        lock::LockError::Read { path, .. } if path.ends_with("poetry.lock") => {
            Some("run `poetry lock` to create it, or pass --project with the project's directory")
        }
        lock::LockError::Read { .. } => {
            Some("pass --project with the directory holding pyproject.toml and poetry.lock")
        }
        lock::LockError::UnsupportedLockVersion { .. } => {
            Some("upgrade verse, or relock with the Poetry version your team uses")
        }
        _ => None,
    };
    let error = Error::input("cannot read the project").with_source(error);
    error.with_optional_hint(hint)
}

pub(super) fn venv_error(error: venv::VenvError) -> Error {
    let hint = match &error {
        venv::VenvError::WrongPython { path, .. } => Some(format!(
            "delete {} to recreate it for this interpreter, or pass --python matching it",
            path.display()
        )),
        venv::VenvError::NotAVenv { .. } => Some(
            "pass --venv with an empty or new directory, or an existing virtualenv".to_string(),
        ),
        venv::VenvError::Create { .. } => None,
    };
    let class = match &error {
        venv::VenvError::Create { .. } => Error::failure("cannot prepare the virtualenv"),
        _ => Error::input("cannot use the virtualenv"),
    };
    let error = class.with_source(error);
    error.with_optional_hint(hint)
}

/// The `--dry-run` report: what would be installed, from where, and why the rest is not.
fn describe_plan(
    plan: &Plan,
    target: &Target,
    venv_dir: &Path,
    installed: &HashMap<String, InstalledDistribution>,
    args: &InstallArgs,
) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let groups: Vec<&str> = plan.groups.iter().map(|g| g.as_str()).collect();
    let extras: Vec<String> = plan.extras.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "Plan for {} (Python {} on {} {}); groups: {}; extras: {}",
        venv_dir.display(),
        target.full_version,
        target.markers.sys_platform(),
        target.markers.platform_machine(),
        if groups.is_empty() {
            "none".to_string()
        } else {
            groups.join(", ")
        },
        if extras.is_empty() {
            "none".to_string()
        } else {
            extras.join(", ")
        },
    );
    let index = args
        .sources
        .index_url
        .as_deref()
        .unwrap_or(crate::locate::PYPI_SIMPLE);
    let mut to_install = 0;
    let mut lines = Vec::new();
    for package in &plan.packages {
        let mut file = package.artifact.describe();
        if package.artifact.needs_build() {
            file.push_str(", built");
        }
        let source = match &package.source {
            lock::PackageSource::Legacy { reference, .. } => format!("source {reference}"),
            lock::PackageSource::Pypi => index.to_string(),
            _ => "the lock's location".to_string(),
        };
        let state = match installed.get(package.name.as_ref()) {
            Some(existing) if existing.version == package.version => "=",
            Some(_) => "~",
            None => "+",
        };
        if state != "=" {
            to_install += 1;
        }
        lines.push(format!(
            "  {state} {}=={}  {file}  from {source}  ({})",
            package.name, package.pretty_version, package.reason
        ));
    }
    let _ = writeln!(
        out,
        "Would install {} ({} selected, {} already installed):",
        crate::report::count(to_install, "package"),
        plan.packages.len(),
        plan.packages.len() - to_install
    );
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    if let Some(root) = &plan.root {
        let _ = writeln!(
            out,
            "  + {}=={}  (the project itself, {} from {})",
            root.name,
            root.version,
            if root.editable {
                "editable"
            } else {
                "built into a wheel"
            },
            root.root.display()
        );
    }
    if !plan.skipped.is_empty() {
        let _ = writeln!(
            out,
            "Would skip {}:",
            crate::report::count(plan.skipped.len(), "package")
        );
        for skipped in &plan.skipped {
            let _ = writeln!(
                out,
                "  - {}=={}: {}",
                skipped.name, skipped.version, skipped.reason
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_versions_are_recognised() {
        assert!(is_version("3.11"));
        assert!(!is_version("3"));
        assert!(!is_version("3.11.2"));
        assert!(!is_version("python3"));
    }
}
