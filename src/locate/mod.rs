//! Finds where each planned file can be downloaded: on the package's source (PyPI or the
//! `--index-url` that replaces it, or the `[[tool.poetry.source]]` the lock names), through
//! the simple repository API. One page request per (index, project), shared by everyone
//! who needs it; credentials only ever go to the host they were configured for.

pub mod simple_api;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::{StatusCode, Url};
use tokio::sync::OnceCell;

use crate::http::{redact, Http};
use crate::lock::{PackageSource, SourceDecl};
use crate::packaging::{PackageName, Tags, WheelFilename};
use crate::plan::{Artifact, PlannedPackage};
use simple_api::{PageFile, JSON_CONTENT_TYPE};

pub const PYPI_SIMPLE: &str = "https://pypi.org/simple/";

/// A simple index and how to authenticate to it.
#[derive(Clone, Debug)]
pub struct Index {
    /// What the user calls it: `PyPI`, or the source's name in pyproject.toml.
    pub name: String,
    /// Always ends in `/`; never holds credentials (they are in `credentials`).
    pub url: Url,
    pub credentials: Option<Credentials>,
    /// The environment variable prefix Poetry reads credentials from, for hints.
    pub credentials_variable: Option<String>,
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

/// Where one planned file will be downloaded from.
#[derive(Clone, Debug)]
pub struct Located {
    pub url: Url,
    pub filename: WheelFilename,
    pub file: String,
    /// Credentials to send, already checked to belong to this URL's host.
    pub credentials: Option<Credentials>,
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
            _ => None,
        }
    }
}

type Page = Result<Arc<(Url, Vec<PageFile>)>, LocateError>;
/// One shared, lazily fetched page per (index URL, project).
type PageCache = Mutex<HashMap<(String, PackageName), Arc<OnceCell<Page>>>>;

pub struct Locator {
    http: Http,
    default_index: Index,
    sources: Vec<Index>,
    pages: PageCache,
}

impl Locator {
    /// `index_url` replaces PyPI; `sources` are the project's declared sources.
    pub fn new(
        http: Http,
        index_url: Option<&str>,
        sources: &[SourceDecl],
    ) -> Result<Self, LocateError> {
        let default_index = match index_url {
            Some(url) => index("index", url, None)?,
            None => index("PyPI", PYPI_SIMPLE, None)?,
        };
        let mut declared = Vec::new();
        for source in sources {
            if let Some(url) = &source.url {
                declared.push(index(&source.name, url, Some(&source.name))?);
            }
        }
        Ok(Locator {
            http,
            default_index,
            sources: declared,
            pages: Mutex::new(HashMap::new()),
        })
    }

    /// The index a locked package is looked up on, as Poetry's Chooser picks it.
    pub fn index_for(&self, package: &PlannedPackage) -> Result<Index, LocateError> {
        match &package.source {
            // Like Poetry, the source is found by name in the project's current sources; the
            // URL the lock recorded is not used (a changed URL is a stale lock anyway).
            PackageSource::Legacy { reference, .. } => self
                .sources
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(reference))
                .cloned()
                .ok_or_else(|| LocateError::UnknownSource {
                    package: package.name.to_string(),
                    source_name: reference.clone(),
                }),
            _ => Ok(self.default_index.clone()),
        }
    }

    pub async fn locate(
        &self,
        package: &PlannedPackage,
        tags: &Tags,
    ) -> Result<Located, LocateError> {
        let index = self.index_for(package)?;
        let (page_url, files) = &*self.page(&index, &package.name).await?;
        let page = redact(page_url);
        let (file, filename) = match &package.artifact {
            Artifact::Wheel { file, filename, .. } => {
                let found = files.iter().find(|f| &f.filename == file).ok_or_else(|| {
                    LocateError::FileNotListed {
                        package: format!("{}=={}", package.name, package.pretty_version),
                        file: file.clone(),
                        index: index.name.clone(),
                        page: page.clone(),
                    }
                })?;
                (found, filename.clone())
            }
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
                (found, wheel)
            }
        };
        Ok(Located {
            credentials: credentials_for(&index, &file.url),
            url: file.url.clone(),
            filename,
            file: file.filename.clone(),
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
        cell.get_or_init(|| self.fetch_page(index, name))
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
        let credentials = credentials_for(index, &url);
        let response = self
            .http
            .send(|| {
                let request = self.http.client.get(url.clone()).header(
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
            let hint = match &index.credentials_variable {
                Some(variable) if index.credentials.is_none() => format!(
                    "set {variable}_USERNAME and {variable}_PASSWORD to the credentials of the source `{}`",
                    index.name
                ),
                Some(variable) => format!(
                    "the credentials given for `{}` ({variable}_USERNAME/_PASSWORD or the URL) were refused",
                    index.name
                ),
                None => "put credentials in the index URL (https://user:password@host/...)".to_string(),
            };
            return Err(LocateError::Unauthorized {
                index: index.name.clone(),
                page,
                status: status.as_u16(),
                hint,
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
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(LocateError::BadIndexUrl {
            url: redact(&parsed),
            message: "only http:// and https:// indexes are supported".to_string(),
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
    let credentials_variable = source_name.map(|n| {
        format!(
            "POETRY_HTTP_BASIC_{}",
            n.to_ascii_uppercase().replace('-', "_")
        )
    });
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
    Ok(Index {
        name: name.to_string(),
        url: parsed,
        credentials,
        credentials_variable,
    })
}

/// The index's credentials, if `url` is on the index's own scheme, host and port: files on
/// another host (a CDN) never receive them.
fn credentials_for(index: &Index, url: &Url) -> Option<Credentials> {
    let same_origin = url.scheme() == index.url.scheme()
        && url.host_str() == index.url.host_str()
        && url.port_or_known_default() == index.url.port_or_known_default();
    if same_origin {
        index.credentials.clone()
    } else {
        None
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
