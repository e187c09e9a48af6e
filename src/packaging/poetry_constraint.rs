//! Poetry's version-constraint syntax (`^1.2`, `~1.2.3`, `~=1.2`, `>=1,<2 || >3`, `1.2.*`,
//! `*`, bare `1.2.3`), as found in `[tool.poetry.dependencies]`, in old locks'
//! `[package.dependencies]`, and in `python-versions`.
//!
//! Semantics follow poetry-core 2.5 (`constraints/version/parser.py`, `VersionRange.allows`),
//! which follow PEP 440 for the ordered comparisons: `<V` excludes pre-releases of a
//! stable `V`, `>V` excludes post-releases and local versions of `V`, `==V` ignores a
//! local label. A constraint is kept as a union of disjoint ranges, so `contains` and the
//! derived Python marker ([`python_marker`]) agree with what Poetry computes.
//!
//! Pure: no I/O. It does not parse PEP 508 markers; [`python_marker`] only writes one.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::Version;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConstraintError {
    #[error("`{constraint}` is not a valid version constraint: {reason}")]
    Invalid { constraint: String, reason: String },
    #[error("`{0}` allows no version at all")]
    Empty(String),
}

/// A parsed Poetry constraint: the union of its ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoetryConstraint {
    text: String,
    /// Disjoint, sorted by lower bound. Empty means "nothing"; one unbounded range "any".
    ranges: Vec<Range>,
}

/// One interval. `min == max` with both ends included is a single version.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Range {
    min: Option<Version>,
    max: Option<Version>,
    include_min: bool,
    include_max: bool,
}

impl PoetryConstraint {
    pub fn parse(text: &str) -> Result<Self, ConstraintError> {
        let invalid = |reason: String| ConstraintError::Invalid {
            constraint: text.to_string(),
            reason,
        };
        let trimmed = text.trim();
        if trimmed == "*" {
            return Ok(Self::any_with_text(text));
        }
        if trimmed.is_empty() {
            return Err(invalid("it is empty".into()));
        }
        let mut union = Vec::new();
        for branch in split_or(trimmed) {
            // Poetry tolerates trailing commas ("seems to occur in some packages").
            let branch = branch.trim_end_matches(',').trim_end();
            let atoms = split_and(branch);
            if atoms.is_empty() {
                return Err(invalid("an `||` alternative is empty".into()));
            }
            let mut ranges = vec![Range::any()];
            for atom in atoms {
                let atom_ranges = parse_single(&atom).map_err(invalid)?;
                ranges = intersect_unions(&ranges, &atom_ranges);
            }
            union.extend(ranges);
        }
        Ok(PoetryConstraint {
            text: text.to_string(),
            ranges: normalize_union(union),
        })
    }

    /// `*`.
    pub fn any() -> Self {
        Self::any_with_text("*")
    }

    fn any_with_text(text: &str) -> Self {
        PoetryConstraint {
            text: text.to_string(),
            ranges: vec![Range::any()],
        }
    }

    pub fn is_any(&self) -> bool {
        matches!(self.ranges.as_slice(), [r] if r.is_any())
    }

    /// True for contradictions such as `>3,<2`.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether `version` satisfies the constraint, as `VersionConstraint.allows` decides.
    pub fn contains(&self, version: &Version) -> bool {
        // A union that leaves out exactly one version (`!=V`) is checked as "not V", so a
        // post-release of V matches (poetry-core `VersionUnion.excludes_single_version`).
        if let [below, above] = self.ranges.as_slice() {
            if let (None, Some(max), Some(min), None) =
                (&below.min, &below.max, &above.min, &above.max)
            {
                if max == min && !below.include_max && !above.include_min {
                    return !Range::exactly(max.clone()).allows(version);
                }
            }
        }
        self.ranges.iter().any(|r| r.allows(version))
    }

    /// The constraint as PEP 440 specifiers (`>=3.5,<4.0`; empty for `*`), or `None` when
    /// it is a union that PEP 440 cannot spell (`>=1,<2 || >3`) or matches nothing.
    pub fn to_pep440(&self) -> Option<String> {
        if self.is_any() {
            return Some(String::new());
        }
        match self.ranges.as_slice() {
            [range] => Some(range.to_pep440()),
            [below, above]
                if below.min.is_none()
                    && above.max.is_none()
                    && below.max == above.min
                    && !below.include_max
                    && !above.include_min =>
            {
                below.max.as_ref().map(|v| format!("!={v}"))
            }
            _ => None,
        }
    }

    /// The constraint as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl FromStr for PoetryConstraint {
    type Err = ConstraintError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for PoetryConstraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The PEP 508 marker Poetry derives from a dependency's `python = "..."` key
/// (poetry-core `create_nested_marker("python_version", parse_constraint(...))`):
/// `^3.9` → `python_version >= "3.9" and python_version < "4.0"`, `>3.8` →
/// `python_full_version > "3.8.0"`, `!=3.9.*` → `(python_version < "3.9") or
/// (python_version >= "3.10")`. `*` gives the empty string (no restriction).
pub fn python_marker(constraint: &str) -> Result<String, ConstraintError> {
    let parsed = PoetryConstraint::parse(constraint)?;
    if parsed.is_empty() {
        return Err(ConstraintError::Empty(constraint.to_string()));
    }
    if parsed.is_any() {
        return Ok(String::new());
    }
    if let [range] = parsed.ranges.as_slice() {
        return Ok(range.python_marker());
    }
    let parts: Vec<String> = parsed
        .ranges
        .iter()
        .map(|r| format!("({})", r.python_marker()))
        .collect();
    Ok(parts.join(" or "))
}

/// Splits on `||` and `|` (poetry-core: `re.split(r"\s*\|\|?\s*", ...)`).
fn split_or(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('|') {
        parts.push(rest[..i].trim());
        rest = &rest[i + 1..];
        rest = rest.strip_prefix('|').unwrap_or(rest);
    }
    parts.push(rest.trim());
    parts
}

/// Splits one alternative into single constraints on `,` and whitespace, keeping an
/// operator together with a version after a space (`>= 1.2, < 2` is two constraints).
fn split_and(text: &str) -> Vec<String> {
    let mut atoms = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| *c == ',' || c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            break;
        }
        let mut atom = String::new();
        while let Some(c) = chars.next_if(|c| matches!(c, '^' | '~' | '=' | '<' | '>' | '!')) {
            atom.push(c);
        }
        if !atom.is_empty() {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
        }
        while let Some(c) = chars.next_if(|c| *c != ',' && !c.is_whitespace()) {
            atom.push(c);
        }
        atoms.push(atom);
    }
    atoms
}

/// One constraint (`^1.2`, `<3`, `!=1.4.*`, `1.2.3`, ...) as a union of ranges.
fn parse_single(atom: &str) -> Result<Vec<Range>, String> {
    let is_wildcard_any = {
        let body = atom.strip_prefix(['v', 'V']).unwrap_or(atom);
        !body.is_empty() && body.split('.').all(|p| matches!(p, "*" | "x" | "X"))
    };
    if is_wildcard_any {
        return Ok(vec![Range::any()]);
    }

    let (op, version_text) = split_operator(atom);
    let version_text = version_text.trim();
    if version_text.is_empty() {
        return Err(format!("`{atom}` has no version"));
    }

    match op {
        "^" => {
            let version = parse_version(version_text)?;
            let release = version.release();
            let bump_at = if release[0] > 0 || release.len() == 1 {
                0
            } else if release.get(1).copied().unwrap_or(0) > 0 || release.len() == 2 {
                1
            } else {
                2
            };
            let high = bumped(&version, bump_at);
            Ok(vec![Range::half_open(version, high)])
        }
        "~" => {
            let version = parse_version(version_text)?;
            let bump_at = usize::from(version.release().len() != 1);
            let high = bumped(&version, bump_at);
            Ok(vec![Range::half_open(version, high)])
        }
        "~=" => {
            let version = parse_version(version_text)?;
            let len = version.release().len();
            // `~=V.N` is `>=V.N, ==V.*`: bump the second-to-last segment.
            let high = if len < 2 {
                bumped(&version, 0)
            } else {
                bumped(&version, len - 2)
            };
            Ok(vec![Range::half_open(version, high)])
        }
        "" | "=" | "==" | "!=" | "<>" => {
            let negate = matches!(op, "!=" | "<>");
            if let Some(base) = version_text.strip_suffix(".*") {
                let base = base.strip_prefix(['v', 'V']).unwrap_or(base);
                let version = parse_version(base)?;
                return x_range(&version, negate).ok_or_else(|| {
                    format!("`{atom}`: a wildcard needs a plain release like `1.2.*`")
                });
            }
            let version = parse_version(version_text)?;
            if negate {
                Ok(vec![
                    Range {
                        min: None,
                        max: Some(version.clone()),
                        include_min: false,
                        include_max: false,
                    },
                    Range {
                        min: Some(version),
                        max: None,
                        include_min: false,
                        include_max: false,
                    },
                ])
            } else {
                Ok(vec![Range::exactly(version)])
            }
        }
        "<" => {
            let version = parse_version(version_text)?;
            Ok(vec![Range {
                min: None,
                max: Some(canonical_strict_max(version)),
                include_min: false,
                include_max: false,
            }])
        }
        "<=" | ">" | ">=" => {
            let version = parse_version(version_text)?;
            Ok(vec![match op {
                "<=" => Range {
                    min: None,
                    max: Some(version),
                    include_min: false,
                    include_max: true,
                },
                ">" => Range {
                    min: Some(version),
                    max: None,
                    include_min: false,
                    include_max: false,
                },
                _ => Range {
                    min: Some(version),
                    max: None,
                    include_min: true,
                    include_max: false,
                },
            }])
        }
        other => Err(format!("unknown operator `{other}`")),
    }
}

fn split_operator(atom: &str) -> (&str, &str) {
    let end = atom
        .find(|c: char| !matches!(c, '^' | '~' | '=' | '<' | '>' | '!'))
        .unwrap_or(atom.len());
    (&atom[..end], &atom[end..])
}

fn parse_version(text: &str) -> Result<Version, String> {
    // poetry-core reads a bare `dev` as `0.0-dev`.
    let text = if text == "dev" { "0.0-dev" } else { text };
    Version::from_str(text).map_err(|e| format!("`{text}` is not a version: {e}"))
}

/// `V.stable` with release segment `at` increased and the later ones zeroed, keeping the
/// number of segments (Poetry's `next_major` / `next_minor` / `next_patch`).
fn bumped(version: &Version, at: usize) -> Version {
    let mut release = version.release().to_vec();
    if release.len() <= at {
        release.resize(at + 1, 0);
    }
    release[at] = release[at].saturating_add(1);
    for segment in &mut release[at + 1..] {
        *segment = 0;
    }
    Version::new(release).with_epoch(version.epoch())
}

/// `<V` for a stable `V` means `<V.dev0` (PEP 440: no pre-releases of `V`).
fn canonical_strict_max(version: Version) -> Version {
    if version.is_pre() || version.is_dev() {
        version
    } else {
        version.with_dev(Some(0))
    }
}

/// `==V.*` is `[V.dev0, next.dev0)` where `next` bumps the last segment; `!=V.*` is its
/// complement. Only plain releases have a wildcard form.
fn x_range(version: &Version, negate: bool) -> Option<Vec<Range>> {
    if !version.is_stable() || version.is_post() || version.is_local() {
        return None;
    }
    let last = version.release().len() - 1;
    let min = version.clone().with_dev(Some(0));
    let max = bumped(version, last).with_dev(Some(0));
    Some(if negate {
        vec![
            Range {
                min: None,
                max: Some(min),
                include_min: false,
                include_max: false,
            },
            Range {
                min: Some(max),
                max: None,
                include_min: true,
                include_max: false,
            },
        ]
    } else {
        vec![Range {
            min: Some(min),
            max: Some(max),
            include_min: true,
            include_max: false,
        }]
    })
}

impl Range {
    fn any() -> Self {
        Range {
            min: None,
            max: None,
            include_min: false,
            include_max: false,
        }
    }

    fn exactly(version: Version) -> Self {
        Range {
            min: Some(version.clone()),
            max: Some(version),
            include_min: true,
            include_max: true,
        }
    }

    /// `>=low,<high` with the canonical strict maximum.
    fn half_open(low: Version, high: Version) -> Self {
        Range {
            min: Some(low),
            max: Some(canonical_strict_max(high)),
            include_min: true,
            include_max: false,
        }
    }

    fn is_any(&self) -> bool {
        self.min.is_none() && self.max.is_none()
    }

    fn is_single(&self) -> bool {
        self.include_min && self.include_max && self.min.is_some() && self.min == self.max
    }

    fn is_empty(&self) -> bool {
        match (&self.min, &self.max) {
            (Some(min), Some(max)) => match min.cmp(max) {
                Ordering::Less => false,
                Ordering::Equal => !(self.include_min && self.include_max),
                Ordering::Greater => true,
            },
            _ => false,
        }
    }

    /// poetry-core `VersionRange.allows`.
    fn allows(&self, other: &Version) -> bool {
        if let Some(min) = &self.min {
            let mut candidate = other.clone();
            if !self.include_min && !min.is_post() && candidate.is_post() {
                // `>V` must not match a post-release of `V`.
                candidate = candidate.with_post(None);
            }
            if !min.is_local() && candidate.is_local() {
                candidate = candidate.without_local();
            }
            if candidate < *min || (!self.include_min && candidate == *min) {
                return false;
            }
        }
        if let Some(max) = &self.max {
            let mut candidate = other.clone();
            if !max.is_local() && candidate.is_local() {
                candidate = candidate.without_local();
            }
            if candidate > *max || (!self.include_max && candidate == *max) {
                return false;
            }
        }
        true
    }

    fn intersect(&self, other: &Range) -> Option<Range> {
        let (min, include_min) = match (&self.min, &other.min) {
            (None, _) => (other.min.clone(), other.include_min),
            (_, None) => (self.min.clone(), self.include_min),
            (Some(a), Some(b)) => match a.cmp(b) {
                Ordering::Greater => (self.min.clone(), self.include_min),
                Ordering::Less => (other.min.clone(), other.include_min),
                Ordering::Equal => (self.min.clone(), self.include_min && other.include_min),
            },
        };
        let (max, include_max) = match (&self.max, &other.max) {
            (None, _) => (other.max.clone(), other.include_max),
            (_, None) => (self.max.clone(), self.include_max),
            (Some(a), Some(b)) => match a.cmp(b) {
                Ordering::Less => (self.max.clone(), self.include_max),
                Ordering::Greater => (other.max.clone(), other.include_max),
                Ordering::Equal => (self.max.clone(), self.include_max && other.include_max),
            },
        };
        let range = Range {
            min,
            max,
            include_min,
            include_max,
        };
        (!range.is_empty()).then_some(range)
    }

    fn to_pep440(&self) -> String {
        if let (true, Some(version)) = (self.is_single(), &self.min) {
            return format!("=={version}");
        }
        let mut parts = Vec::new();
        if let Some(min) = &self.min {
            parts.push(format!(
                "{}{min}",
                if self.include_min { ">=" } else { ">" }
            ));
        }
        if let Some(max) = &self.max {
            if self.include_max {
                parts.push(format!("<={max}"));
            } else if max.dev() == Some(0) && !max.is_pre() && !max.is_post() {
                // The canonical strict maximum `V.dev0` is what `<V` means.
                parts.push(format!("<{}", max.clone().with_dev(None)));
            } else {
                parts.push(format!("<{max}"));
            }
        }
        parts.join(",")
    }

    /// poetry-core `create_nested_marker("python_version", range)`.
    fn python_marker(&self) -> String {
        if let (true, Some(version)) = (self.is_single(), &self.min) {
            return format!("{} == \"{version}\"", marker_name(version));
        }
        let mut parts = Vec::new();
        if let Some(min) = &self.min {
            let precision = min.release().len();
            if !self.include_min && precision < 3 {
                // `python_version > "3.8"` would exclude 3.8.1; compare full versions.
                parts.push(format!("python_full_version > \"{}\"", padded(min)));
            } else {
                let op = if self.include_min { ">=" } else { ">" };
                parts.push(format!("{} {op} \"{}\"", marker_name(min), stable(min)));
            }
        }
        if let Some(max) = &self.max {
            let precision = max.release().len();
            if self.include_max && precision < 3 {
                parts.push(format!("python_full_version <= \"{}\"", padded(max)));
            } else {
                let op = if self.include_max { "<=" } else { "<" };
                parts.push(format!("{} {op} \"{}\"", marker_name(max), stable(max)));
            }
        }
        parts.join(" and ")
    }
}

fn marker_name(version: &Version) -> &'static str {
    if version.release().len() >= 3 {
        "python_full_version"
    } else {
        "python_version"
    }
}

/// The version with its release padded to three segments (`3.8` → `3.8.0`).
fn padded(version: &Version) -> Version {
    let mut release = version.release().to_vec();
    release.resize(release.len().max(3), 0);
    version.clone().with_release(release)
}

/// poetry-core `Version.stable`: drops pre- and dev-release parts (and a post part that
/// came with a pre-release).
fn stable(version: &Version) -> Version {
    if version.is_stable() {
        return version.clone();
    }
    let post = if version.is_pre() {
        None
    } else {
        version.post()
    };
    Version::new(version.release().iter().copied())
        .with_epoch(version.epoch())
        .with_post(post)
}

/// Pairwise intersection of two unions.
fn intersect_unions(a: &[Range], b: &[Range]) -> Vec<Range> {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            if let Some(r) = x.intersect(y) {
                out.push(r);
            }
        }
    }
    normalize_union(out)
}

/// Sorts ranges by lower bound and merges overlapping or touching ones (`VersionUnion.of`).
fn normalize_union(mut ranges: Vec<Range>) -> Vec<Range> {
    ranges.retain(|r| !r.is_empty());
    ranges.sort_by(|a, b| match (&a.min, &b.min) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(y).then(b.include_min.cmp(&a.include_min)),
    });
    let mut out: Vec<Range> = Vec::new();
    for range in ranges {
        if let Some(last) = out.last_mut() {
            let touches = match (&last.max, &range.min) {
                (None, _) | (_, None) => true,
                (Some(max), Some(min)) => match min.cmp(max) {
                    Ordering::Less => true,
                    Ordering::Equal => last.include_max || range.include_min,
                    Ordering::Greater => false,
                },
            };
            if touches {
                let extend = match (&last.max, &range.max) {
                    (None, _) => false,
                    (_, None) => true,
                    (Some(a), Some(b)) => b > a || (b == a && range.include_max),
                };
                if extend {
                    last.max = range.max;
                    last.include_max = range.include_max;
                }
                continue;
            }
        }
        out.push(range);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    fn allows(constraint: &str, version: &str) -> bool {
        PoetryConstraint::parse(constraint)
            .unwrap_or_else(|e| panic!("{e}"))
            .contains(&v(version))
    }

    #[test]
    fn caret_tilde_and_wildcards() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            (
                "^1.2.3",
                &["1.2.3", "1.9", "1.99.99"],
                &["1.2.2", "2.0.0", "2.0.0a1", "2.0.dev0"],
            ),
            ("^0.2.3", &["0.2.3", "0.2.99"], &["0.3.0", "0.2.2"]),
            ("^0.0.3", &["0.0.3"], &["0.0.4", "0.0.2"]),
            ("^0.0", &["0.0.0", "0.0.9"], &["0.1.0"]),
            ("^0", &["0.0.1", "0.99"], &["1.0"]),
            (
                "^3.9",
                &["3.9", "3.9.18", "3.13.1"],
                &["3.8.10", "4.0", "4.0.0rc1"],
            ),
            ("~1.2.3", &["1.2.3", "1.2.9"], &["1.3.0", "1.2.2"]),
            ("~1.2", &["1.2.0", "1.2.9"], &["1.3"]),
            ("~1", &["1.0", "1.9"], &["2.0"]),
            ("~=1.4.5", &["1.4.5", "1.4.99"], &["1.5", "1.4.4"]),
            ("~=1.4", &["1.4", "1.99"], &["2.0", "1.3"]),
            (
                "1.2.*",
                &["1.2", "1.2.9", "1.2.0a1"],
                &["1.3", "1.1.9", "1.3.0a1"],
            ),
            ("==1.*", &["1.0", "1.99"], &["2.0", "0.9"]),
            ("!=3.0.*", &["2.7", "3.1"], &["3.0", "3.0.5"]),
            ("*", &["0", "99.99", "1.0a1"], &[]),
            ("x", &["1"], &[]),
        ];
        for (constraint, yes, no) in cases {
            for version in *yes {
                assert!(
                    allows(constraint, version),
                    "{constraint} should allow {version}"
                );
            }
            for version in *no {
                assert!(
                    !allows(constraint, version),
                    "{constraint} should not allow {version}"
                );
            }
        }
    }

    #[test]
    fn comparisons_follow_pep_440() {
        assert!(allows("1.2.3", "1.2.3"));
        assert!(allows("1.2", "1.2.0"));
        assert!(allows("==1.2.3", "1.2.3+local.7"));
        assert!(!allows("==1.2.3", "1.2.3.post1"));
        assert!(allows("=1.0", "1.0"));
        assert!(!allows("1.2.3", "1.2.4"));
        assert!(allows("!=1.5.7", "1.5.8"));
        assert!(!allows("!=1.5.7", "1.5.7"));
        // `!=2` keeps 2's pre-releases (strict equality), unlike `<2`.
        assert!(allows("!=2", "2.0.dev1"));
        assert!(!allows("<2", "2.0.dev1"));
        assert!(!allows("<2.0", "2.0a1"));
        assert!(allows("<2.0a2", "2.0a1"));
        assert!(allows("<2.0", "1.9.9"));
        assert!(allows("<=2.0", "2.0"));
        assert!(allows("<=2.0", "2.0+local"));
        assert!(!allows("<=2.0", "2.0.post1"));
        assert!(!allows(">2", "2.0.post1"));
        assert!(!allows(">2", "2.0+local"));
        assert!(allows(">2", "2.0.1"));
        assert!(allows(">2.post1", "2.0.post2"));
        assert!(allows(">=2", "2.0"));
        assert!(allows(">=3.10.0a1", "3.10.0b2"));
        assert!(!allows(">=3.10", "3.10.0rc1"));
        assert!(allows("dev", "0.0.dev0"));
    }

    #[test]
    fn and_or_and_spacing() {
        let c = ">=1.5.6,<1.5.7 || >1.5.7";
        assert!(allows(c, "1.5.6"));
        assert!(!allows(c, "1.5.7"));
        assert!(allows(c, "2.0"));
        assert!(!allows(c, "1.5.5"));
        assert!(allows(">= 3.8 < 4", "3.12"));
        assert!(!allows(">= 3.8 < 4", "4.0"));
        assert!(allows(">=2.7, !=3.0.*, !=3.1.*", "2.7.18"));
        assert!(!allows(">=2.7, !=3.0.*, !=3.1.*", "3.1.4"));
        assert!(allows(">=2.7, !=3.0.*, !=3.1.*", "3.2"));
        assert!(allows("!=3.0.*,!=3.1.*,>=2.7", "3.11"));
        assert!(allows("3.8 | 3.9", "3.9"));
        assert!(!allows("3.8 | 3.9", "3.10"));
        assert!(allows("~2.7 || ^3.6", "2.7.18"));
        assert!(!allows("~2.7 || ^3.6", "3.5"));
        assert!(allows(">=3.8,", "3.8"));
        assert!(allows("  >=3.8  ", "3.8"));
        assert!(allows(">=1.0.0,<2.0.0", "1.9"));
        assert!(PoetryConstraint::parse(">3,<2").unwrap().is_empty());
        assert!(PoetryConstraint::parse(">=3.8 || <3")
            .unwrap()
            .contains(&v("2.7")));
        assert!(PoetryConstraint::parse("*").unwrap().is_any());
        assert!(PoetryConstraint::parse(">=3.8 || *").unwrap().is_any());
    }

    /// `tests/fixtures/lock/constraint-oracle.tsv` holds, for each constraint, poetry-core
    /// 2.5.0's `parse_constraint(c).allows(Version.parse(v))` over a fixed list of versions
    /// (the `#versions` line), written by `constraint-oracle.py` next to it.
    #[test]
    fn contains_matches_poetry_core_oracle() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/lock/constraint-oracle.tsv");
        let text = std::fs::read_to_string(path).unwrap();
        let versions: Vec<Version> = text
            .lines()
            .find_map(|l| l.strip_prefix("#versions\t"))
            .unwrap()
            .split(' ')
            .map(v)
            .collect();
        let mut checked = 0;
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let (constraint, expected) = line.split_once('\t').unwrap();
            let parsed = PoetryConstraint::parse(constraint).unwrap();
            for (version, bit) in versions.iter().zip(expected.chars()) {
                assert_eq!(
                    parsed.contains(version),
                    bit == '1',
                    "{constraint} vs {version}"
                );
                checked += 1;
            }
        }
        assert!(checked > 2500);
    }

    #[test]
    fn renders_pep_440_where_possible() {
        let cases = [
            ("^3.5", Some(">=3.5,<4.0")),
            ("~1.2.3", Some(">=1.2.3,<1.3.0")),
            ("*", Some("")),
            ("1.2.3", Some("==1.2.3")),
            ("!=1.5.7", Some("!=1.5.7")),
            ("<=2", Some("<=2")),
            (">2,<3.0a1", Some(">2,<3.0a1")),
            (">=1.5.6,<1.5.7 || >1.5.7", None),
            (">3,<2", None),
        ];
        for (constraint, expected) in cases {
            let parsed = PoetryConstraint::parse(constraint).unwrap();
            assert_eq!(parsed.to_pep440().as_deref(), expected, "{constraint}");
            if let Some(specifiers) = expected.filter(|s| !s.is_empty()) {
                assert!(specifiers
                    .parse::<crate::packaging::VersionSpecifiers>()
                    .is_ok());
            }
        }
    }

    /// Every string built from constraint characters parses or fails, never panics, and
    /// `python_marker` agrees.
    #[test]
    fn arbitrary_strings_never_panic() {
        let alphabet: Vec<char> = "0123456789.*^~=<>!|, vxXab-+rcpostdevlocal"
            .chars()
            .collect();
        let mut seed: u64 = 88_172_645_463_325_252;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 12) as usize;
            let text: String = (0..len)
                .map(|i| alphabet[((seed >> (i * 5)) % alphabet.len() as u64) as usize])
                .collect();
            if let Ok(c) = PoetryConstraint::parse(&text) {
                let _ = c.contains(&v("1.2.3"));
                let _ = c.to_pep440();
            }
            let _ = python_marker(&text);
        }
    }

    #[test]
    fn rejects_garbage() {
        // Huge segments must not overflow.
        assert!(PoetryConstraint::parse("^18446744073709551615").is_ok());
        assert!(PoetryConstraint::parse("18446744073709551615.*").is_ok());
        for bad in [
            "",
            "foo",
            ">=",
            "1.x",
            "^",
            "==1.0a1.*",
            ">=1 ||",
            "===1.0",
            "~>1.0",
            ">>1",
        ] {
            assert!(
                PoetryConstraint::parse(bad).is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    /// Expected values are poetry-core 2.5.0's
    /// `create_nested_marker("python_version", parse_constraint(c))`.
    #[test]
    fn python_markers_match_poetry_core() {
        let cases = [
            (
                "^3.9",
                r#"python_version >= "3.9" and python_version < "4.0""#,
            ),
            ("^3", r#"python_version >= "3" and python_version < "4""#),
            (
                "^3.9.1",
                r#"python_full_version >= "3.9.1" and python_full_version < "4.0.0""#,
            ),
            (
                "~3.9",
                r#"python_version >= "3.9" and python_version < "3.10""#,
            ),
            (
                "~3.9.2",
                r#"python_full_version >= "3.9.2" and python_full_version < "3.10.0""#,
            ),
            (
                "~=3.9",
                r#"python_version >= "3.9" and python_version < "4.0""#,
            ),
            (">=3.8", r#"python_version >= "3.8""#),
            (">3.8", r#"python_full_version > "3.8.0""#),
            (">3", r#"python_full_version > "3.0.0""#),
            (">3.8.1", r#"python_full_version > "3.8.1""#),
            ("<3.11", r#"python_version < "3.11""#),
            ("<=3.11", r#"python_full_version <= "3.11.0""#),
            ("<=3.11.2", r#"python_full_version <= "3.11.2""#),
            ("<3.11.2", r#"python_full_version < "3.11.2""#),
            ("3.9", r#"python_version == "3.9""#),
            ("==3.9", r#"python_version == "3.9""#),
            ("3.9.1", r#"python_full_version == "3.9.1""#),
            (
                "!=3.9",
                r#"(python_version < "3.9") or (python_full_version > "3.9.0")"#,
            ),
            (
                "!=3.9.*",
                r#"(python_version < "3.9") or (python_version >= "3.10")"#,
            ),
            (
                "3.9.*",
                r#"python_version >= "3.9" and python_version < "3.10""#,
            ),
            ("*", ""),
            (
                ">=2.7,!=3.0.*,!=3.1.*",
                r#"(python_version >= "2.7" and python_version < "3.0") or (python_version >= "3.2")"#,
            ),
            (
                ">=3.6,<3.8 || >=3.9",
                r#"(python_version >= "3.6" and python_version < "3.8") or (python_version >= "3.9")"#,
            ),
            (
                ">= 3.8 < 4",
                r#"python_version >= "3.8" and python_version < "4""#,
            ),
            (
                ">=3.8 || <3",
                r#"(python_version < "3") or (python_version >= "3.8")"#,
            ),
            (
                "~2.7 || ^3.6",
                r#"(python_version >= "2.7" and python_version < "2.8") or (python_version >= "3.6" and python_version < "4.0")"#,
            ),
            (">=3.10.0a1", r#"python_full_version >= "3.10.0""#),
            ("<3.13.0rc1", r#"python_full_version < "3.13.0""#),
            (
                "==3.10.*,!=3.10.2",
                r#"(python_version >= "3.10" and python_full_version < "3.10.2") or (python_full_version > "3.10.2" and python_version < "3.11")"#,
            ),
            (
                "3.8 | 3.9",
                r#"(python_version == "3.8") or (python_version == "3.9")"#,
            ),
            (
                ">=3.7,<3.11||>=3.12",
                r#"(python_version >= "3.7" and python_version < "3.11") or (python_version >= "3.12")"#,
            ),
        ];
        for (constraint, expected) in cases {
            assert_eq!(python_marker(constraint).unwrap(), expected, "{constraint}");
        }
        assert!(matches!(
            python_marker(">3,<2"),
            Err(ConstraintError::Empty(_))
        ));
        assert!(python_marker("foo").is_err());
    }

    #[test]
    fn python_markers_parse_as_pep_508() {
        for constraint in ["^3.9", "!=3.9", ">=2.7,!=3.0.*,!=3.1.*", "3.9.1", "<=3.11"] {
            let marker = python_marker(constraint).unwrap();
            assert!(
                pep508_rs::MarkerTree::from_str(&marker).is_ok(),
                "{constraint} -> {marker}"
            );
        }
    }
}
