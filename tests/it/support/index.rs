//! `IndexServer`: a loopback HTTP/1.1 package index for tests.
//!
//! Serves a PEP 503 / PEP 691 simple index from files held in memory (given one by one, or
//! read from a directory):
//! * `GET /simple/` lists the projects;
//! * `GET /simple/<normalized-name>/` is PEP 691 JSON when the `Accept` header asks for
//!   `application/vnd.pypi.simple.v1+json` (unless the server is HTML-only), else PEP 503 HTML
//!   with `#sha256=` fragments; file links are relative (`../../files/<filename>`);
//!   an unnormalized name or a missing trailing slash is redirected (301) like PyPI does;
//! * `GET /files/<filename>` returns the bytes with a `Content-Length`;
//! * anything else is 404.
//!
//! Options: basic auth, HTML only, and fault injection per path (status codes, truncated or
//! replaced bodies) for a number of requests. Every request is logged (method, path, headers)
//! for tests to inspect. One thread accepts, one thread per connection; each response closes
//! its connection. The server stops when dropped.
//!
//! It does not speak TLS, HTTP/2, range requests or keep-alive.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine;

use super::wheel::{sha256_hex, DistFile};

pub const PEP691_JSON: &str = "application/vnd.pypi.simple.v1+json";

/// One request as the server saw it. Header names are lowercase.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// The status the server answered with.
    pub status: u16,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does instead of answering normally.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with this status and an empty body.
    Status(u16),
    /// Announce the full `Content-Length` but send only the first `n` bytes, then close.
    Truncate(usize),
    /// Answer 200 with these bytes instead of the real ones.
    Body(Vec<u8>),
    /// Wait this long before answering normally.
    Delay(Duration),
    /// Answer with this status, an empty body and `Retry-After: <seconds>`.
    RetryAfter(u16, u64),
    /// Send the headers and half the body, stall this long, then send the rest.
    StallBody(Duration),
    /// Close the connection without answering (a reset before the response).
    Reset,
}

#[derive(Clone, Debug)]
struct FaultRule {
    path: String,
    fault: Fault,
    /// How many more requests it applies to; `None`: all of them.
    remaining: Option<usize>,
}

#[derive(Clone, Debug)]
struct ServedFile {
    filename: String,
    bytes: Vec<u8>,
    requires_python: Option<String>,
}

#[derive(Default)]
struct State {
    /// normalized project name -> files
    projects: BTreeMap<String, Vec<ServedFile>>,
    auth: Option<(String, String)>,
    html_only: bool,
    faults: Vec<FaultRule>,
    log: Vec<Request>,
}

/// A running index on `127.0.0.1:<random port>`.
pub struct IndexServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl IndexServer {
    /// Starts an empty index.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let state = Arc::clone(&state);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let state = Arc::clone(&state);
                    std::thread::spawn(move || serve_connection(stream, &state));
                }
            })
        };
        IndexServer {
            addr,
            state,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// Starts an index serving these files.
    pub fn with_files<'a>(files: impl IntoIterator<Item = &'a DistFile>) -> Self {
        let server = Self::start();
        for file in files {
            server.add(file);
        }
        server
    }

    /// Serves `file` under its project (its bytes are read now).
    pub fn add(&self, file: &DistFile) -> &Self {
        self.add_bytes(&file.name, &file.filename, file.bytes())
    }

    /// Serves every `.whl`, `.tar.gz` and `.zip` file in `dir` (read now), each under the
    /// project its file name starts with. Returns how many files it added.
    pub fn add_dir(&self, dir: &std::path::Path) -> usize {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        let mut added = 0;
        for entry in entries.flatten() {
            let filename = entry.file_name().to_string_lossy().into_owned();
            let name = if let Some(stem) = filename.strip_suffix(".whl") {
                stem.split('-').next()
            } else if let Some(stem) = filename
                .strip_suffix(".tar.gz")
                .or_else(|| filename.strip_suffix(".zip"))
            {
                stem.rsplit_once('-').map(|(name, _)| name)
            } else {
                None
            };
            let Some(name) = name.map(str::to_string) else {
                continue;
            };
            let bytes = std::fs::read(entry.path())
                .unwrap_or_else(|e| panic!("reading {}: {e}", entry.path().display()));
            self.add_bytes(&name, &filename, bytes);
            added += 1;
        }
        added
    }

    /// Serves these bytes as `filename` of project `name`, replacing a file of that name.
    pub fn add_bytes(&self, name: &str, filename: &str, bytes: Vec<u8>) -> &Self {
        let mut state = self.lock();
        let files = state
            .projects
            .entry(verse::packaging::normalize(name))
            .or_default();
        files.retain(|f| f.filename != filename);
        files.push(ServedFile {
            filename: filename.to_string(),
            bytes,
            requires_python: None,
        });
        files.sort_by(|a, b| a.filename.cmp(&b.filename));
        drop(state);
        self
    }

    /// Serves other bytes for an already served file; the listing's hash follows the new
    /// bytes, so only a lock that remembers the old hash can notice.
    pub fn replace_bytes(&self, filename: &str, bytes: Vec<u8>) -> &Self {
        let mut state = self.lock();
        let file = state
            .projects
            .values_mut()
            .flatten()
            .find(|f| f.filename == filename)
            .unwrap_or_else(|| panic!("{filename} is not served"));
        file.bytes = bytes;
        drop(state);
        self
    }

    /// Lists `data-requires-python` / `requires-python` for a served file.
    pub fn requires_python(&self, filename: &str, specifier: &str) -> &Self {
        let mut state = self.lock();
        if let Some(file) = state
            .projects
            .values_mut()
            .flatten()
            .find(|f| f.filename == filename)
        {
            file.requires_python = Some(specifier.to_string());
        }
        drop(state);
        self
    }

    /// Requires HTTP basic auth with these credentials on every path (401 otherwise).
    pub fn basic_auth(&self, user: &str, password: &str) -> &Self {
        self.lock().auth = Some((user.to_string(), password.to_string()));
        self
    }

    /// Ignores the PEP 691 `Accept` header: every project page is PEP 503 HTML.
    pub fn html_only(&self) -> &Self {
        self.lock().html_only = true;
        self
    }

    /// Applies `fault` to the next `times` requests for `path` (`None`: to all of them).
    /// `path` is the exact request path, e.g. `/files/demo-1.0-py3-none-any.whl`.
    pub fn fault(&self, path: &str, fault: Fault, times: Option<usize>) -> &Self {
        self.lock().faults.push(FaultRule {
            path: path.to_string(),
            fault,
            remaining: times,
        });
        self
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The index URL to give a client: `http://127.0.0.1:<port>/simple`.
    pub fn url(&self) -> String {
        format!("{}/simple", self.base_url())
    }

    /// The index URL with credentials in it: `http://user:pass@127.0.0.1:<port>/simple`.
    pub fn url_with_credentials(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@{}/simple", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.lock().log.clone()
    }

    /// The file names requested under `/files/` so far, in order (repeats included).
    pub fn downloads(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter_map(|r| r.path.strip_prefix("/files/").map(str::to_string))
            .collect()
    }

    /// The project pages requested so far (`/simple/<name>/` paths).
    pub fn project_pages(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/simple/"))
            .map(|r| r.path)
            .collect()
    }

    /// Forgets the request log (e.g. between a first and a second install).
    pub fn clear_log(&self) {
        self.lock().log.clear();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic in a connection thread must not hide the test's own failure.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for IndexServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so the thread sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// An address nothing listens on: bind a port, then free it.
pub fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    drop(listener);
    format!("http://{addr}/simple")
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Send only this many body bytes (for `Fault::Truncate`).
    truncate: Option<usize>,
    /// Pause half-way through the body (for `Fault::StallBody`).
    stall: Option<Duration>,
    /// Close without a response (for `Fault::Reset`).
    reset: bool,
}

impl Response {
    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".to_string(), content_type.to_string())],
            body,
            truncate: None,
            stall: None,
            reset: false,
        }
    }

    fn not_found() -> Self {
        Response::new(404, "text/plain", b"not found\n".to_vec())
    }

    fn redirect(location: &str) -> Self {
        let mut response = Response::new(301, "text/plain", Vec::new());
        response
            .headers
            .push(("Location".to_string(), location.to_string()));
        response
    }
}

fn serve_connection(stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return; // the wake-up connection from Drop, or a client that gave up
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    // Requests carry no body we care about, but drain one so the client is not reset.
    let content_length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .unwrap_or(0);
    if content_length > 0 {
        let _ = std::io::copy(
            &mut reader.by_ref().take(content_length),
            &mut std::io::sink(),
        );
    }

    let mut request = Request {
        method,
        path,
        headers,
        status: 0,
    };
    let (response, delay) = respond(&request, state);
    if let Some(delay) = delay {
        std::thread::sleep(delay);
    }
    request.status = response.status;
    state
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .log
        .push(request.clone());
    let _ = write_response(stream, &request, response);
}

fn write_response(
    mut stream: TcpStream,
    request: &Request,
    response: Response,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        reason(response.status),
        response.body.len()
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    if response.reset {
        return stream.shutdown(Shutdown::Both);
    }
    stream.write_all(head.as_bytes())?;
    if request.method != "HEAD" {
        let end = response
            .truncate
            .unwrap_or(response.body.len())
            .min(response.body.len());
        if let Some(stall) = response.stall {
            let half = end / 2;
            stream.write_all(&response.body[..half])?;
            stream.flush()?;
            std::thread::sleep(stall);
            stream.write_all(&response.body[half..end])?;
        } else {
            stream.write_all(&response.body[..end])?;
        }
    }
    stream.flush()?;
    stream.shutdown(Shutdown::Both)
}

fn respond(request: &Request, state: &Mutex<State>) -> (Response, Option<Duration>) {
    let mut state = state.lock().unwrap_or_else(|e| e.into_inner());

    if let Some((user, password)) = &state.auth {
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        if request.header("authorization") != Some(expected.as_str()) {
            let mut response = Response::new(401, "text/plain", b"unauthorized\n".to_vec());
            response.headers.push((
                "WWW-Authenticate".to_string(),
                "Basic realm=\"verse-test\"".to_string(),
            ));
            return (response, None);
        }
    }

    let mut delay = None;
    let mut replaced_body = None;
    let mut truncate = None;
    let mut stall = None;
    if let Some(rule) = state
        .faults
        .iter_mut()
        .find(|r| r.path == request.path && r.remaining != Some(0))
    {
        if let Some(remaining) = &mut rule.remaining {
            *remaining -= 1;
        }
        match rule.fault.clone() {
            Fault::Status(status) => {
                return (Response::new(status, "text/plain", Vec::new()), None)
            }
            Fault::Truncate(n) => truncate = Some(n),
            Fault::Body(bytes) => replaced_body = Some(bytes),
            Fault::Delay(d) => delay = Some(d),
            Fault::RetryAfter(status, seconds) => {
                let mut response = Response::new(status, "text/plain", Vec::new());
                response
                    .headers
                    .push(("Retry-After".to_string(), seconds.to_string()));
                return (response, None);
            }
            Fault::StallBody(d) => stall = Some(d),
            Fault::Reset => {
                let mut response = Response::new(200, "text/plain", Vec::new());
                response.reset = true;
                return (response, None);
            }
        }
    }

    if request.method != "GET" && request.method != "HEAD" {
        return (Response::new(405, "text/plain", Vec::new()), delay);
    }
    let path = request.path.split(['?', '#']).next().unwrap_or("");
    let mut response = if path == "/simple" {
        Response::redirect("/simple/")
    } else if path == "/simple/" {
        root_page(&state, wants_json(request, &state))
    } else if let Some(rest) = path.strip_prefix("/simple/") {
        let name = rest.trim_end_matches('/');
        let normalized = verse::packaging::normalize(name);
        if name.contains('/') {
            Response::not_found()
        } else if name != normalized || !rest.ends_with('/') {
            Response::redirect(&format!("/simple/{normalized}/"))
        } else {
            match state.projects.get(&normalized) {
                Some(files) if wants_json(request, &state) => project_json(&normalized, files),
                Some(files) => project_html(&normalized, files),
                None => Response::not_found(),
            }
        }
    } else if let Some(filename) = path.strip_prefix("/files/") {
        match state
            .projects
            .values()
            .flatten()
            .find(|f| f.filename == filename)
        {
            Some(file) => Response::new(200, "application/octet-stream", file.bytes.clone()),
            None => Response::not_found(),
        }
    } else {
        Response::not_found()
    };
    if response.status == 200 {
        if let Some(body) = replaced_body {
            response.body = body;
        }
        response.truncate = truncate;
        response.stall = stall;
    }
    (response, delay)
}

fn wants_json(request: &Request, state: &State) -> bool {
    !state.html_only
        && request
            .header("accept")
            .is_some_and(|accept| accept.contains(PEP691_JSON))
}

fn root_page(state: &State, json: bool) -> Response {
    if json {
        let projects: Vec<_> = state
            .projects
            .keys()
            .map(|name| serde_json::json!({ "name": name }))
            .collect();
        let body = serde_json::json!({ "meta": { "api-version": "1.0" }, "projects": projects });
        return Response::new(200, PEP691_JSON, body.to_string().into_bytes());
    }
    let mut html = String::from("<!DOCTYPE html>\n<html><body>\n");
    for name in state.projects.keys() {
        html.push_str(&format!("<a href=\"{name}/\">{name}</a>\n"));
    }
    html.push_str("</body></html>\n");
    Response::new(200, "text/html", html.into_bytes())
}

fn project_json(name: &str, files: &[ServedFile]) -> Response {
    let files: Vec<_> = files
        .iter()
        .map(|file| {
            let mut entry = serde_json::json!({
                "filename": file.filename,
                "url": format!("../../files/{}", file.filename),
                "hashes": { "sha256": sha256_hex(&file.bytes) },
                "size": file.bytes.len(),
            });
            if let Some(requires_python) = &file.requires_python {
                entry["requires-python"] = serde_json::Value::from(requires_python.as_str());
            }
            entry
        })
        .collect();
    let body = serde_json::json!({
        "meta": { "api-version": "1.1" },
        "name": name,
        "files": files,
    });
    Response::new(200, PEP691_JSON, body.to_string().into_bytes())
}

fn project_html(name: &str, files: &[ServedFile]) -> Response {
    let mut html = format!(
        "<!DOCTYPE html>\n<html>\n<head><meta name=\"pypi:repository-version\" content=\"1.0\"><title>Links for {name}</title></head>\n<body>\n<h1>Links for {name}</h1>\n"
    );
    for file in files {
        let requires_python = file
            .requires_python
            .as_deref()
            .map(|s| {
                format!(
                    " data-requires-python=\"{}\"",
                    s.replace('<', "&lt;").replace('>', "&gt;")
                )
            })
            .unwrap_or_default();
        html.push_str(&format!(
            "<a href=\"../../files/{0}#sha256={1}\"{requires_python}>{0}</a><br/>\n",
            file.filename,
            sha256_hex(&file.bytes)
        ));
    }
    html.push_str("</body>\n</html>\n");
    Response::new(200, "text/html", html.into_bytes())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
