//! Air-gapped and private sources (issue 3), end to end with the real binary:
//!
//! * `download`: `verse download --dest DIR` (targets from flags, `--all-platforms`), the
//!   static index it writes, resuming;
//! * `offline`: `verse install --offline` with `--find-links` and `file://` indexes, while a
//!   live index whose request log must stay empty is configured;
//! * `auth`: basic auth from `POETRY_HTTP_BASIC_<SOURCE>_*`, the URL and netrc; refused and
//!   missing credentials; credentials never printed, never in the cache, never sent to another
//!   host (127.0.0.1 vs 127.0.0.2, both loopback) on a link or a redirect;
//! * `remap`: `--source-url NAME=URL`, `--extra-index-url`, supplemental sources, proxies.
//!
//! `MiniServer` is a loopback HTTP server answering from a closure, for what `IndexServer`
//! does not do (another loopback address, redirects, acting as a proxy).

mod auth;
mod download;
mod offline;
mod remap;
mod tls;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub use crate::install::wheel;
pub use crate::support::*;

/// A request as `MiniServer` saw it: the request target as sent, and lowercase headers.
#[derive(Clone, Debug)]
pub struct SeenRequest {
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl SeenRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// (status, extra headers, body)
pub type Reply = (u16, Vec<(String, String)>, Vec<u8>);

pub struct MiniServer {
    pub host: String,
    pub port: u16,
    log: Arc<Mutex<Vec<SeenRequest>>>,
}

impl MiniServer {
    /// Serves on `ip:0` (a loopback address) with `handler(request target)`.
    pub fn start(ip: &str, handler: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind((ip, 0)).expect("binding a loopback address");
        let port = listener.local_addr().expect("address").port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler = Arc::new(handler);
        {
            let log = log.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let (log, handler) = (log.clone(), handler.clone());
                    std::thread::spawn(move || serve(stream, &log, &*handler));
                }
            });
        }
        MiniServer {
            host: ip.to_string(),
            port,
            log,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }

    pub fn requests(&self) -> Vec<SeenRequest> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<SeenRequest>>, handler: &dyn Fn(&str) -> Reply) {
    let mut reader = BufReader::new(stream.try_clone().expect("cloning the stream"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    log.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(SeenRequest {
            target: target.clone(),
            headers,
        });
    let (status, extra, body) = handler(&target);
    let mut stream = stream;
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// A PEP 503 page listing `(filename, href)` pairs.
pub fn html_page(links: &[(&str, &str)]) -> Vec<u8> {
    let mut page = String::from("<!DOCTYPE html><html><body>\n");
    for (file, href) in links {
        page.push_str(&format!("<a href=\"{href}\">{file}</a><br/>\n"));
    }
    page.push_str("</body></html>\n");
    page.into_bytes()
}

/// A no-root project locking exactly these wheels (from PyPI) in group `main`.
pub fn locked_project(context: &TestContext, wheels: &[&DistFile]) {
    let mut pyproject = Pyproject::new(Style::Poetry);
    let mut lock = Lockfile::new(LockFormat::V2_1);
    for wheel in wheels {
        pyproject = pyproject.dep(Dep::new(&wheel.name, "*"));
        lock = lock.package(Locked::of(wheel));
    }
    context.project().pyproject(pyproject).lock(lock).write();
}

/// Every file under `dir`, as text, concatenated (to look for leaked secrets).
pub fn all_text_under(dir: &std::path::Path) -> String {
    let mut out = String::new();
    for path in tree(dir) {
        out.push_str(&path);
        out.push('\n');
        if let Ok(text) = std::fs::read(dir.join(&path)) {
            out.push_str(&String::from_utf8_lossy(&text));
        }
    }
    out
}

/// The venv imports each module at its version.
pub fn imports(context: &TestContext, names: &[&str]) -> String {
    crate::install::imported_versions(context, names)
}
