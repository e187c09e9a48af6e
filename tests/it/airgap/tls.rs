//! TLS against a real HTTPS index on loopback (python3's `ssl` serving a folder written by
//! `verse download`), with certificates made by `openssl` for the test: a private CA is
//! refused by default, and trusted through `SSL_CERT_FILE` or Poetry's per-source
//! `POETRY_CERTIFICATES_<SOURCE>_CERT`; a server that demands a client certificate gets the one
//! from `POETRY_CERTIFICATES_<SOURCE>_CLIENT_CERT`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::*;

/// Makes `ca.pem`, `server.pem`/`server.key` (for IP 127.0.0.1) and `client.pem` (certificate
/// and key) in `dir`.
fn make_certificates(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let script = r#"set -e
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj "/CN=verse test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req $ec -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext
openssl req $ec -keyout client.key -out client.csr -subj "/CN=verse test client"
printf 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n' > client.ext
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.crt -days 2 -extfile client.ext
cat client.crt client.key > client.pem
"#;
    let output = Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .output()
        .expect("running openssl");
    assert!(
        output.status.success(),
        "openssl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// An HTTPS static server for `root` on 127.0.0.1; killed when dropped.
struct HttpsServer {
    child: Child,
    port: u16,
}

impl HttpsServer {
    fn start(root: &Path, certs: &Path, require_client_cert: bool) -> Self {
        let script = r#"
import functools, http.server, ssl, sys
root, certs, require = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
    functools.partial(http.server.SimpleHTTPRequestHandler, directory=root))
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(certs + "/server.pem", certs + "/server.key")
if require:
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(certs + "/ca.pem")
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;
        let mut child = Command::new("python3")
            .args(["-c", script])
            .arg(root)
            .arg(certs)
            .arg(if require_client_cert { "1" } else { "0" })
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting the HTTPS server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("reading the port");
        let port = line.trim().parse().expect("the server printed its port");
        HttpsServer { child, port }
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}/simple", self.port)
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A project whose package comes from the source `corp`, a wheelhouse for it, and the certs.
fn setup(context: &TestContext, source_url: &str) -> (PathBuf, PathBuf) {
    let alpha = wheel(context, "alpha", "1.0.0");
    let dest = context.root().join("wheelhouse");
    std::fs::create_dir_all(&dest).unwrap();
    std::fs::copy(&alpha.path, dest.join(&alpha.filename)).unwrap();
    let pages = format!(
        "<a href=\"../../{0}#sha256={1}\">{0}</a>\n",
        alpha.filename, alpha.sha256
    );
    std::fs::create_dir_all(dest.join("simple/alpha")).unwrap();
    std::fs::write(dest.join("simple/alpha/index.html"), pages).unwrap();
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("alpha", "*").source("corp"))
                .source("corp", source_url, "explicit"),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&alpha).legacy_source("corp", source_url)),
        )
        .write();
    let certs = context.root().join("certs");
    make_certificates(&certs);
    (dest, certs)
}

#[test]
fn private_ca_is_refused_then_trusted_by_ssl_cert_file_or_the_source_setting() {
    let context = TestContext::new();
    // The project names the source with a placeholder URL; --source-url points it at the
    // server, whose port is known only once it runs.
    let (dest, certs) = setup(&context, "https://corp.invalid/simple");
    let server = HttpsServer::start(&dest, &certs, false);
    let remap = format!("corp={}", server.url());

    context
        .verse()
        .args(["install", "--source-url", &remap])
        .run()
        .failure()
        .error_has("certificate");

    context
        .verse()
        .args(["install", "--source-url", &remap])
        .env("SSL_CERT_FILE", certs.join("ca.pem"))
        .run()
        .success()
        .installed_count(1);

    std::fs::remove_dir_all(context.venv()).unwrap();
    context
        .verse()
        .args(["install", "--no-cache", "--source-url", &remap])
        .env("POETRY_CERTIFICATES_CORP_CERT", certs.join("ca.pem"))
        .run()
        .success()
        .installed_count(1);
    assert_eq!(imports(&context, &["alpha"]), "alpha 1.0.0\n");
}

#[test]
fn client_certificate_from_the_source_setting() {
    let context = TestContext::new();
    let (dest, certs) = setup(&context, "https://corp.invalid/simple");
    let server = HttpsServer::start(&dest, &certs, true);
    let remap = format!("corp={}", server.url());

    let output = context
        .verse()
        .args(["install", "--source-url", &remap])
        .env("POETRY_CERTIFICATES_CORP_CERT", certs.join("ca.pem"))
        .run();
    output.failure().error_has("CertificateRequired");

    context
        .verse()
        .args(["install", "--source-url", &remap])
        .env("POETRY_CERTIFICATES_CORP_CERT", certs.join("ca.pem"))
        .env(
            "POETRY_CERTIFICATES_CORP_CLIENT_CERT",
            certs.join("client.pem"),
        )
        .run()
        .success()
        .installed_count(1);
}

/// A certificate failure is reported at once: no retries (they would get the same answer,
/// seconds later). The server counts the TLS connections it is offered.
#[test]
fn an_untrusted_certificate_is_not_retried() {
    let context = TestContext::new();
    let (_, certs) = setup(&context, "https://corp.invalid/simple");
    let script = r#"
import socket, ssl, sys
certs, log = sys.argv[1], sys.argv[2]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(certs + "/server.pem", certs + "/server.key")
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(listener.getsockname()[1], flush=True)
while True:
    conn, _ = listener.accept()
    with open(log, "a") as f:
        f.write("connection\n")
    try:
        context.wrap_socket(conn, server_side=True).close()
    except (ssl.SSLError, OSError):
        conn.close()
"#;
    let log = context.root().join("connections.log");
    let mut child = Command::new("python3")
        .args(["-c", script])
        .arg(&certs)
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the TLS server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("reading the port");
    let port: u16 = line.trim().parse().expect("the server printed its port");
    let remap = format!("corp=https://127.0.0.1:{port}/simple");

    let started = std::time::Instant::now();
    let output = context
        .verse()
        .args(["install", "--source-url", &remap])
        .env("VERSE_HTTP_RETRIES", "3")
        .run();
    let elapsed = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();

    output.failure().error_has("certificate");
    let connections = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .count();
    assert_eq!(connections, 1, "one TLS handshake, no retries");
    // Three retries would have slept 0.25 + 0.5 + 1 s.
    assert!(
        elapsed < std::time::Duration::from_millis(1500),
        "{elapsed:?}"
    );
}
