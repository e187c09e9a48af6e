//! The HTTP clients that `locate` and `fetch` share: rustls (ring) with the system's roots
//! (`SSL_CERT_FILE`/`SSL_CERT_DIR` replace them, as with OpenSSL), proxies from the environment
//! (`HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY`, read by reqwest), HTTP/2 when the server
//! offers it, connection reuse, timeouts, and the retry rule for transient failures.
//!
//! One client serves every index that needs nothing special; a source with its own CA bundle or
//! client certificate (Poetry's `POETRY_CERTIFICATES_<NAME>_CERT` / `_CLIENT_CERT`) gets a client
//! of its own, so a client identity is never presented to another host. This module does not
//! decide which source needs what (that is `locate`) and never sees credentials.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::{RequestBuilder, Response, StatusCode};

/// Timeouts and retries, as uv and pip default them (wheel-install.md §5.6).
#[derive(Clone, Copy, Debug)]
pub struct HttpSettings {
    pub connect_timeout: Duration,
    /// Longest silence between two reads of a body.
    pub read_timeout: Duration,
    /// Extra attempts after a transient failure.
    pub retries: u32,
}

impl Default for HttpSettings {
    /// uv's defaults, overridable like uv's `UV_HTTP_TIMEOUT`/`UV_HTTP_RETRIES`:
    /// `VERSE_HTTP_TIMEOUT` (seconds between two reads, also caps the connect timeout) and
    /// `VERSE_HTTP_RETRIES` (extra attempts after a transient failure).
    fn default() -> Self {
        let from_env = |name: &str| -> Option<u64> {
            std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
        };
        let read_timeout = Duration::from_secs(from_env("VERSE_HTTP_TIMEOUT").unwrap_or(30).max(1));
        HttpSettings {
            connect_timeout: Duration::from_secs(10).min(read_timeout),
            read_timeout,
            retries: from_env("VERSE_HTTP_RETRIES").map_or(3, |r| r.min(10) as u32),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Http {
    pub client: reqwest::Client,
    pub settings: HttpSettings,
}

/// TLS settings beyond the system's: what Poetry's `certificates.<source>` config gives.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TlsOptions {
    /// A PEM bundle of extra CA certificates, trusted in addition to the system roots.
    pub ca_bundle: Option<PathBuf>,
    /// A PEM file holding a client certificate and its private key.
    pub client_cert: Option<PathBuf>,
    /// Poetry's `cert = false`: do not verify the server's certificate at all.
    pub insecure: bool,
}

impl TlsOptions {
    pub fn is_default(&self) -> bool {
        *self == TlsOptions::default()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("cannot read {what} {path}")]
    Read {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a valid PEM {what}")]
    Pem {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: reqwest::Error,
    },
    #[error("cannot set up the HTTPS client")]
    Client(#[source] reqwest::Error),
}

impl Http {
    pub fn new(settings: HttpSettings) -> Result<Self, HttpError> {
        Http::with_tls(settings, &TlsOptions::default())
    }

    pub fn with_tls(settings: HttpSettings, tls: &TlsOptions) -> Result<Self, HttpError> {
        // reqwest is built without a crypto provider so the binary carries ring only (no
        // aws-lc C build, which complicates the static musl build); install it once.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("verse/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .pool_max_idle_per_host(64)
            .http2_adaptive_window(true);
        if let Some(path) = &tls.ca_bundle {
            let pem = read(path, "the CA bundle")?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|source| HttpError::Pem {
                    what: "CA bundle",
                    path: path.clone(),
                    source,
                })?;
            builder = builder.tls_certs_merge(certs);
        }
        if let Some(path) = &tls.client_cert {
            let pem = read(path, "the client certificate")?;
            let identity = reqwest::Identity::from_pem(&pem).map_err(|source| HttpError::Pem {
                what: "client certificate and key",
                path: path.clone(),
                source,
            })?;
            builder = builder.identity(identity);
        }
        if tls.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let client = builder.build().map_err(HttpError::Client)?;
        Ok(Http { client, settings })
    }

    /// Sends a request, retrying connection failures, timeouts and 408/429/5xx answers with
    /// exponential backoff (honouring a short `Retry-After`). Returns the last response or
    /// error when the retries are spent; the caller judges the status.
    pub async fn send(
        &self,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Response, reqwest::Error> {
        let mut attempt = 0;
        loop {
            let result = build().send().await;
            let retry_after = match &result {
                Ok(response) if is_transient_status(response.status()) => {
                    Some(retry_after(response).unwrap_or_else(|| backoff(attempt)))
                }
                Ok(_) => None,
                Err(error) if is_transient_error(error) => Some(backoff(attempt)),
                Err(_) => None,
            };
            match retry_after {
                Some(delay) if attempt < self.settings.retries => {
                    attempt += 1;
                    tokio::time::sleep(delay).await;
                }
                _ => return result,
            }
        }
    }

    /// The pause before retry number `attempt + 1`, for callers that retry a whole transfer.
    pub fn backoff(&self, attempt: u32) -> Duration {
        backoff(attempt)
    }
}

fn read(path: &std::path::Path, what: &'static str) -> Result<Vec<u8>, HttpError> {
    std::fs::read(path).map_err(|source| HttpError::Read {
        what,
        path: path.to_path_buf(),
        source,
    })
}

pub fn is_transient_status(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
}

pub fn is_transient_error(error: &reqwest::Error) -> bool {
    error.is_connect() || error.is_timeout() || error.is_request() || error.is_body()
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250u64 << attempt.min(5))
}

fn retry_after(response: &Response) -> Option<Duration> {
    let seconds: u64 = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    // A server asking for minutes is not transient for an install; cap the wait.
    Some(Duration::from_secs(seconds.min(10)))
}

/// A URL with any `user:password@` removed, for messages and logs.
pub fn redact(url: &reqwest::Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut clean = url.clone();
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    clean.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials() {
        let url = reqwest::Url::parse("https://user:secret@example.org/simple/").unwrap();
        assert_eq!(redact(&url), "https://example.org/simple/");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) > backoff(0));
        assert_eq!(backoff(9), backoff(5));
    }
}
