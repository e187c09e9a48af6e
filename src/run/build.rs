//! The build step of `verse install`, between fetch and install: every planned package that
//! is not a ready wheel (an sdist, a directory, a git commit, a file or URL sdist, the
//! project itself with `--no-editable`) becomes a wheel here, before the venv is touched.
//!
//! A build runs the tree's PEP 517 backend in a fresh venv holding only its build
//! requirements, which are resolved and fetched from the same sources as everything else
//! (so builds work from a mirror and offline). A wheel built from something immutable (an
//! sdist with a locked hash, a git commit) is kept in the cache under that identity, so the
//! next install builds nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::build::hooks::Backend;
use crate::build::resolve::{self, Candidate, Provider};
use crate::build::{git, sdist, system, BuildKind, HookError};
use crate::error::Error;
use crate::fetch::{self, Cache, Fetched, FetchedWheel};
use crate::install::{self, WheelOptions};
use crate::locate::{LocateError, Locator, Offer, SourceOptions};
use crate::lock::{PackageSource, SourceDecl};
use crate::packaging::{HashAlgorithm, PackageName, Version, WheelFilename};
use crate::plan::{Artifact, Direct, PlannedPackage};
use crate::report::Printer;
use crate::target::Target;
use crate::venv;

/// How many lines of a failed build's output go into the error (all of it with `-v`).
const OUTPUT_TAIL: usize = 40;

pub(super) struct Builder<'a> {
    printer: &'a Printer,
    cache: &'a Cache,
    target: &'a Target,
    options: &'a SourceOptions,
    sources: &'a [SourceDecl],
    locator: OnceLock<Result<Locator, LocateError>>,
    /// Scratch directories holding wheels not kept in the cache; removed when dropped.
    scratch: Mutex<Vec<tempfile::TempDir>>,
    runtime: OnceLock<Result<tokio::runtime::Runtime, String>>,
}

/// What [`Builder::build_system_of`] reads.
pub(super) enum BuildSource<'p> {
    Archive {
        path: &'p Path,
        file: &'p str,
        subdirectory: Option<&'p str>,
    },
    Tree(&'p Path),
}

/// What a built package is installed as.
pub(super) struct Built {
    pub wheel: FetchedWheel,
}

impl<'a> Builder<'a> {
    pub fn new(
        printer: &'a Printer,
        cache: &'a Cache,
        target: &'a Target,
        options: &'a SourceOptions,
        sources: &'a [SourceDecl],
    ) -> Self {
        Builder {
            printer,
            cache,
            target,
            options,
            sources,
            locator: OnceLock::new(),
            scratch: Mutex::new(Vec::new()),
            runtime: OnceLock::new(),
        }
    }

    /// The wheel to install for `package`: the fetched wheel itself, or one built from the
    /// fetched archive, the directory, or the git commit. `venv_root` is where an editable
    /// git checkout lives (`<venv>/src/<name>`, as Poetry puts it).
    pub fn wheel_for(
        &self,
        package: &PlannedPackage,
        fetched: Option<Fetched>,
        venv_root: &Path,
    ) -> Result<Built, Error> {
        let label = format!("{}=={}", package.name, package.pretty_version);
        let wheel = match (fetched, &package.artifact) {
            (Some(Fetched::Wheel(wheel)), _) => wheel,
            (Some(Fetched::Archive(archive)), artifact) => {
                let subdirectory = match artifact {
                    Artifact::Direct(Direct::Url { subdirectory, .. }) => subdirectory.as_deref(),
                    _ => None,
                };
                // One archive may hold several packages (a `subdirectory` each).
                let key = archive.hash().map(|h| {
                    let mut key = format!("{}/{}", h.algorithm.as_str(), h.hex);
                    if let Some(sub) = subdirectory {
                        key.push_str(&format!(
                            "/{}",
                            git::checkout_key("", "", Some(sub)).display()
                        ));
                    }
                    key
                });
                self.cached_or_built(package, key.as_deref(), |scratch| {
                    let unpacked = scratch.join("src");
                    fs_err::create_dir_all(&unpacked).map_err(io_error)?;
                    let root =
                        sdist::unpack(archive.path(), archive.file(), &unpacked).map_err(|e| {
                            Error::failure(format!("cannot unpack the sdist of {label}"))
                                .with_source(e)
                        })?;
                    let tree = within(&root, subdirectory, &label)?;
                    self.build_tree(&label, &tree, BuildKind::Wheel, scratch)
                })?
            }
            (None, Artifact::Direct(Direct::Directory { path, editable })) => {
                if !path.is_dir() {
                    return Err(Error::input(format!(
                        "{label}: the path dependency {} does not exist",
                        path.display()
                    ))
                    .with_hint("the lock's path is relative to the project directory: check out the whole repository, or fix the path and run `poetry lock`"));
                }
                let kind = if *editable {
                    BuildKind::Editable
                } else {
                    BuildKind::Wheel
                };
                self.uncached(package, |scratch| {
                    self.build_tree(&label, path, kind, scratch)
                })?
            }
            (
                None,
                Artifact::Direct(Direct::Git {
                    url,
                    reference,
                    commit,
                    subdirectory,
                    editable,
                }),
            ) => {
                let revision = commit.as_deref().unwrap_or(reference);
                if *editable {
                    // Poetry keeps an editable git dependency's checkout in the venv. The one
                    // there (with the user's edits, maybe) is kept aside until the new one is
                    // checked out and built, and put back if that fails.
                    let src = venv_root.join("src");
                    let checkout = editable_checkout(venv_root, url, &package.name);
                    let aside = src.join(format!(".{}.verse-previous", package.name));
                    if checkout.exists() {
                        if aside.exists() {
                            fs_err::remove_dir_all(&aside).map_err(io_error)?;
                        }
                        fs_err::rename(&checkout, &aside).map_err(io_error)?;
                    }
                    let built = self
                        .checkout(&label, url, revision, &checkout)
                        .and_then(|()| {
                            let tree = within(&checkout, subdirectory.as_deref(), &label)?;
                            self.uncached(package, |scratch| {
                                self.build_tree(&label, &tree, BuildKind::Editable, scratch)
                            })
                        });
                    match built {
                        Ok(wheel) => {
                            let _ = fs_err::remove_dir_all(&aside);
                            wheel
                        }
                        Err(mut error) => {
                            if aside.exists() {
                                let _ = fs_err::remove_dir_all(&checkout);
                                if let Err(e) = fs_err::rename(&aside, &checkout) {
                                    // Never lose the user's checkout silently: say where it is.
                                    error.message.push_str(&format!(
                                        "\nthe previous checkout could not be put back ({e}); it is at {}",
                                        aside.display()
                                    ));
                                }
                            }
                            return Err(error);
                        }
                    }
                } else {
                    // Only a locked commit identifies the content; a branch name does not.
                    let key = commit.as_ref().map(|commit| {
                        format!(
                            "git/{}",
                            git::checkout_key(url, commit, subdirectory.as_deref()).display()
                        )
                    });
                    self.cached_or_built(package, key.as_deref(), |scratch| {
                        let checkout = scratch.join("checkout");
                        self.checkout(&label, url, revision, &checkout)?;
                        let tree = within(&checkout, subdirectory.as_deref(), &label)?;
                        self.build_tree(&label, &tree, BuildKind::Wheel, scratch)
                    })?
                }
            }
            (None, _) => {
                return Err(Error::failure(format!(
                    "{label} was not fetched (internal error: nothing to build it from)"
                )))
            }
        };
        // A path dependency is built from what the directory holds now: Poetry installs it even
        // if its version moved since locking (a monorepo bumping a library without relocking).
        let from_directory = matches!(package.artifact, Artifact::Direct(Direct::Directory { .. }));
        if from_directory
            && wheel.filename().name == package.name
            && wheel.filename().version != package.version
        {
            self.printer.warn(format!(
                "{label}: the directory now builds version {}; installing it (run `poetry lock` to record it)",
                wheel.filename().version
            ));
        } else {
            check_identity(&wheel, &package.name, &package.version, &label)?;
        }
        Ok(Built { wheel })
    }

    /// The project itself as a regular wheel (`--no-editable`).
    pub fn root_wheel(
        &self,
        name: &PackageName,
        version: &str,
        root: &Path,
    ) -> Result<FetchedWheel, Error> {
        let label = format!("{name}=={version} (the project)");
        let scratch = self.scratch_dir()?;
        let (path, filename) = self.build_tree(&label, root, BuildKind::Wheel, &scratch)?;
        let wheel = fetch::built_wheel(
            filename.name.clone(),
            filename.version.clone(),
            filename,
            path,
            None,
        );
        if wheel.name() != name {
            return Err(Error::failure(format!(
                "building the project {name} gave {}, a wheel of another project",
                wheel.filename()
            )));
        }
        Ok(wheel)
    }

    fn checkout(&self, label: &str, url: &str, revision: &str, dest: &Path) -> Result<(), Error> {
        self.printer.info(format!(
            "Checking out {label} from {} at {revision}",
            git::display_url(url)
        ));
        git::checkout(url, revision, dest).map_err(|e| {
            let hint = match &e {
                git::GitError::Missing { .. } => {
                    Some("install git (apt-get install git) in the build stage")
                }
                git::GitError::NoSuchCommit { .. } => {
                    Some("the commit may have been force-pushed away: run `poetry lock` to lock one that exists")
                }
                _ => Some("check the URL and that this machine has access to it (credentials, SSH keys)"),
            };
            Error::failure(format!("cannot check out {label}"))
                .with_source(e)
                .with_optional_hint(hint.map(str::to_string))
        })
    }

    /// Builds into a scratch directory kept until the install is done (nothing cached).
    fn uncached(
        &self,
        package: &PlannedPackage,
        build: impl FnOnce(&Path) -> Result<(PathBuf, WheelFilename), Error>,
    ) -> Result<FetchedWheel, Error> {
        let scratch = self.scratch_dir()?;
        let (path, filename) = build(&scratch)?;
        Ok(fetch::built_wheel(
            package.name.clone(),
            package.version.clone(),
            filename,
            path,
            None,
        ))
    }

    /// The wheel built earlier from the same immutable source (`key`), if it fits this
    /// target; else builds one and keeps it under `key`.
    fn cached_or_built(
        &self,
        package: &PlannedPackage,
        key: Option<&str>,
        build: impl FnOnce(&Path) -> Result<(PathBuf, WheelFilename), Error>,
    ) -> Result<FetchedWheel, Error> {
        let Some(key) = key.filter(|_| !self.cache.is_temporary()) else {
            return self.uncached(package, build);
        };
        let dir = self.cache.root().join("built-v1").join(key);
        if let Some((path, filename)) = best_built(&dir, self.target, package) {
            if let Ok(hash) = super::download::hash_file(&path, HashAlgorithm::Sha256) {
                self.printer.detail(format!(
                    "{}: using the wheel built before ({})",
                    package.name, filename
                ));
                return Ok(fetch::built_wheel(
                    package.name.clone(),
                    package.version.clone(),
                    filename,
                    path,
                    Some(hash),
                ));
            }
        }
        let scratch = self.scratch_dir()?;
        let (built, filename) = build(&scratch)?;
        let hash = super::download::hash_file(&built, HashAlgorithm::Sha256).map_err(io_error)?;
        fs_err::create_dir_all(&dir).map_err(io_error)?;
        let kept = dir.join(filename.to_string());
        // A rename within the cache's filesystem: a concurrent run sees the old wheel or
        // the new one, never half of one.
        let staged =
            self.cache
                .tmp_dir()
                .join(format!(".built-{}-{}", std::process::id(), filename));
        fs_err::copy(&built, &staged).map_err(io_error)?;
        fs_err::rename(&staged, &kept).map_err(io_error)?;
        Ok(fetch::built_wheel(
            package.name.clone(),
            package.version.clone(),
            filename,
            kept,
            Some(hash),
        ))
    }

    fn scratch_dir(&self) -> Result<PathBuf, Error> {
        let tmp = self.cache.tmp_dir();
        fs_err::create_dir_all(&tmp).map_err(io_error)?;
        let dir = tempfile::Builder::new()
            .prefix("build-")
            .tempdir_in(&tmp)
            .map_err(|e| Error::failure("cannot create a build directory").with_source(e))?;
        let path = dir.path().to_path_buf();
        self.scratch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(dir);
        Ok(path)
    }

    /// Runs the tree's backend in a fresh build environment; the wheel lands in `scratch`.
    fn build_tree(
        &self,
        label: &str,
        tree: &Path,
        kind: BuildKind,
        scratch: &Path,
    ) -> Result<(PathBuf, WheelFilename), Error> {
        self.printer.info(format!(
            "Building {label}{}",
            if kind == BuildKind::Editable {
                " (editable)"
            } else {
                ""
            }
        ));
        let system = system::read(tree)
            .map_err(|e| Error::input(format!("cannot build {label}")).with_source(e))?;
        let env_dir = scratch.join("env");
        let python = self.environment(label, &system.requires, &env_dir)?;
        let hooks_dir = scratch.join("hooks");
        let out_dir = scratch.join("dist");
        fs_err::create_dir_all(&hooks_dir).map_err(io_error)?;
        fs_err::create_dir_all(&out_dir).map_err(io_error)?;
        let printer = self.printer;
        let show = move |output: &str| {
            for line in output.lines() {
                printer.detail(format!("  | {line}"));
            }
        };
        let backend = Backend {
            python: &python,
            source: tree,
            system: &system,
            scratch: &hooks_dir,
            on_output: &show,
        };
        let extra = backend.requires(kind).map_err(|e| hook_error(label, e))?;
        let missing: Vec<String> = extra
            .into_iter()
            .filter(|r| !system.requires.contains(r))
            .collect();
        let full_python;
        let backend = if missing.is_empty() {
            backend
        } else {
            // The backend asked for more: a new environment with everything, resolved together.
            self.printer.detail(format!(
                "{label}: the backend also needs {}",
                missing.join(", ")
            ));
            let mut all = system.requires.clone();
            all.extend(missing);
            full_python = self.environment(label, &all, &scratch.join("env-full"))?;
            Backend {
                python: &full_python,
                ..backend
            }
        };
        let wheel = backend
            .build(kind, &out_dir)
            .map_err(|e| hook_error(label, e))?;
        let name = wheel
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let filename: WheelFilename = name.parse().map_err(|e| {
            Error::failure(format!(
                "the build backend of {label} wrote `{name}`, which is not a valid wheel name"
            ))
            .with_source(e)
        })?;
        if self.target.tags.priority(&filename).is_none() {
            return Err(Error::failure(format!(
                "the build of {label} gave {name}, which does not fit this interpreter ({})",
                self.target.tags.incompatibility(&filename)
            )));
        }
        Ok((wheel, filename))
    }

    /// A venv at `dir` with exactly `requirements` resolved and installed; its interpreter.
    fn environment(
        &self,
        label: &str,
        requirements: &[String],
        dir: &Path,
    ) -> Result<PathBuf, Error> {
        let env = venv::create(dir, self.target).map_err(|e| {
            Error::failure(format!("cannot create the build environment of {label}")).with_source(e)
        })?;
        if requirements.is_empty() {
            return Ok(env.python.clone());
        }
        for wheel in self.requirement_wheels(label, requirements)? {
            install::install_wheel(
                &env,
                wheel.path(),
                wheel.filename(),
                &WheelOptions::default(),
            )
            .map_err(|e| {
                Error::failure(format!(
                    "cannot install the build requirement {} for {label}",
                    wheel.filename()
                ))
                .with_source(e)
            })?;
        }
        Ok(env.python.clone())
    }

    /// Resolves `requirements` for the target and fetches the chosen wheels (verified against
    /// the hash the index states, where it states one).
    pub fn requirement_wheels(
        &self,
        label: &str,
        requirements: &[String],
    ) -> Result<Vec<FetchedWheel>, Error> {
        if requirements.is_empty() {
            return Ok(Vec::new());
        }
        let locator = self.locator()?;
        let mut provider = IndexProvider {
            builder: self,
            locator,
            offers: HashMap::new(),
            wheels: HashMap::new(),
        };
        let chosen = resolve::resolve(requirements, &self.target.markers, &mut provider)
            .map_err(|e| {
                Error::failure(format!(
                    "cannot set up the build environment of {label} ({})",
                    requirements.join(", ")
                ))
                .with_source(e)
                .with_hint("build requirements are looked up where packages without a source are (PyPI, --index-url, --extra-index-url, --find-links); offline, `verse download` must have fetched them")
            })?;
        self.printer.detail(format!(
            "{label}: build environment {}",
            chosen
                .iter()
                .map(|c| format!("{}=={}", c.name, c.version))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        chosen
            .iter()
            .map(|candidate| {
                provider.wheel(candidate).map_err(|message| {
                    Error::failure(format!(
                        "cannot fetch the build requirement {} for {label}",
                        candidate.file
                    ))
                    .with_source(StringError(message))
                })
            })
            .collect()
    }

    /// The `[build-system]` of a source tree to build, for `verse download`: `archive` (an
    /// sdist on disk, named `file`) is unpacked in a scratch directory first, with the url
    /// package's `subdirectory` if any.
    pub fn build_system_of(
        &self,
        label: &str,
        source: BuildSource<'_>,
    ) -> Result<system::BuildSystem, Error> {
        let tree = match source {
            BuildSource::Archive {
                path,
                file,
                subdirectory,
            } => {
                let scratch = self.scratch_dir()?;
                let root = sdist::unpack(path, file, &scratch).map_err(|e| {
                    Error::failure(format!("cannot unpack the sdist of {label}")).with_source(e)
                })?;
                within(&root, subdirectory, label)?
            }
            BuildSource::Tree(path) => path.to_path_buf(),
        };
        system::read(&tree)
            .map_err(|e| Error::input(format!("cannot read how {label} is built")).with_source(e))
    }

    fn locator(&self) -> Result<&Locator, Error> {
        self.locator
            .get_or_init(|| Locator::new(self.options, self.sources))
            .as_ref()
            .map_err(|e| {
                let hint = e.hint();
                Error::input("invalid package source")
                    .with_source(e.clone())
                    .with_optional_hint(hint)
            })
    }

    /// The runtime resolutions block on (shared by parallel builds, each blocking on it).
    fn runtime(&self) -> Result<&tokio::runtime::Runtime, String> {
        self.runtime
            .get_or_init(|| {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .map_err(|e| format!("cannot start the async runtime: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// Build requirements as the resolver sees them: wheels offered by the indexes, fetched
/// (hash-checked against the index's stated hash) when their metadata is needed.
struct IndexProvider<'b, 'a> {
    builder: &'b Builder<'a>,
    locator: &'b Locator,
    offers: HashMap<String, Offer>,
    wheels: HashMap<String, FetchedWheel>,
}

impl IndexProvider<'_, '_> {
    fn wheel(&mut self, candidate: &Candidate) -> Result<FetchedWheel, String> {
        if let Some(wheel) = self.wheels.get(&candidate.file) {
            return Ok(wheel.clone());
        }
        let offer = self
            .offers
            .get(&candidate.file)
            .ok_or_else(|| format!("{} was not offered", candidate.file))?;
        let filename = offer
            .located
            .filename
            .clone()
            .ok_or_else(|| format!("{} is not a wheel", candidate.file))?;
        let package = PlannedPackage {
            name: candidate.name.clone(),
            version: candidate.version.clone(),
            pretty_version: candidate.version.to_string(),
            source: PackageSource::Pypi,
            artifact: Artifact::Wheel {
                filename,
                file: candidate.file.clone(),
                hash: offer.hash.clone(),
            },
            requested: false,
            reason: "build requirement".to_string(),
        };
        let fetched = match fetch::from_cache(self.builder.cache, &package) {
            Some(hit) => hit,
            None => {
                let reporter: Arc<dyn fetch::Reporter> = Arc::new(Silent);
                self.builder
                    .runtime()?
                    .block_on(fetch::download(
                        self.builder.cache,
                        &package,
                        &offer.located,
                        &reporter,
                    ))
                    .map_err(|e| error_chain(&e))?
            }
        };
        let Fetched::Wheel(wheel) = fetched else {
            return Err(format!("{} is not a wheel", candidate.file));
        };
        self.wheels.insert(candidate.file.clone(), wheel.clone());
        Ok(wheel)
    }
}

impl Provider for IndexProvider<'_, '_> {
    type Error = String;

    fn candidates(&mut self, name: &PackageName) -> Result<Vec<Candidate>, String> {
        let offered = self
            .builder
            .runtime()?
            .block_on(self.locator.offered(name, &self.builder.target.tags))
            .map_err(|e| error_chain(&e))?;
        let mut candidates = Vec::new();
        for offer in offered {
            let Some(wheel) = &offer.located.filename else {
                continue;
            };
            // Pre-releases only when a requirement names one is what pip does; build
            // requirements never need them in practice, so they are left out.
            if wheel.version.any_prerelease() {
                continue;
            }
            // A file whose stated Requires-Python excludes the target would not import.
            let fits_python = offer.requires_python.as_deref().is_none_or(|spec| {
                let (Ok(spec), Ok(python)) = (
                    spec.parse::<crate::packaging::VersionSpecifiers>(),
                    self.builder.target.full_version.parse::<Version>(),
                ) else {
                    return true;
                };
                spec.contains(&python)
            });
            if !fits_python {
                continue;
            }
            candidates.push(Candidate {
                name: wheel.name.clone(),
                version: wheel.version.clone(),
                file: offer.located.file.clone(),
            });
            self.offers.insert(offer.located.file.clone(), offer);
        }
        // Several wheels of one version (py2/py3, platforms): the best-fitting one first.
        let tags = &self.builder.target.tags;
        candidates.sort_by_key(|c| {
            let wheel = self.offers[&c.file].located.filename.clone();
            wheel.and_then(|w| tags.priority(&w)).unwrap_or(usize::MAX)
        });
        Ok(candidates)
    }

    fn requires_dist(&mut self, candidate: &Candidate) -> Result<Vec<String>, String> {
        let wheel = self.wheel(candidate)?;
        resolve::read_requires_dist(wheel.path())
    }
}

struct Silent;

impl fetch::Reporter for Silent {
    fn download_started(&self, _: &str, _: Option<u64>) {}
    fn download_progress(&self, _: &str, _: u64) {}
    fn download_finished(&self, _: &str) {}
}

#[derive(Debug)]
struct StringError(String);

impl std::fmt::Display for StringError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StringError {}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Where an editable git dependency is checked out: `<venv>/src/<repository name>`, as Poetry
/// puts it.
pub(super) fn editable_checkout(venv_root: &Path, url: &str, name: &PackageName) -> PathBuf {
    venv_root
        .join("src")
        .join(git::checkout_dir_name(url, name.as_ref()))
}

/// `subdirectory` of a checkout or unpacked sdist, refusing one that climbs out of it.
fn within(root: &Path, subdirectory: Option<&str>, label: &str) -> Result<PathBuf, Error> {
    let Some(sub) = subdirectory.filter(|s| !s.is_empty()) else {
        return Ok(root.to_path_buf());
    };
    let escapes = Path::new(sub).components().any(|c| {
        !matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    });
    if escapes {
        return Err(Error::input(format!(
            "{label}: the subdirectory `{sub}` in the lock is not inside the source"
        )));
    }
    let tree = root.join(sub);
    if !tree.is_dir() {
        return Err(
            Error::input(format!("{label}: the source has no subdirectory `{sub}`"))
                .with_hint("fix `subdirectory` in pyproject.toml and run `poetry lock`"),
        );
    }
    Ok(tree)
}

/// A built wheel must be the locked package: a backend that names it otherwise would
/// install something the lock never mentioned.
fn check_identity(
    wheel: &FetchedWheel,
    name: &PackageName,
    version: &Version,
    label: &str,
) -> Result<(), Error> {
    if wheel.filename().name != *name || wheel.filename().version != *version {
        return Err(Error::failure(format!(
            "building {label} gave {}, which is not the locked package",
            wheel.filename()
        ))
        .with_hint("the source changed since it was locked: run `poetry lock` again"));
    }
    Ok(())
}

/// The best-fitting wheel of `package` already built in `dir`.
fn best_built(
    dir: &Path,
    target: &Target,
    package: &PlannedPackage,
) -> Option<(PathBuf, WheelFilename)> {
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_string();
            let wheel: WheelFilename = name.parse().ok()?;
            if wheel.name != package.name || wheel.version != package.version {
                return None;
            }
            let priority = target.tags.priority(&wheel)?;
            Some((priority, entry.path(), wheel))
        })
        .min_by_key(|(priority, _, _)| *priority)
        .map(|(_, path, wheel)| (path, wheel))
}

fn hook_error(label: &str, error: HookError) -> Error {
    let output = error.output().trim_end().to_string();
    let mut message = format!("cannot build {label}");
    if !output.is_empty() {
        let lines: Vec<&str> = output.lines().collect();
        let shown = &lines[lines.len().saturating_sub(OUTPUT_TAIL)..];
        message.push_str(&format!(
            "\n--- build output{} ---\n{}\n--- end of build output ---",
            if shown.len() < lines.len() {
                format!(
                    " (last {} of {} lines; -v shows all)",
                    shown.len(),
                    lines.len()
                )
            } else {
                String::new()
            },
            shown.join("\n")
        ));
    }
    let hint = match &error {
        HookError::BackendUnavailable { .. } => {
            "the package's [build-system] does not install its own backend: this is a packaging bug upstream"
        }
        _ => "the error is in the package's own build (see its output): a missing compiler or system library is the usual cause",
    };
    Error::failure(message).with_source(error).with_hint(hint)
}

fn io_error(error: std::io::Error) -> Error {
    Error::failure("cannot build").with_source(error)
}
