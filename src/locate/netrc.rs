//! `~/.netrc` (or the file `$NETRC` names), read the way Python's `netrc` module and `requests`
//! use it: the entry whose `machine` is the request's host, else the `default` entry. Poetry
//! installs through `requests`, which falls back to netrc when no other credentials are
//! configured, so CI machines with a netrc keep working with verse.
//!
//! Parsing is pure ([`parse`]); [`lookup`] reads the file once per process. A missing or
//! unreadable file means no credentials, never an error (as with `requests`).

use std::path::PathBuf;
use std::sync::OnceLock;

use super::Credentials;

#[derive(Clone, Debug, Default)]
pub struct Netrc {
    machines: Vec<(String, Credentials)>,
    default: Option<Credentials>,
}

impl Netrc {
    /// The credentials for `host` (case-insensitive), else the `default` entry.
    pub fn get(&self, host: &str) -> Option<&Credentials> {
        self.machines
            .iter()
            .find(|(machine, _)| machine.eq_ignore_ascii_case(host))
            .map(|(_, credentials)| credentials)
            .or(self.default.as_ref())
    }
}

/// Parses netrc text: whitespace-separated tokens, `machine NAME` / `default` start an entry,
/// `login`, `password`, `account` belong to it, `macdef NAME` runs to the next empty line.
/// Lines starting with `#` are comments (Python >= 3.x skips them too).
pub fn parse(text: &str) -> Netrc {
    let mut tokens = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        for word in line.split_whitespace() {
            if word == "macdef" {
                // The macro body ends at the first empty line; none of it is credentials.
                for body in lines.by_ref() {
                    if body.trim().is_empty() {
                        break;
                    }
                }
                break;
            }
            tokens.push(word.to_string());
        }
    }

    let mut netrc = Netrc::default();
    // (machine name or None for `default`, login, password)
    let mut current: Option<(Option<String>, Option<String>, Option<String>)> = None;
    let finish =
        |netrc: &mut Netrc, entry: Option<(Option<String>, Option<String>, Option<String>)>| {
            let Some((machine, login, password)) = entry else {
                return;
            };
            if login.is_none() && password.is_none() {
                return;
            }
            let credentials = Credentials {
                username: login.unwrap_or_default(),
                password,
            };
            match machine {
                Some(machine) => netrc.machines.push((machine, credentials)),
                None => netrc.default = Some(credentials),
            }
        };
    let mut iter = tokens.into_iter();
    while let Some(token) = iter.next() {
        match token.as_str() {
            "machine" => {
                finish(&mut netrc, current.take());
                current = iter.next().map(|name| (Some(name), None, None));
            }
            "default" => {
                finish(&mut netrc, current.take());
                current = Some((None, None, None));
            }
            "login" | "user" => {
                let value = iter.next();
                if let Some(entry) = current.as_mut() {
                    entry.1 = value;
                }
            }
            "password" | "passwd" => {
                let value = iter.next();
                if let Some(entry) = current.as_mut() {
                    entry.2 = value;
                }
            }
            "account" => {
                iter.next();
            }
            _ => {}
        }
    }
    finish(&mut netrc, current.take());
    netrc
}

/// Where the netrc file is: `$NETRC`, else `~/.netrc`.
pub fn path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("NETRC").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|home| PathBuf::from(home).join(".netrc"))
}

/// The netrc credentials for `host`, from the file read once per process.
pub fn lookup(host: &str) -> Option<Credentials> {
    static NETRC: OnceLock<Netrc> = OnceLock::new();
    NETRC
        .get_or_init(|| {
            path()
                .and_then(|p| std::fs::read_to_string(p).ok())
                .map(|text| parse(&text))
                .unwrap_or_default()
        })
        .get(host)
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machines_default_and_macros() {
        let netrc = parse(
            "# a comment\nmachine index.example login alice password s3cret\n\
             macdef init\ncd /tmp\nmachine evil.example login x password y\n\n\
             machine Other.Example\n  login bob\n  account a\n  password pw2\n\
             default login anon password anonpw\n",
        );
        let alice = netrc.get("index.example").unwrap();
        assert_eq!(alice.username, "alice");
        assert_eq!(alice.password.as_deref(), Some("s3cret"));
        // The macro body is not parsed as entries.
        assert_eq!(netrc.get("evil.example").unwrap().username, "anon");
        let bob = netrc.get("other.example").unwrap();
        assert_eq!(
            (bob.username.as_str(), bob.password.as_deref()),
            ("bob", Some("pw2"))
        );
        assert_eq!(netrc.get("unknown.example").unwrap().username, "anon");
    }

    #[test]
    fn no_default_means_nothing_for_other_hosts() {
        let netrc = parse("machine a.example login u password p");
        assert!(netrc.get("b.example").is_none());
        assert!(parse("").get("a.example").is_none());
    }
}
