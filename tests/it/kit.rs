//! The kit proven on its own, before verse is involved: wheels built by `WheelBuilder` and
//! served by `IndexServer` are installed by real pip (`python3 -m venv` + `pip install
//! --no-deps --index-url http://127.0.0.1:PORT/simple NAME`) and imported; the index answers
//! the way PEP 503/691 say; the project writer produces TOML that parses.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;

use crate::support::*;

/// `python3 -m venv <dir>` with pip, for pip to be the oracle.
fn pip_venv(context: &TestContext, name: &str) -> std::path::PathBuf {
    let venv = context.root().join(name);
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("running python3 -m venv");
    assert!(status.success(), "python3 -m venv failed");
    venv
}

fn pip_install(context: &TestContext, venv: &Path, index_url: &str, names: &[&str]) -> Output {
    let mut command = Command::new(venv.join("bin").join("python"));
    command
        .args(["-m", "pip", "install", "--no-deps", "--no-cache-dir"])
        .args([
            "--disable-pip-version-check",
            "--no-input",
            "--index-url",
            index_url,
        ])
        .args(names)
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env("HOME", context.root().join("home"))
        .env_remove("PIP_INDEX_URL")
        .env_remove("PIP_EXTRA_INDEX_URL");
    let output = command.output().expect("running pip");
    Output {
        shown: format!("pip install {}", names.join(" ")),
        code: output.status.code(),
        stdout: context.filter(&String::from_utf8_lossy(&output.stdout)),
        stderr: context.filter(&String::from_utf8_lossy(&output.stderr)),
    }
}

/// A plain HTTP/1.1 GET: (status, headers lowercased, body).
fn get(server: &IndexServer, path: &str, accept: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port())).expect("connecting");
    let accept = accept
        .map(|a| format!("Accept: {a}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{accept}Connection: close\r\n\r\n"
    )
    .expect("sending");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("reading");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    (status, head, raw[split + 4..].to_vec())
}

fn demo_wheels(dir: &Path) -> (DistFile, DistFile) {
    let tool = WheelBuilder::new("Demo.Tool", "1.2.0")
        .package("demo_tool")
        .file(
            "demo_tool/cli.py",
            "def main():\n    print('demo-tool says hi')\n",
        )
        .console_script("demo-tool", "demo_tool.cli:main")
        .data("scripts", "demo-script", "#!python\nprint('script ran')\n")
        .data("data", "share/demo-tool/notes.txt", "shared data\n")
        .dist_info_file("licenses/LICENSE", "MIT\n")
        .build(dir);
    let namespace = WheelBuilder::new("ns-part", "0.3.0")
        .namespace_package("nsroot.part")
        .build(dir);
    (tool, namespace)
}

#[test]
fn pip_installs_the_built_wheels_from_the_index_and_they_import() {
    let context = TestContext::new();
    let (tool, namespace) = demo_wheels(&context.wheels_dir());
    let server = IndexServer::with_files([&tool, &namespace]);
    let venv = pip_venv(&context, "pip-venv");

    pip_install(&context, &venv, &server.url(), &["demo-tool", "ns-part"]).success();

    let import = context.python_in(
        &venv,
        &[
            "-c",
            "import demo_tool, nsroot.part; print(demo_tool.__version__, nsroot.part.NAME)",
        ],
    );
    import.success().stdout_is("1.2.0 nsroot.part\n");
    let script = Command::new(venv.join("bin").join("demo-tool"))
        .output()
        .expect("running demo-tool");
    assert_eq!(
        String::from_utf8_lossy(&script.stdout),
        "demo-tool says hi\n"
    );
    let data_script = Command::new(venv.join("bin").join("demo-script"))
        .output()
        .expect("running demo-script");
    assert_eq!(String::from_utf8_lossy(&data_script.stdout), "script ran\n");
    assert_eq!(
        read(&venv.join("share/demo-tool/notes.txt")),
        "shared data\n"
    );
    let installed: Vec<String> = installed_in(&venv)
        .into_iter()
        .filter(|d| !d.starts_with("pip==") && !d.starts_with("setuptools=="))
        .collect();
    assert_eq!(installed, vec!["demo-tool==1.2.0", "ns-part==0.3.0"]);
    // pip asked for PEP 691 JSON and downloaded each file once, through the relative URLs.
    let page = server
        .requests()
        .into_iter()
        .find(|r| r.path == "/simple/demo-tool/")
        .expect("pip fetched the project page");
    assert!(page.header("accept").unwrap_or("").contains(PEP691_JSON));
    let mut downloads = server.downloads();
    downloads.sort();
    assert_eq!(
        downloads,
        vec![tool.filename.clone(), namespace.filename.clone()]
    );
}

#[test]
fn pip_installs_from_an_html_only_index_behind_basic_auth() {
    let context = TestContext::new();
    let (tool, _) = demo_wheels(&context.wheels_dir());
    let server = IndexServer::with_files([&tool]);
    server.html_only().basic_auth("alice", "s3cret");
    let venv = pip_venv(&context, "pip-venv");

    pip_install(
        &context,
        &venv,
        &server.url_with_credentials("alice", "s3cret"),
        &["demo-tool"],
    )
    .success();

    context
        .python_in(
            &venv,
            &["-c", "import demo_tool; print(demo_tool.__version__)"],
        )
        .success()
        .stdout_is("1.2.0\n");
    assert!(server
        .requests()
        .iter()
        .filter(|r| r.status == 200)
        .all(|r| r.header("authorization").is_some()));
}

#[test]
fn pip_rejects_a_file_whose_bytes_do_not_match_the_listed_hash() {
    let context = TestContext::new();
    let (tool, _) = demo_wheels(&context.wheels_dir());
    let server = IndexServer::with_files([&tool]);
    let path = format!("/files/{}", tool.filename);
    server.fault(&path, Fault::Body(b"other bytes".to_vec()), None);
    let venv = pip_venv(&context, "pip-venv");

    let output = pip_install(&context, &venv, &server.url(), &["demo-tool"]);

    assert_ne!(output.code, Some(0), "pip must refuse: {output:?}");
    output.output_has("HASHES");
    assert!(installed_in(&venv)
        .iter()
        .all(|d| !d.starts_with("demo-tool")));
}

#[test]
fn index_answers_json_html_redirects_files_and_404() {
    let context = TestContext::new();
    let (tool, _) = demo_wheels(&context.wheels_dir());
    let server = IndexServer::with_files([&tool]);

    let (status, head, body) = get(&server, "/simple/demo-tool/", Some(PEP691_JSON));
    assert_eq!(status, 200);
    assert!(head.contains(&format!("content-type: {PEP691_JSON}")));
    let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(json["name"], "demo-tool");
    assert_eq!(json["files"][0]["filename"], tool.filename.as_str());
    assert_eq!(
        json["files"][0]["url"],
        format!("../../files/{}", tool.filename).as_str()
    );
    assert_eq!(json["files"][0]["hashes"]["sha256"], tool.sha256.as_str());

    let (status, head, body) = get(&server, "/simple/demo-tool/", Some("text/html"));
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html"));
    let html = String::from_utf8(body).expect("UTF-8");
    assert!(html.contains(&format!(
        "href=\"../../files/{}#sha256={}\"",
        tool.filename, tool.sha256
    )));

    let (status, head, _) = get(&server, "/simple/Demo_Tool/", None);
    assert_eq!(status, 301);
    assert!(head.contains("location: /simple/demo-tool/"));
    let (status, _, _) = get(&server, "/simple/demo-tool", None);
    assert_eq!(status, 301);

    let (status, head, body) = get(&server, &format!("/files/{}", tool.filename), None);
    assert_eq!(status, 200);
    assert!(head.contains(&format!("content-length: {}", tool.size)));
    assert_eq!(sha256_hex(&body), tool.sha256);

    assert_eq!(get(&server, "/simple/nothing-here/", None).0, 404);
    assert_eq!(get(&server, "/elsewhere", None).0, 404);
    assert_eq!(server.requests().len(), 7);
}

#[test]
fn index_faults_apply_the_given_number_of_times() {
    let context = TestContext::new();
    let (tool, _) = demo_wheels(&context.wheels_dir());
    let server = IndexServer::with_files([&tool]);
    let path = format!("/files/{}", tool.filename);
    server.fault(&path, Fault::Status(503), Some(2));

    assert_eq!(get(&server, &path, None).0, 503);
    assert_eq!(get(&server, &path, None).0, 503);
    assert_eq!(get(&server, &path, None).0, 200);

    server.fault(&path, Fault::Truncate(10), Some(1));
    let (status, head, body) = get(&server, &path, None);
    assert_eq!(status, 200);
    assert!(head.contains(&format!("content-length: {}", tool.size)));
    assert_eq!(body.len(), 10);

    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![503, 503, 200, 200]);
}

#[test]
fn index_requires_basic_auth_when_asked() {
    let context = TestContext::new();
    let (tool, _) = demo_wheels(&context.wheels_dir());
    let server = IndexServer::with_files([&tool]);
    server.basic_auth("alice", "s3cret");

    let (status, head, _) = get(&server, "/simple/demo-tool/", None);

    assert_eq!(status, 401);
    assert!(head.contains("www-authenticate: basic"));
}

#[test]
fn built_wheel_record_lists_every_file_with_its_hash_and_size() {
    let context = TestContext::new();
    let (tool, _) = demo_wheels(&context.wheels_dir());

    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(&tool.path).expect("open")).expect("a zip");
    let mut record = String::new();
    archive
        .by_name("demo_tool-1.2.0.dist-info/RECORD")
        .expect("RECORD")
        .read_to_string(&mut record)
        .expect("read RECORD");
    let rows: Vec<&str> = record.lines().collect();
    assert_eq!(rows.len(), archive.len(), "one row per entry:\n{record}");
    for row in rows {
        let fields: Vec<&str> = row.split(',').collect();
        let mut bytes = Vec::new();
        archive
            .by_name(fields[0])
            .expect("listed file exists")
            .read_to_end(&mut bytes)
            .expect("read entry");
        if fields[0].ends_with("/RECORD") {
            assert_eq!(fields[1..], ["", ""]);
        } else {
            assert_eq!(fields[1], record_hash(&bytes), "{}", fields[0]);
            assert_eq!(fields[2], bytes.len().to_string(), "{}", fields[0]);
        }
    }
    assert_eq!(tool.filename, "demo_tool-1.2.0-py3-none-any.whl");
    assert_eq!(
        sha256_hex(&std::fs::read(&tool.path).expect("read")),
        tool.sha256
    );
}

#[test]
fn broken_wheels_are_broken_as_asked() {
    let context = TestContext::new();
    let evil = WheelBuilder::new("evil", "1.0")
        .package("evil")
        .raw_entry("../escape.py", "print('out')\n")
        .record(Record::WrongHashes)
        .build(&context.wheels_dir());

    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(&evil.path).expect("open")).expect("a zip");
    let mut unsafe_names = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index(i).expect("entry");
        if entry.enclosed_name().is_none() {
            unsafe_names.push(entry.name().expect("a UTF-8 name").to_string());
        }
    }
    assert_eq!(unsafe_names, vec!["../escape.py".to_string()]);
    let mut record = String::new();
    archive
        .by_name("evil-1.0.dist-info/RECORD")
        .expect("RECORD")
        .read_to_string(&mut record)
        .expect("read RECORD");
    assert!(!record.contains(&record_hash(b"__version__ = \"1.0\"\nNAME = \"evil\"\n")));
    assert!(record.contains(&record_hash(b"other bytes")));
}

#[test]
fn project_writes_toml_that_parses_in_every_style_and_lock_version() {
    let context = TestContext::new();
    let (tool, namespace) = demo_wheels(&context.wheels_dir());
    for style in [Style::Poetry, Style::Pep621] {
        for format in [LockFormat::V1_1, LockFormat::V2_0, LockFormat::V2_1] {
            let project = context
                .project()
                .pyproject(
                    Pyproject::new(style)
                        .dep(Dep::new("demo-tool", ">=1.0"))
                        .dep(Dep::new("ns-part", "*").markers("python_version >= \"3.8\""))
                        .extra("ns", &["ns-part"])
                        .group_dep("docs", Dep::new("demo-tool", "*"))
                        .optional_group("docs")
                        .source("internal", "http://127.0.0.1:1/simple", "explicit")
                        .root_package("demo_app"),
                )
                .lock(
                    Lockfile::new(format)
                        .package(Locked::of(&tool).groups(&["main", "docs"]))
                        .package(Locked::of(&namespace).optional().markers("extra == \"ns\"")),
                );
            project.write();
            let pyproject_text = read(&project.pyproject_path());
            let pyproject: toml::Table = toml::from_str(&pyproject_text)
                .unwrap_or_else(|e| panic!("{style:?}: {e}\n{pyproject_text}"));
            let lock_text = read(&project.lock_path());
            let lock: toml::Table = toml::from_str(&lock_text)
                .unwrap_or_else(|e| panic!("{format:?}: {e}\n{lock_text}"));
            assert_eq!(
                lock["metadata"]["content-hash"].as_str(),
                Some(verse::lock::content_hash::content_hash(&pyproject).as_str())
            );
            assert_eq!(lock["extras"]["ns"][0].as_str(), Some("ns-part"));
            let hashes = match format {
                LockFormat::V1_1 => lock["metadata"]["files"]["demo-tool"].clone(),
                _ => lock["package"][0]["files"].clone(),
            };
            assert_eq!(hashes[0]["hash"].as_str(), Some(tool.lock_hash().as_str()));
            assert!(project.dir.join("src/demo_app/__init__.py").is_file());
        }
    }
}

#[test]
fn index_serves_a_directory_of_files_under_their_projects() {
    let context = TestContext::new();
    let (tool, namespace) = demo_wheels(&context.wheels_dir());
    let source = sdist("ns-part", "0.3.0", &context.wheels_dir());
    let server = IndexServer::start();

    assert_eq!(server.add_dir(&context.wheels_dir()), 3);

    let (_, _, body) = get(&server, "/simple/ns-part/", Some(PEP691_JSON));
    let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    let files: Vec<&str> = json["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["filename"].as_str().expect("filename"))
        .collect();
    assert_eq!(
        files,
        vec![namespace.filename.as_str(), source.filename.as_str()]
    );
    assert_eq!(get(&server, "/simple/demo-tool/", None).0, 200);
    assert_eq!(
        get(&server, &format!("/files/{}", tool.filename), None).0,
        200
    );
}
