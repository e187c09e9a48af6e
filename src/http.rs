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
        let outcome = self
            .retry(|| async {
                match build().send().await {
                    Ok(response) if is_transient_status(response.status()) => {
                        let wait = retry_after(&response);
                        Err(Failure::Transient(Ok(response), wait))
                    }
                    Ok(response) => Ok(response),
                    Err(error) if is_transient_error(&error) => {
                        Err(Failure::Transient(Err(error), None))
                    }
                    Err(error) => Err(Failure::Fatal(Err(error))),
                }
            })
            .await;
        match outcome {
            Ok(response) => Ok(response),
            // The retries are spent, or the failure is not transient: its last outcome.
            Err(last) => last,
        }
    }

    /// Runs `attempt` until it succeeds or fails for good, at most `1 + retries` times,
    /// pausing between tries with exponential backoff or for as long as the server asked. The
    /// one retry rule for every transfer (index pages through [`Http::send`], whole
    /// downloads, whose body can fail after the answer came).
    pub async fn retry<T, E, F, Fut>(&self, mut attempt: F) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, Failure<E>>>,
    {
        let mut tries = 0;
        loop {
            match attempt().await {
                Ok(value) => return Ok(value),
                Err(Failure::Transient(_, wait)) if tries < self.settings.retries => {
                    tokio::time::sleep(wait.unwrap_or_else(|| backoff(tries))).await;
                    tries += 1;
                }
                Err(Failure::Transient(error, _) | Failure::Fatal(error)) => return Err(error),
            }
        }
    }
}

/// How one try of a retried transfer failed (see [`Http::retry`]).
#[derive(Debug)]
pub enum Failure<E> {
    /// Worth another try: after this long if the server said so (`Retry-After`), else after
    /// the backoff.
    Transient(E, Option<Duration>),
    /// Another try would fail the same way.
    Fatal(E),
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

/// Connection refused or reset, timeouts, a body cut short: worth another try. Not a TLS
/// failure (an untrusted or expired certificate, a refused handshake): reqwest reports those
/// as connect errors too, but the next try gets the same answer, only later.
pub fn is_transient_error(error: &reqwest::Error) -> bool {
    if is_tls_failure(error) {
        return false;
    }
    error.is_connect() || error.is_timeout() || error.is_request() || error.is_body()
}

/// Whether a rustls error is among the causes. The TLS layer wraps it in an `io::Error`
/// (hyper wraps that in another), whose `source()` skips the wrapped error itself, so an
/// `io::Error` is opened with `get_ref` instead.
fn is_tls_failure(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<rustls::Error>() {
            return true;
        }
        cause = match error.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    false
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250u64 << attempt.min(5))
}

/// The server's `Retry-After` in seconds, capped at 10 s.
pub fn retry_after(response: &Response) -> Option<Duration> {
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
    fn tls_failures_are_not_transient_but_connection_failures_are() {
        #[derive(Debug)]
        struct Wrapper(std::io::Error);
        impl std::fmt::Display for Wrapper {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("client error (Connect)")
            }
        }
        impl std::error::Error for Wrapper {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let certificate =
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        // As hyper and tokio-rustls report it: io::Error(Other, io::Error(InvalidData, rustls)).
        let tls = Wrapper(std::io::Error::other(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            certificate,
        )));
        assert!(is_tls_failure(&tls));
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::CertificateRequired);
        assert!(is_tls_failure(&alert));
        for kind in [
            std::io::ErrorKind::ConnectionRefused,
            std::io::ErrorKind::ConnectionReset,
            std::io::ErrorKind::TimedOut,
        ] {
            assert!(!is_tls_failure(&Wrapper(std::io::Error::from(kind))));
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) > backoff(0));
        assert_eq!(backoff(9), backoff(5));
    }
}
