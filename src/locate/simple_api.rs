//! Parses one project page of a simple repository: PEP 691 JSON, or PEP 503 HTML (anchors
//! whose text is the file name, `#sha256=` fragments, relative hrefs resolved against the
//! page URL). Pure: text in, files out.

use std::collections::BTreeMap;

use reqwest::Url;
use serde::Deserialize;

/// One file a project page lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageFile {
    pub filename: String,
    pub url: Url,
    /// algorithm → hex digest, as the index states them.
    pub hashes: BTreeMap<String, String>,
    pub yanked: bool,
    /// The `Requires-Python` the index states for the file (PEP 503 `data-requires-python`,
    /// PEP 691 `requires-python`), as written.
    pub requires_python: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("the index page is not valid PEP 691 JSON: {0}")]
pub struct PageError(String);

pub const JSON_CONTENT_TYPE: &str = "application/vnd.pypi.simple.v1+json";

#[derive(Deserialize)]
struct JsonPage {
    files: Vec<JsonFile>,
}

#[derive(Deserialize)]
struct JsonFile {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: BTreeMap<String, String>,
    #[serde(default)]
    yanked: serde_json::Value,
    #[serde(default, rename = "requires-python")]
    requires_python: Option<String>,
}

pub fn parse_json(body: &str, page_url: &Url) -> Result<Vec<PageFile>, PageError> {
    let page: JsonPage = serde_json::from_str(body).map_err(|e| PageError(e.to_string()))?;
    let mut files = Vec::with_capacity(page.files.len());
    for file in page.files {
        let Ok(url) = page_url.join(&file.url) else {
            continue;
        };
        files.push(PageFile {
            filename: file.filename,
            url,
            hashes: file
                .hashes
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_ascii_lowercase()))
                .collect(),
            yanked: !matches!(
                file.yanked,
                serde_json::Value::Bool(false) | serde_json::Value::Null
            ),
            requires_python: file.requires_python.filter(|r| !r.trim().is_empty()),
        });
    }
    Ok(files)
}

/// PEP 503: every `<a href="...">filename</a>`. Tolerant of attribute order, quoting style
/// and case; ignores anything else on the page.
pub fn parse_html(body: &str, page_url: &Url) -> Vec<PageFile> {
    let base = base_href(body)
        .and_then(|href| page_url.join(&href).ok())
        .unwrap_or_else(|| page_url.clone());
    let lower = body.to_ascii_lowercase();
    let mut files = Vec::new();
    let mut position = 0;
    while let Some(start) = lower[position..].find("<a") {
        let start = position + start;
        let after = lower.as_bytes().get(start + 2).copied();
        if !matches!(after, Some(b' ' | b'\t' | b'\n' | b'\r')) {
            position = start + 2;
            continue;
        }
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i) else {
            break;
        };
        let tag = &body[start + 2..tag_end];
        let Some(close) = lower[tag_end..].find("</a").map(|i| tag_end + i) else {
            break;
        };
        let text = decode_entities(body[tag_end + 1..close].trim());
        position = close;
        let Some(href) = attribute(tag, "href") else {
            continue;
        };
        let href = decode_entities(&href);
        let Ok(mut url) = base.join(&href) else {
            continue;
        };
        let mut hashes = BTreeMap::new();
        if let Some(fragment) = url.fragment() {
            if let Some((algorithm, digest)) = fragment.split_once('=') {
                hashes.insert(algorithm.to_ascii_lowercase(), digest.to_ascii_lowercase());
            }
        }
        url.set_fragment(None);
        let filename = if text.is_empty() {
            url.path_segments()
                .and_then(|mut s| s.next_back())
                .unwrap_or_default()
                .to_string()
        } else {
            text
        };
        files.push(PageFile {
            filename,
            url,
            hashes,
            yanked: attribute(tag, "data-yanked").is_some(),
            requires_python: attribute(tag, "data-requires-python")
                .map(|r| decode_entities(&r))
                .filter(|r| !r.trim().is_empty()),
        });
    }
    files
}

fn base_href(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("<base")?;
    let end = lower[start..].find('>')? + start;
    attribute(&body[start + 5..end], "href").map(|h| decode_entities(&h))
}

/// The value of `name` in the inside of a tag; `Some("")` for a bare attribute.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let bytes = tag.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let key_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' {
            i += 1;
        }
        let key = &tag[key_start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let value_start = i + 1;
                i = value_start;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                let value = &tag[value_start..i.min(tag.len())];
                i += 1;
                value.to_string()
            } else {
                let value_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                tag[value_start..i].to_string()
            }
        } else {
            String::new()
        };
        if !key.is_empty() && key.eq_ignore_ascii_case(name) {
            return Some(value);
        }
        if key.is_empty() {
            i += 1;
        }
    }
    None
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://index.example/simple/demo/").unwrap()
    }

    #[test]
    fn html_relative_links_hashes_and_yanked() {
        let body = r#"<!DOCTYPE html><html><body>
            <a href="../../files/demo-1.0-py3-none-any.whl#sha256=ABCD" data-requires-python="&gt;=3.8">demo-1.0-py3-none-any.whl</a><br/>
            <A HREF='https://cdn.example/demo-1.0.tar.gz' data-yanked>demo-1.0.tar.gz</A>
            <abbr>not a link</abbr>
        </body></html>"#;
        let files = parse_html(body, &page());
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].filename, "demo-1.0-py3-none-any.whl");
        assert_eq!(
            files[0].url.as_str(),
            "https://index.example/files/demo-1.0-py3-none-any.whl"
        );
        assert_eq!(files[0].hashes["sha256"], "abcd");
        assert!(!files[0].yanked);
        assert_eq!(files[1].url.as_str(), "https://cdn.example/demo-1.0.tar.gz");
        assert!(files[1].yanked);
    }

    #[test]
    fn html_respects_base_and_entities() {
        let body = r#"<base href="https://other.example/pkgs/"><a href="x/demo-1.0.zip?a=1&amp;b=2">demo-1.0.zip</a>"#;
        let files = parse_html(body, &page());
        assert_eq!(
            files[0].url.as_str(),
            "https://other.example/pkgs/x/demo-1.0.zip?a=1&b=2"
        );
    }

    #[test]
    fn json_page() {
        let body = r#"{"meta":{"api-version":"1.1"},"name":"demo","files":[
            {"filename":"demo-1.0-py3-none-any.whl","url":"../../files/demo-1.0-py3-none-any.whl","hashes":{"sha256":"00FF"},"yanked":false},
            {"filename":"demo-0.9.tar.gz","url":"https://cdn.example/demo-0.9.tar.gz","hashes":{},"yanked":"broken"}]}"#;
        let files = parse_json(body, &page()).unwrap();
        assert_eq!(files[0].hashes["sha256"], "00ff");
        assert_eq!(
            files[0].url.as_str(),
            "https://index.example/files/demo-1.0-py3-none-any.whl"
        );
        assert!(files[1].yanked);
        assert!(parse_json("{}", &page()).is_err());
    }
}
