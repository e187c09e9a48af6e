//! Finds where each planned file comes from, without any network when it can:
//!
//! 1. the `--find-links` directories (flat folders of files, looked up by file name);
//! 2. the package's indexes, in Poetry's order: a package the lock ties to a source
//!    (`[package.source] reference`) is looked up on that source only (by name, after any
//!    `--source-url NAME=URL` remap); any other package on PyPI (or the `--index-url` that
//!    replaces it), then each `--extra-index-url`, then the project's `supplemental` sources.
//!
//! Indexes are PEP 503/691 simple repositories over `http(s)://` or `file://` (pages read from
//! disk, as `verse download` writes them). One page request per (index, project), shared by
//! everyone who needs it. With `--offline` no HTTP client exists at all: a file that is not
//! local is reported as [`LocateError::Offline`]. Credentials only ever go to the host they
//! were configured for (URL, `POETRY_HTTP_BASIC_<SOURCE>_*`, netrc), and never appear in a
//! message. Hash checking is `fetch`'s job: a file found here is only a candidate.

pub mod netrc;
pub mod simple_api;
pub mod static_index;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use reqwest::{StatusCode, Url};
use tokio::sync::OnceCell;

use crate::http::{redact, Http, HttpError, HttpSettings, TlsOptions};
use crate::lock::{PackageSource, SourceDecl, SourcePriority};
use crate::packaging::{normalize, FileHash, PackageName, Tags, WheelFilename};
use crate::plan::{Artifact, Direct, PlannedPackage};
use simple_api::{PageFile, JSON_CONTENT_TYPE};

pub const PYPI_SIMPLE: &str = "https://pypi.org/simple/";

/// Where packages may come from, as the user configured it beyond pyproject.toml.
#[derive(Clone, Debug, Default)]
pub struct SourceOptions {
    /// Replaces PyPI (`--index-url`).
    pub index_url: Option<String>,
    /// Searched after PyPI / `--index-url` for packages without a source (`--extra-index-url`).
    pub extra_index_urls: Vec<String>,
    /// Flat directories of files (`--find-links`), searched first for every package.
    pub find_links: Vec<PathBuf>,
    /// `NAME=URL`: the source called NAME in pyproject.toml is read from URL instead
    /// (`--source-url`); NAME `pypi` is the same as `--index-url`.
    pub source_urls: Vec<(String, String)>,
    /// Open no network connection (`--offline`).
    pub offline: bool,
}

/// A simple index and how to reach it.
#[derive(Clone, Debug)]
pub struct Index {
    /// What the user calls it: `PyPI`, `index` (`--index-url`), or the source's name.
    pub name: String,
    /// Always ends in `/`; never holds credentials (they are in `credentials`).
    pub url: Url,
    pub credentials: Option<Credentials>,
    /// The environment variable prefix Poetry reads credentials from, for hints.
    pub credentials_variable: Option<String>,
    /// The client for this index: `None` for `file://` indexes and in offline mode.
    pub http: Option<Http>,
}

impl Index {
    fn is_local(&self) -> bool {
        self.url.scheme() == "file"
    }
}

#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub password: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(<redacted>)")
    }
}

/// A wheel an index or folder offers for a build requirement, with the hash the index
/// states for it (none for a `--find-links` folder).
#[derive(Clone, Debug)]
pub struct Offer {
    pub located: Located,
    pub hash: Option<FileHash>,
    /// The `Requires-Python` the index states for it, if any.
    pub requires_python: Option<String>,
}

/// Where one planned file will be read from.
#[derive(Clone, Debug)]
pub struct Located {
    /// `http(s)://` or `file://`; never holds credentials.
    pub url: Url,
    /// The parsed wheel name; `None` for an sdist.
    pub filename: Option<WheelFilename>,
    pub file: String,
    /// Credentials to send, already checked to belong to this URL's host.
    pub credentials: Option<Credentials>,
    /// The client to download with; `None` for a local file.
    pub http: Option<Http>,
    /// Where it was found, for messages: `--find-links DIR`, or the index's name.
    pub origin: String,
}

impl Located {
    /// The local path, for a `file://` location.
    pub fn local_path(&self) -> Option<PathBuf> {
        if self.url.scheme() == "file" {
            self.url.to_file_path().ok()
        } else {
            None
        }
    }
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum LocateError {
    #[error("{package}: no file named {file} on {index} ({page})")]
    FileNotListed {
        package: String,
        file: String,
        index: String,
        page: String,
    },
    #[error("{package}: no compatible wheel of version {version} on {index} ({page})")]
    NoWheelOnIndex {
        package: String,
        version: String,
        index: String,
        page: String,
    },
    #[error("{index} does not know {package} ({page} answered 404 Not Found)")]
    ProjectNotFound {
        package: String,
        index: String,
        page: String,
    },
    #[error("{index} refused access to {page} ({status})")]
    Unauthorized {
        index: String,
        page: String,
        status: u16,
        hint: String,
    },
    #[error("cannot read {page} from {index}: {message}")]
    Page {
        index: String,
        page: String,
        message: String,
    },
    #[error("the lock says {package} comes from the source `{source_name}`, but pyproject.toml declares no [[tool.poetry.source]] of that name")]
    UnknownSource {
        package: String,
        source_name: String,
    },
    #[error("invalid index URL `{url}`: {message}")]
    BadIndexUrl { url: String, message: String },
    #[error("--source-url {name}=...: pyproject.toml declares no source named `{name}` (declared: {declared})")]
    UnknownRemap { name: String, declared: String },
    #[error("{file} ({package}) is not in the cache or any local source, and --offline forbids downloading it")]
    Offline { package: String, file: String },
    #[error("--find-links {dir}: {message}")]
    FindLinks { dir: String, message: String },
    #[error("cannot set up the HTTP client for {index}")]
    Client {
        index: String,
        #[source]
        source: Arc<HttpError>,
    },
}

impl LocateError {
    pub fn hint(&self) -> Option<String> {
        match self {
            LocateError::Unauthorized { hint, .. } => Some(hint.clone()),
            LocateError::UnknownSource { source_name, .. } => Some(format!(
                "add a [[tool.poetry.source]] named `{source_name}` with its URL to pyproject.toml, or relock"
            )),
            LocateError::FileNotListed { .. } | LocateError::ProjectNotFound { .. } => Some(
                "the index no longer serves this locked file: check --index-url, or relock".into(),
            ),
            LocateError::Offline { .. } => Some(OFFLINE_HINT.into()),
            _ => None,
        }
    }

    /// Not found here, so the next candidate index may have it.
    fn is_not_found(&self) -> bool {
        matches!(
            self,
            LocateError::FileNotListed { .. }
                | LocateError::NoWheelOnIndex { .. }
                | LocateError::ProjectNotFound { .. }
        )
    }
}

pub const OFFLINE_HINT: &str = "on a connected machine, run `verse download --dest DIR` for this project (same groups, and --python-version/--platform for this machine), carry DIR over, and pass --find-links DIR (or --index-url file:///.../DIR/simple)";

type Page = Result<Arc<(Url, Vec<PageFile>)>, LocateError>;
/// One shared, lazily fetched page per (index URL, project).
type PageCache = Mutex<HashMap<(String, PackageName), Arc<OnceCell<Page>>>>;

pub struct Locator {
    default_index: Index,
    extra_indexes: Vec<Index>,
    /// Every declared source with a URL, in pyproject order, with its priority.
    sources: Vec<(Index, SourcePriority)>,
    /// File name → path, over every `--find-links` directory (the first directory wins).
    local_files: HashMap<String, PathBuf>,
    offline: bool,
    /// The default client, for `url` sources; `None` offline.
    http: Option<Http>,
    pages: PageCache,
}

impl Locator {
    /// Builds the indexes of `options` and the project's `sources`, with their clients (none
    /// at all when offline).
    pub fn new(options: &SourceOptions, sources: &[SourceDecl]) -> Result<Self, LocateError> {
        let settings = HttpSettings::default();
        let shared = if options.offline {
            None
        } else {
            Some(Http::new(settings).map_err(|e| LocateError::Client {
                index: "every index".to_string(),
                source: Arc::new(e),
            })?)
        };
        let client_for = |name: Option<&str>, url: &Url| -> Result<Option<Http>, LocateError> {
            if options.offline || url.scheme() == "file" {
                return Ok(None);
            }
            let tls = name.map(tls_options).unwrap_or_default();
            if tls.is_default() {
                return Ok(shared.clone());
            }
            Http::with_tls(settings, &tls)
                .map(Some)
                .map_err(|e| LocateError::Client {
                    index: name.unwrap_or("index").to_string(),
                    source: Arc::new(e),
                })
        };

        let mut remaps: Vec<(String, String)> = Vec::new();
        let mut index_url = options.index_url.clone();
        for (name, url) in &options.source_urls {
            if name.eq_ignore_ascii_case("pypi") {
                index_url = Some(url.clone());
            } else if sources.iter().any(|s| s.name.eq_ignore_ascii_case(name)) {
                remaps.push((name.to_ascii_lowercase(), url.clone()));
            } else {
                let declared: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
                return Err(LocateError::UnknownRemap {
                    name: name.clone(),
                    declared: if declared.is_empty() {
                        "none".to_string()
                    } else {
                        declared.join(", ")
                    },
                });
            }
        }

        let mut default_index = match &index_url {
            Some(url) => index("index", url, None)?,
            None => index("PyPI", PYPI_SIMPLE, None)?,
        };
        default_index.http = client_for(None, &default_index.url)?;
        let mut extra_indexes = Vec::new();
        for (position, url) in options.extra_index_urls.iter().enumerate() {
            let mut extra = index(&format!("extra index {}", position + 1), url, None)?;
            extra.http = client_for(None, &extra.url)?;
            extra_indexes.push(extra);
        }
        let mut declared = Vec::new();
        for source in sources {
            let remapped = remaps
                .iter()
                .find(|(name, _)| source.name.eq_ignore_ascii_case(name))
                .map(|(_, url)| url.as_str());
            if let Some(url) = remapped.or(source.url.as_deref()) {
                let mut found = index(&source.name, url, Some(&source.name))?;
                found.http = client_for(Some(&source.name), &found.url)?;
                declared.push((found, source.priority));
            }
        }
        Ok(Locator {
            default_index,
            extra_indexes,
            sources: declared,
            local_files: list_find_links(&options.find_links)?,
            offline: options.offline,
            http: shared,
            pages: Mutex::new(HashMap::new()),
        })
    }

    /// The indexes a locked package is looked up on, in order, as Poetry's Chooser picks them
    /// (poetry-lock.md §3.2, §4.1).
    pub fn indexes_for(&self, package: &PlannedPackage) -> Result<Vec<Index>, LocateError> {
        match &package.source {
            // Like Poetry, the source is found by name in the project's current sources; the
            // URL the lock recorded is not used (a changed URL is a stale lock anyway).
            PackageSource::Legacy { reference, .. } => self
                .sources
                .iter()
                .find(|(s, _)| s.name.eq_ignore_ascii_case(reference))
                .map(|(s, _)| vec![s.clone()])
                .ok_or_else(|| LocateError::UnknownSource {
                    package: package.name.to_string(),
                    source_name: reference.clone(),
                }),
            _ => Ok(self.default_indexes()),
        }
    }

    /// Where a package without a source is looked up, in order: PyPI (or `--index-url`),
    /// each `--extra-index-url`, then the supplemental sources.
    fn default_indexes(&self) -> Vec<Index> {
        let mut indexes = vec![self.default_index.clone()];
        indexes.extend(self.extra_indexes.iter().cloned());
        indexes.extend(
            self.sources
                .iter()
                .filter(|(_, p)| *p == SourcePriority::Supplemental)
                .map(|(s, _)| s.clone()),
        );
        indexes
    }

    /// The first index a package would be looked up on (for `--dry-run` and hints).
    pub fn index_for(&self, package: &PlannedPackage) -> Result<Index, LocateError> {
        let mut indexes = self.indexes_for(package)?;
        Ok(indexes.remove(0))
    }

    pub async fn locate(
        &self,
        package: &PlannedPackage,
        tags: &Tags,
    ) -> Result<Located, LocateError> {
        if let Artifact::Direct(direct) = &package.artifact {
            // A URL package's file carried over in a `--find-links` folder (`verse download`
            // puts it there) serves offline; its hash is checked like any other.
            if let Direct::Url { file, .. } = direct {
                if let Some(path) = self.local_files.get(file) {
                    if let Ok(url) = Url::from_file_path(path) {
                        return Ok(Located {
                            url,
                            filename: file.parse().ok(),
                            file: file.clone(),
                            credentials: None,
                            http: None,
                            origin: format!(
                                "--find-links {}",
                                path.parent().unwrap_or(Path::new("/")).display()
                            ),
                        });
                    }
                }
            }
            return self.locate_direct(package, direct);
        }
        if let Some(local) = self.find_local(package, tags) {
            return Ok(local);
        }
        let indexes = self.indexes_for(package)?;
        let mut first_miss = None;
        let mut skipped_remote = false;
        for index in &indexes {
            if self.offline && !index.is_local() {
                skipped_remote = true;
                continue;
            }
            match self.locate_on(index, package, tags).await {
                Ok(located) => return Ok(located),
                Err(error) if error.is_not_found() => {
                    first_miss.get_or_insert(error);
                }
                Err(error) => return Err(error),
            }
        }
        if skipped_remote || first_miss.is_none() {
            return Err(LocateError::Offline {
                package: format!("{}=={}", package.name, package.pretty_version),
                file: match &package.artifact {
                    Artifact::BestFromIndex => format!("a wheel of {}", package.name),
                    other => other.describe(),
                },
            });
        }
        Err(first_miss.expect("checked above"))
    }

    /// The file in a `--find-links` directory, if one has it.
    fn find_local(&self, package: &PlannedPackage, tags: &Tags) -> Option<Located> {
        let (file, filename) = match &package.artifact {
            Artifact::Wheel { file, filename, .. } => (file.clone(), Some(filename.clone())),
            Artifact::Sdist { file, .. } => (file.clone(), None),
            Artifact::Direct(_) => return None,
            Artifact::BestFromIndex => {
                let (_, file, wheel) = self
                    .local_files
                    .keys()
                    .filter_map(|f| {
                        let wheel: WheelFilename = f.parse().ok()?;
                        if wheel.name != package.name || wheel.version != package.version {
                            return None;
                        }
                        Some((tags.priority(&wheel)?, f.clone(), wheel))
                    })
                    .min_by_key(|(priority, _, _)| *priority)?;
                (file, Some(wheel))
            }
        };
        let path = self.local_files.get(&file)?;
        let url = Url::from_file_path(path).ok()?;
        Some(Located {
            url,
            filename,
            origin: format!(
                "--find-links {}",
                path.parent().unwrap_or(Path::new("/")).display()
            ),
            file,
            credentials: None,
            http: None,
        })
    }

    async fn locate_on(
        &self,
        index: &Index,
        package: &PlannedPackage,
        tags: &Tags,
    ) -> Result<Located, LocateError> {
        let (page_url, files) = &*self.page(index, &package.name).await?;
        let page = redact(page_url);
        let listed = |file: &String| {
            files
                .iter()
                .find(|f| &f.filename == file)
                .ok_or_else(|| LocateError::FileNotListed {
                    package: format!("{}=={}", package.name, package.pretty_version),
                    file: file.clone(),
                    index: index.name.clone(),
                    page: page.clone(),
                })
        };
        let (file, filename) = match &package.artifact {
            Artifact::Wheel { file, filename, .. } => (listed(file)?, Some(filename.clone())),
            Artifact::Sdist { file, .. } => (listed(file)?, None),
            Artifact::Direct(direct) => return self.locate_direct(package, direct),
            Artifact::BestFromIndex => {
                let best = files
                    .iter()
                    .filter_map(|f| {
                        let wheel: WheelFilename = f.filename.parse().ok()?;
                        if wheel.name != package.name || wheel.version != package.version {
                            return None;
                        }
                        Some((tags.priority(&wheel)?, f, wheel))
                    })
                    .min_by_key(|(priority, _, _)| *priority);
                let Some((_, found, wheel)) = best else {
                    return Err(LocateError::NoWheelOnIndex {
                        package: package.name.to_string(),
                        version: package.pretty_version.clone(),
                        index: index.name.clone(),
                        page,
                    });
                };
                (found, Some(wheel))
            }
        };
        if file.url.scheme() != "file" && index.http.is_none() {
            // A local index pointing at remote files cannot be followed offline.
            return Err(LocateError::Offline {
                package: format!("{}=={}", package.name, package.pretty_version),
                file: file.filename.clone(),
            });
        }
        Ok(Located {
            credentials: credentials_for(index, &file.url),
            url: file.url.clone(),
            filename,
            file: file.filename.clone(),
            http: index.http.clone(),
            origin: index.name.clone(),
        })
    }

    /// Every wheel of `name` that fits `tags`, over the `--find-links` folders and the indexes a
    /// package without a source is looked up on (build requirements are not locked, so they
    /// come from there, as Poetry's isolated builds take them from the project's pool). A
    /// wheel found in several places is offered once, from the first. Yanked files are left
    /// out. Offline, only local folders and `file://` indexes are read.
    pub async fn offered(
        &self,
        name: &PackageName,
        tags: &Tags,
    ) -> Result<Vec<Offer>, LocateError> {
        let mut offers: Vec<Offer> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut push = |offers: &mut Vec<Offer>,
                        located: Located,
                        hash: Option<FileHash>,
                        requires_python: Option<String>| {
            if seen.insert(located.file.clone()) {
                offers.push(Offer {
                    located,
                    hash,
                    requires_python,
                });
            }
        };
        let mut local: Vec<(&String, &PathBuf)> = self.local_files.iter().collect();
        local.sort();
        for (file, path) in local {
            let Ok(wheel) = file.parse::<WheelFilename>() else {
                continue;
            };
            if &wheel.name != name || tags.priority(&wheel).is_none() {
                continue;
            }
            let Ok(url) = Url::from_file_path(path) else {
                continue;
            };
            let located = Located {
                url,
                filename: Some(wheel),
                file: file.clone(),
                credentials: None,
                http: None,
                origin: format!(
                    "--find-links {}",
                    path.parent().unwrap_or(Path::new("/")).display()
                ),
            };
            push(&mut offers, located, None, None);
        }
        let indexes = self.default_indexes();
        let mut first_error = None;
        for index in &indexes {
            if self.offline && !index.is_local() {
                continue;
            }
            let page = match self.page(index, name).await {
                Ok(page) => page,
                Err(error) if error.is_not_found() => continue,
                Err(error) => {
                    first_error.get_or_insert(error);
                    continue;
                }
            };
            for file in &page.1 {
                let Ok(wheel) = file.filename.parse::<WheelFilename>() else {
                    continue;
                };
                if file.yanked || &wheel.name != name || tags.priority(&wheel).is_none() {
                    continue;
                }
                if file.url.scheme() != "file" && index.http.is_none() {
                    continue;
                }
                let hash = file
                    .hashes
                    .get("sha256")
                    .and_then(|hex| format!("sha256:{hex}").parse::<FileHash>().ok());
                let located = Located {
                    credentials: credentials_for(index, &file.url),
                    url: file.url.clone(),
                    filename: Some(wheel),
                    file: file.filename.clone(),
                    http: index.http.clone(),
                    origin: index.name.clone(),
                };
                push(&mut offers, located, hash, file.requires_python.clone());
            }
        }
        match first_error {
            Some(error) if offers.is_empty() => Err(error),
            _ => Ok(offers),
        }
    }

    /// Where a `file` or `url` source's file is: the path or URL the lock gives. A URL gets
    /// no credentials (Poetry sends none either) and is refused offline.
    fn locate_direct(
        &self,
        package: &PlannedPackage,
        direct: &Direct,
    ) -> Result<Located, LocateError> {
        let (url, file, origin) = match direct {
            Direct::File { path, file, .. } => {
                let url = Url::from_file_path(path).map_err(|()| LocateError::BadIndexUrl {
                    url: path.display().to_string(),
                    message: "not an absolute path".to_string(),
                })?;
                (url, file, "its path in the lock".to_string())
            }
            Direct::Url { url, file, .. } => {
                let parsed = Url::parse(url).map_err(|e| LocateError::BadIndexUrl {
                    url: url.clone(),
                    message: e.to_string(),
                })?;
                (parsed, file, "its URL in the lock".to_string())
            }
            Direct::Directory { .. } | Direct::Git { .. } => {
                return Err(LocateError::BadIndexUrl {
                    url: package.artifact.describe(),
                    message: "directories and git checkouts are not downloaded".to_string(),
                })
            }
        };
        let http = match url.scheme() {
            "file" => None,
            _ if self.offline => {
                return Err(LocateError::Offline {
                    package: format!("{}=={}", package.name, package.pretty_version),
                    file: file.clone(),
                })
            }
            _ => Some(self.http.clone().ok_or_else(|| LocateError::Offline {
                package: format!("{}=={}", package.name, package.pretty_version),
                file: file.clone(),
            })?),
        };
        Ok(Located {
            url,
            filename: file.parse().ok(),
            file: file.clone(),
            credentials: None,
            http,
            origin,
        })
    }

    async fn page(&self, index: &Index, name: &PackageName) -> Page {
        let cell = {
            let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
            pages
                .entry((index.url.to_string(), name.clone()))
                .or_default()
                .clone()
        };
        cell.get_or_init(|| async {
            if index.is_local() {
                read_local_page(index, name)
            } else {
                self.fetch_page(index, name).await
            }
        })
        .await
        .clone()
    }

    async fn fetch_page(&self, index: &Index, name: &PackageName) -> Page {
        let url = index
            .url
            .join(&format!("{name}/"))
            .map_err(|e| LocateError::BadIndexUrl {
                url: redact(&index.url),
                message: e.to_string(),
            })?;
        let page = redact(&url);
        let page_error = |message: String| LocateError::Page {
            index: index.name.clone(),
            page: page.clone(),
            message,
        };
        let Some(http) = &index.http else {
            return Err(page_error("no network access (--offline)".to_string()));
        };
        let credentials = credentials_for(index, &url);
        let response = http
            .send(|| {
                let request = http.client.get(url.clone()).header(
                    reqwest::header::ACCEPT,
                    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01",
                );
                with_credentials(request, credentials.as_ref())
            })
            .await
            .map_err(|e| page_error(describe_reqwest(&e)))?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Err(LocateError::ProjectNotFound {
                package: name.to_string(),
                index: index.name.clone(),
                page,
            });
        }
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(LocateError::Unauthorized {
                index: index.name.clone(),
                page,
                status: status.as_u16(),
                hint: unauthorized_hint(index, credentials.is_some()),
            });
        }
        if !status.is_success() {
            return Err(page_error(format!("HTTP status {status}")));
        }
        let final_url = response.url().clone();
        let is_json = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(JSON_CONTENT_TYPE));
        let body = response
            .text()
            .await
            .map_err(|e| page_error(describe_reqwest(&e)))?;
        let files = if is_json {
            simple_api::parse_json(&body, &final_url).map_err(|e| page_error(e.to_string()))?
        } else {
            simple_api::parse_html(&body, &final_url)
        };
        Ok(Arc::new((final_url, files)))
    }
}

/// What to tell a user whose credentials were missing or refused. Never includes them.
fn unauthorized_hint(index: &Index, sent_credentials: bool) -> String {
    match &index.credentials_variable {
        Some(variable) if !sent_credentials => format!(
            "set {variable}_USERNAME and {variable}_PASSWORD to the credentials of the source `{}` (or add its host to ~/.netrc)",
            index.name
        ),
        Some(variable) => format!(
            "the credentials given for `{}` ({variable}_USERNAME/_PASSWORD, the URL, or ~/.netrc) were refused",
            index.name
        ),
        None if sent_credentials => format!(
            "the credentials given for {} (in its URL or ~/.netrc) were refused",
            index.name
        ),
        None => "put credentials in the index URL (https://user:password@host/...) or in ~/.netrc".to_string(),
    }
}

/// A project page of a `file://` index: `<index>/<name>/index.json` (PEP 691) if present, else
/// `<index>/<name>/index.html` (PEP 503), as `verse download` writes them.
fn read_local_page(index: &Index, name: &PackageName) -> Page {
    let page_url = index
        .url
        .join(&format!("{name}/"))
        .map_err(|e| LocateError::BadIndexUrl {
            url: index.url.to_string(),
            message: e.to_string(),
        })?;
    let page = page_url.to_string();
    let page_error = |message: String| LocateError::Page {
        index: index.name.clone(),
        page: page.clone(),
        message,
    };
    let dir = page_url
        .to_file_path()
        .map_err(|()| page_error("not a local path".to_string()))?;
    let json = dir.join("index.json");
    let html = dir.join("index.html");
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| page_error(format!("{}: {e}", path.display())))
    };
    let files = if json.is_file() {
        simple_api::parse_json(&read(&json)?, &page_url).map_err(|e| page_error(e.to_string()))?
    } else if html.is_file() {
        simple_api::parse_html(&read(&html)?, &page_url)
    } else {
        return Err(LocateError::ProjectNotFound {
            package: name.to_string(),
            index: index.name.clone(),
            page,
        });
    };
    Ok(Arc::new((page_url, files)))
}

/// Every file in the `--find-links` directories (not recursive), by file name. A directory
/// that cannot be read is an error: silently ignoring a mistyped path would turn into a
/// confusing "missing file" report.
fn list_find_links(dirs: &[PathBuf]) -> Result<HashMap<String, PathBuf>, LocateError> {
    let mut files = HashMap::new();
    for dir in dirs {
        let entries = std::fs::read_dir(dir).map_err(|e| LocateError::FindLinks {
            dir: dir.display().to_string(),
            message: e.to_string(),
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_file() {
                continue;
            }
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let absolute = std::path::absolute(&path).unwrap_or(path.clone());
            files.entry(name.to_string()).or_insert(absolute);
        }
    }
    Ok(files)
}

/// Poetry's `certificates.<name>` settings from the environment.
fn tls_options(source_name: &str) -> TlsOptions {
    let prefix = format!("POETRY_CERTIFICATES_{}", env_name(source_name));
    let cert = std::env::var(format!("{prefix}_CERT"))
        .ok()
        .filter(|v| !v.is_empty());
    let client_cert = std::env::var(format!("{prefix}_CLIENT_CERT"))
        .ok()
        .filter(|v| !v.is_empty());
    let insecure = cert
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case("false"));
    TlsOptions {
        ca_bundle: cert
            .filter(|v| !v.eq_ignore_ascii_case("false") && !v.eq_ignore_ascii_case("true"))
            .map(PathBuf::from),
        client_cert: client_cert.map(PathBuf::from),
        insecure,
    }
}

/// A source name as Poetry's environment variables spell it: upper-case, `-` → `_`.
fn env_name(source_name: &str) -> String {
    source_name.to_ascii_uppercase().replace('-', "_")
}

/// The normalized project name a distribution file belongs to (wheel or sdist), if any.
pub fn project_of(filename: &str) -> Option<PackageName> {
    if let Ok(wheel) = filename.parse::<WheelFilename>() {
        return Some(wheel.name);
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar"]
        .iter()
        .find_map(|ext| filename.strip_suffix(ext))?;
    let (name, _version) = stem.rsplit_once('-')?;
    normalize(name).parse().ok()
}

/// Builds an [`Index`], moving credentials out of the URL and adding Poetry's environment
/// credentials for named sources (`POETRY_HTTP_BASIC_<NAME>_USERNAME/_PASSWORD`).
fn index(name: &str, url: &str, source_name: Option<&str>) -> Result<Index, LocateError> {
    let mut text = url.trim().to_string();
    if !text.ends_with('/') {
        text.push('/');
    }
    let mut parsed = Url::parse(&text).map_err(|e| LocateError::BadIndexUrl {
        url: url.to_string(),
        message: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https" | "file") {
        return Err(LocateError::BadIndexUrl {
            url: redact(&parsed),
            message: "only http://, https:// and file:// indexes are supported".to_string(),
        });
    }
    let mut credentials = if parsed.username().is_empty() && parsed.password().is_none() {
        None
    } else {
        Some(Credentials {
            username: percent_decode(parsed.username()),
            password: parsed.password().map(percent_decode),
        })
    };
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    let credentials_variable = source_name.map(|n| format!("POETRY_HTTP_BASIC_{}", env_name(n)));
    if let Some(variable) = &credentials_variable {
        let username = std::env::var(format!("{variable}_USERNAME")).ok();
        let password = std::env::var(format!("{variable}_PASSWORD")).ok();
        if username.is_some() || password.is_some() {
            credentials = Some(Credentials {
                username: username.unwrap_or_default(),
                password,
            });
        }
    }
    if credentials.is_none() && parsed.scheme() != "file" {
        credentials = parsed.host_str().and_then(netrc::lookup);
    }
    Ok(Index {
        name: name.to_string(),
        url: parsed,
        credentials,
        credentials_variable,
        http: None,
    })
}

/// The index's credentials, if `url` is on the index's own scheme, host and port: files on
/// another host (a CDN) never receive them (only that host's own netrc entry, as `requests`
/// does).
fn credentials_for(index: &Index, url: &Url) -> Option<Credentials> {
    if url.scheme() == "file" {
        return None;
    }
    let same_origin = url.scheme() == index.url.scheme()
        && url.host_str() == index.url.host_str()
        && url.port_or_known_default() == index.url.port_or_known_default();
    if same_origin {
        index.credentials.clone()
    } else {
        url.host_str().and_then(netrc::lookup)
    }
}

pub fn with_credentials(
    request: reqwest::RequestBuilder,
    credentials: Option<&Credentials>,
) -> reqwest::RequestBuilder {
    match credentials {
        Some(c) => request.basic_auth(&c.username, c.password.as_ref()),
        None => request,
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(value) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A reqwest error as one line, with its innermost cause (reqwest's own text is vague).
pub fn describe_reqwest(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_string()
    } else if error.is_connect() {
        "could not connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = std::error::Error::source(error);
    let mut innermost = None;
    while let Some(cause) = source {
        innermost = Some(cause.to_string());
        source = cause.source();
    }
    if let Some(cause) = innermost {
        text.push_str(": ");
        text.push_str(&cause);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_moves_url_credentials_aside() {
        let index = index("x", "https://u%40x:p%3Aw@host.example/simple", None).unwrap();
        assert_eq!(index.url.as_str(), "https://host.example/simple/");
        let credentials = index.credentials.clone().unwrap();
        assert_eq!(credentials.username, "u@x");
        assert_eq!(credentials.password.as_deref(), Some("p:w"));
        let same = Url::parse("https://host.example/files/a.whl").unwrap();
        let other = Url::parse("https://cdn.example/files/a.whl").unwrap();
        let other_port = Url::parse("https://host.example:8443/files/a.whl").unwrap();
        assert!(credentials_for(&index, &same).is_some());
        assert!(credentials_for(&index, &other).is_none());
        assert!(credentials_for(&index, &other_port).is_none());
        assert!(!format!("{index:?}").contains("p:w"));
    }

    #[test]
    fn rejects_non_http_indexes() {
        assert!(index("x", "ftp://host/simple", None).is_err());
    }
}
