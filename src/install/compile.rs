//! `--compile`: byte-compiles the `.py` files of the distributions just installed, the way pip
//! does after it installs a wheel, and lists the `.pyc` files in each RECORD as pip does.
//!
//! pip calls `compileall.compile_file(path, force=True, quiet=True)` (warnings ignored) for every
//! installed file whose RECORD path ends in `.py` and that is a file, and adds a row
//! `<dir>/__pycache__/<stem>.<cache_tag>.pyc,,` (no hash, no size) for each that compiled; a file
//! that does not compile (a Python 2 module, say) is skipped silently. verse does the same, with
//! a pool of interpreter workers (the venv's own python, one per core, like uv's
//! `--compile-bytecode`) that read file paths on stdin and answer one line each. The interpreter
//! picks the invalidation mode as `py_compile` does (timestamp; checked-hash under
//! `SOURCE_DATE_EPOCH`), so the `.pyc` files are the ones pip would write.
//!
//! Not done here: choosing which distributions to compile (the caller passes the ones it just
//! installed, not the whole venv), the root project (installed editable, compiled on import).

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::fsutil::{self, Mode};
use super::paths::resolve_record_path;
use super::record::{self, Row};
use super::{InstallError, InstalledDistribution};
use crate::venv::Venv;

/// The worker: prints its `cache_tag` (empty when the interpreter writes no bytecode), then for
/// each line on stdin (a path, hex-encoded so any byte may appear in it) compiles the file as
/// pip does and answers `1` or `0`. `compile_file` prints nothing with quiet=2; stdout is
/// redirected anyway so that nothing but answers reaches the pipe.
const WORKER: &str = r#"
import compileall, os, sys, warnings
out = sys.stdout
sys.stdout = open(os.devnull, "w")
warnings.filterwarnings("ignore")
out.write((sys.implementation.cache_tag or "") + "\n")
out.flush()
inp = sys.stdin.buffer
while True:
    line = inp.readline()
    if not line:
        break
    path = os.fsdecode(bytes.fromhex(line.strip().decode("ascii")))
    try:
        ok = compileall.compile_file(path, force=True, quiet=2)
    except Exception:
        ok = False
    out.write("1\n" if ok else "0\n")
    out.flush()
"#;

/// What a compile run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Compiled {
    /// `.py` files compiled (and now listed in RECORD).
    pub files: usize,
    /// `.py` files that did not compile (a syntax error, say): skipped, as pip skips them.
    pub failed: usize,
}

/// One `.py` file to compile.
struct Job {
    /// Which distribution's RECORD gets the `.pyc` row.
    dist: usize,
    /// The path handed to `compile_file`: the RECORD directory joined with the RECORD path,
    /// unnormalised, exactly as pip builds it (it ends up in the `.pyc` as `co_filename`).
    source: PathBuf,
    /// The `.py` file's RECORD path.
    record_path: String,
}

/// Compiles the `.py` files of `dists` with up to `workers` interpreters (at least one), and
/// adds the `.pyc` rows to their RECORDs.
pub fn compile(
    venv: &Venv,
    dists: &[InstalledDistribution],
    workers: usize,
) -> Result<Compiled, InstallError> {
    let mut jobs = Vec::new();
    let mut records = Vec::with_capacity(dists.len());
    for (index, dist) in dists.iter().enumerate() {
        let rows = read_record(dist)?;
        let base = dist.dist_info.parent().unwrap_or(&venv.root);
        for row in &rows {
            let Some(path) = row.first().filter(|p| p.ends_with(".py")) else {
                continue;
            };
            // Only files inside the venv (pip would follow any RECORD path; verse never wrote
            // one outside, and compiling must not create files elsewhere).
            let resolved = resolve_record_path(path, base);
            if !resolved.starts_with(&venv.root) || !resolved.is_file() {
                continue;
            }
            jobs.push(Job {
                dist: index,
                source: base.join(path),
                record_path: path.clone(),
            });
        }
        records.push(rows);
    }
    if jobs.is_empty() {
        return Ok(Compiled::default());
    }

    let (cache_tag, outcomes) = run_pool(&venv.python, &jobs, workers.clamp(1, jobs.len()))?;
    let Some(cache_tag) = cache_tag else {
        // The interpreter writes no bytecode (sys.implementation.cache_tag is None).
        return Ok(Compiled::default());
    };

    let mut compiled = Compiled::default();
    let mut new_rows: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (job, ok) in jobs.iter().zip(outcomes) {
        if ok {
            compiled.files += 1;
            new_rows
                .entry(job.dist)
                .or_default()
                .push(pyc_record_path(&job.record_path, &cache_tag));
        } else {
            compiled.failed += 1;
        }
    }
    for (index, pycs) in new_rows {
        write_record(&dists[index], &records[index], pycs)?;
    }
    Ok(compiled)
}

/// The RECORD path of the `.pyc` `importlib.util.cache_from_source` gives for a `.py` RECORD
/// path: `a/b/mod.py` → `a/b/__pycache__/mod.<tag>.pyc`.
fn pyc_record_path(record_path: &str, cache_tag: &str) -> String {
    let (dir, file) = match record_path.rsplit_once('/') {
        Some((dir, file)) => (Some(dir), file),
        None => (None, record_path),
    };
    let stem = file.strip_suffix(".py").unwrap_or(file);
    match dir {
        Some(dir) => format!("{dir}/__pycache__/{stem}.{cache_tag}.pyc"),
        None => format!("__pycache__/{stem}.{cache_tag}.pyc"),
    }
}

fn read_record(dist: &InstalledDistribution) -> Result<Vec<Vec<String>>, InstallError> {
    let path = dist.dist_info.join("RECORD");
    let text = fs_err::read(&path).map_err(|e| InstallError::InvalidMetadata {
        path: path.clone(),
        message: e.to_string(),
    })?;
    record::parse(&String::from_utf8_lossy(&text))
        .map_err(|message| InstallError::InvalidMetadata { path, message })
}

/// Rewrites RECORD with a `path,,` row for each new `.pyc`, sorted like the rest (pip sorts its
/// rows). A row the wheel shipped for the same `.pyc` loses its hash: the file was replaced.
fn write_record(
    dist: &InstalledDistribution,
    rows: &[Vec<String>],
    pycs: Vec<String>,
) -> Result<(), InstallError> {
    let field = |row: &[String], i: usize| row.get(i).cloned().unwrap_or_default();
    let mut out: Vec<Row> = rows
        .iter()
        .filter(|row| !row.first().is_some_and(|p| pycs.contains(p)))
        .map(|row| Row {
            path: field(row, 0),
            hash: field(row, 1),
            size: field(row, 2),
        })
        .collect();
    out.extend(pycs.into_iter().map(|path| Row {
        path,
        hash: String::new(),
        size: String::new(),
    }));
    out.sort();
    let path = dist.dist_info.join("RECORD");
    fsutil::write_bytes(&path, Mode::FILE, record::write(&out).as_bytes()).map_err(|source| {
        InstallError::Io {
            filename: path.display().to_string(),
            source,
        }
    })
}

/// A running worker interpreter.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    /// Starts one and reads its cache tag.
    fn start(python: &Path) -> io::Result<(Worker, Option<String>)> {
        let mut child = Command::new(python)
            .args(["-I", "-c", WORKER])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("no pipe to the interpreter"));
        };
        let mut worker = Worker {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        };
        let mut tag = String::new();
        if worker.stdout.read_line(&mut tag)? == 0 {
            let status = worker.finish();
            return Err(io::Error::other(format!(
                "the interpreter exited before compiling anything ({status})"
            )));
        }
        let tag = tag.trim_end().to_string();
        Ok((worker, Some(tag).filter(|t| !t.is_empty())))
    }

    /// Asks it to compile one file (answered in order by [`Worker::receive`]).
    fn send(&mut self, source: &Path) -> io::Result<()> {
        use std::os::unix::ffi::OsStrExt;
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let bytes = source.as_os_str().as_bytes();
        let mut line = Vec::with_capacity(bytes.len() * 2 + 1);
        for byte in bytes {
            line.extend([HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 15)]]);
        }
        line.push(b'\n');
        self.stdin.write_all(&line)?;
        self.stdin.flush()
    }

    /// The answer to the oldest request: `Ok(true)` if it compiled, `Err` if the worker is gone.
    fn receive(&mut self) -> io::Result<bool> {
        let mut answer = String::new();
        match self.stdout.read_line(&mut answer)? {
            0 => Err(io::Error::other("the interpreter exited")),
            _ => Ok(answer.trim_end() == "1"),
        }
    }

    /// Closes its stdin (the loop ends) and waits for it.
    fn finish(self) -> String {
        let Worker {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        match child.wait() {
            Ok(status) => status.to_string(),
            Err(e) => e.to_string(),
        }
    }
}

/// How many files a worker has queued at most: enough that it never waits for verse to be
/// scheduled between two files (a ping-pong of one file at a time left the interpreters idle
/// half the time on a busy machine), few enough that the last files still spread over all
/// workers, and that the queued paths always fit in the pipe's buffer (64 KiB; a hex path is
/// at most 8 KiB), so writing never blocks while the worker is blocked writing its answer.
const WINDOW: usize = 4;

/// Runs `jobs` on `workers` interpreters; each takes the next jobs as it answers. Returns the
/// cache tag and, per job, whether it compiled. A worker that dies (an interpreter crash on one
/// file) counts the files it had queued as failed and is replaced.
fn run_pool(
    python: &Path,
    jobs: &[Job],
    workers: usize,
) -> Result<(Option<String>, Vec<bool>), InstallError> {
    let start_error = |source: io::Error| InstallError::Io {
        filename: format!("{} (bytecode compiler)", python.display()),
        source,
    };
    let next = AtomicUsize::new(0);
    let outcomes = Mutex::new(vec![false; jobs.len()]);
    let results: Vec<Result<Option<String>, io::Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> io::Result<Option<String>> {
                    let (mut worker, tag) = Worker::start(python)?;
                    if tag.is_none() {
                        worker.finish();
                        return Ok(None);
                    }
                    let mut queued = std::collections::VecDeque::with_capacity(WINDOW);
                    loop {
                        let mut sent = Ok(());
                        while queued.len() < WINDOW && sent.is_ok() {
                            let index = next.fetch_add(1, Ordering::Relaxed);
                            let Some(job) = jobs.get(index) else {
                                break;
                            };
                            queued.push_back(index);
                            sent = worker.send(&job.source);
                        }
                        let Some(index) = queued.pop_front() else {
                            break;
                        };
                        match sent.and_then(|()| worker.receive()) {
                            Ok(true) => {
                                outcomes.lock().unwrap_or_else(|e| e.into_inner())[index] = true;
                            }
                            Ok(false) => {}
                            Err(_) => {
                                // Everything still queued on the dead worker is lost with it.
                                queued.clear();
                                worker.finish();
                                worker = Worker::start(python)?.0;
                            }
                        }
                    }
                    worker.finish();
                    Ok(tag)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a compile thread panicked")))
            })
            .collect()
    });
    let mut tag = None;
    for result in results {
        tag = result.map_err(start_error)?.or(tag);
    }
    Ok((
        tag,
        outcomes.into_inner().unwrap_or_else(|e| e.into_inner()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyc_paths_follow_cache_from_source() {
        assert_eq!(
            pyc_record_path("six.py", "cpython-311"),
            "__pycache__/six.cpython-311.pyc"
        );
        assert_eq!(
            pyc_record_path("a/b/mod.x.py", "cpython-311"),
            "a/b/__pycache__/mod.x.cpython-311.pyc"
        );
        assert_eq!(
            pyc_record_path("../../../bin/tool.py", "cpython-312"),
            "../../../bin/__pycache__/tool.cpython-312.pyc"
        );
    }
}
