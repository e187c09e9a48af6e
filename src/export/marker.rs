//! Poetry's marker algebra, as far as `poetry export` needs it to write the same marker text
//! poetry-plugin-export writes: parse, `union`, `intersection` (poetry-core 2.x
//! `version/markers.py`: `MultiMarker.of`, `MarkerUnion.of`, `union_simplify`,
//! `intersect_simplify`, `cnf`/`dnf` and "keep the least complex candidate"), applying the
//! requested extras, and printing.
//!
//! What it does not do: evaluate markers for an interpreter (that is `pep508_rs`, in `plan`),
//! or understand every marker form. `python_version`/`python_full_version` comparisons and
//! `==`/`!=` on the other names are merged the way poetry-core merges them; any other atom
//! (`in`, `not in`, `~=`, `<` on a string name) is kept as written and only merged with an
//! identical atom, which is correct but may print less simplified than Poetry would.

use std::cmp::Ordering;
use std::fmt;

use crate::packaging::Version;

/// A marker expression in poetry-core's shape: atoms, conjunctions ("multi") and disjunctions
/// ("union"), each kept in the order Poetry would keep it, because the order is printed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Marker {
    Any,
    Empty,
    Single(Atom),
    Multi(Vec<Marker>),
    Union(Vec<Marker>),
}

/// One comparison, or poetry-core's `AtomicMarkerUnion`/`AtomicMultiMarker` (several `==` or
/// `!=` on one name, which it treats as a single atom).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Atom {
    /// `python_version` or `python_full_version` compared with a version.
    Python {
        full: bool,
        op: String,
        value: String,
    },
    /// Any other `name op "value"` (or `"value" op name` when `swapped`).
    Text {
        name: String,
        op: String,
        value: String,
        swapped: bool,
    },
    /// `name == "a" or name == "b" ...` (poetry-core `AtomicMarkerUnion`).
    AnyOf { name: String, values: Vec<String> },
    /// `name != "a" and name != "b" ...` (poetry-core `AtomicMultiMarker`).
    NoneOf { name: String, values: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{marker}` is not a marker verse can export: {reason}")]
pub struct MarkerError {
    pub marker: String,
    pub reason: String,
}

impl Marker {
    /// Parses a marker the way poetry-core's `parse_marker` does: the top level is simplified
    /// by `union`, nested parentheses are kept as written.
    pub fn parse(text: &str) -> Result<Marker, MarkerError> {
        let text = text.trim();
        if text.is_empty() || text == "*" {
            return Ok(Marker::Any);
        }
        let tokens = tokenize(text).map_err(|reason| MarkerError {
            marker: text.to_string(),
            reason,
        })?;
        let mut parser = Parser { tokens, at: 0 };
        let groups = parser.groups().map_err(|reason| MarkerError {
            marker: text.to_string(),
            reason,
        })?;
        if parser.at != parser.tokens.len() {
            return Err(MarkerError {
                marker: text.to_string(),
                reason: "unexpected text after the end".into(),
            });
        }
        Ok(union(&groups))
    }

    pub fn is_any(&self) -> bool {
        matches!(self, Marker::Any)
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Marker::Empty)
    }

    pub fn intersect(&self, other: &Marker) -> Marker {
        match (self, other) {
            (Marker::Any, _) => other.clone(),
            (Marker::Empty, _) => Marker::Empty,
            (Marker::Single(a), Marker::Single(b)) => match merge(a, b, Merge::And) {
                Some(m) => m,
                None => Marker::Multi(vec![self.clone(), other.clone()]),
            },
            // poetry-core `SingleMarkerLike.intersect`: `other.intersect(self)`.
            (Marker::Single(_), _) => other.intersect(self),
            _ => intersection(&[self.clone(), other.clone()]),
        }
    }

    pub fn union(&self, other: &Marker) -> Marker {
        match (self, other) {
            (Marker::Any, _) => Marker::Any,
            (Marker::Empty, _) => other.clone(),
            (Marker::Single(a), Marker::Single(b)) => match merge(a, b, Merge::Or) {
                Some(m) => m,
                None => Marker::Union(vec![self.clone(), other.clone()]),
            },
            (Marker::Single(_), _) => other.union(self),
            _ => union(&[self.clone(), other.clone()]),
        }
    }

    /// Replaces every `extra` atom by true or false for these (normalized) extras
    /// (poetry-core `BaseMarker.apply({"extra": extras})`).
    pub fn apply_extras(&self, extras: &[String]) -> Marker {
        match self {
            Marker::Single(atom) => match atom.extra_value(extras) {
                Some(true) => Marker::Any,
                Some(false) => Marker::Empty,
                None => self.clone(),
            },
            Marker::Multi(items) => of(
                Merge::And,
                items
                    .iter()
                    .map(|m| m.apply_extras(extras))
                    .collect::<Vec<_>>(),
            ),
            Marker::Union(items) => of(
                Merge::Or,
                items
                    .iter()
                    .map(|m| m.apply_extras(extras))
                    .collect::<Vec<_>>(),
            ),
            Marker::Any | Marker::Empty => self.clone(),
        }
    }

    /// The marker without its `extra` atoms (poetry-core `without_extras`).
    pub fn without_extras(&self) -> Marker {
        let is_extra = |m: &Marker| matches!(m, Marker::Single(a) if a.name() == "extra");
        match self {
            Marker::Single(_) if is_extra(self) => Marker::Any,
            Marker::Multi(items) => {
                let kept: Vec<Marker> = items
                    .iter()
                    .filter(|m| !is_extra(m))
                    .map(Marker::without_extras)
                    .filter(|m| !m.is_empty())
                    .collect();
                intersection(&kept)
            }
            Marker::Union(items) => {
                if items.iter().any(is_extra) {
                    return Marker::Any;
                }
                let kept: Vec<Marker> = items.iter().map(Marker::without_extras).collect();
                union(&kept)
            }
            _ => self.clone(),
        }
    }

    /// The Python versions for which the marker can hold (poetry-core
    /// `get_python_constraint_from_marker`): other names count as "any".
    pub fn python_range(&self) -> PythonRange {
        PythonRange(self.ranges())
    }

    fn ranges(&self) -> Ranges {
        let any = || Ranges::from(None, None);
        match self {
            Marker::Any => any(),
            Marker::Empty => Ranges(Vec::new()),
            Marker::Single(atom) => atom.python_range().unwrap_or_else(any),
            Marker::Multi(items) => items
                .iter()
                .fold(any(), |acc, m| acc.intersect(&m.ranges())),
            Marker::Union(items) => items
                .iter()
                .fold(Ranges(Vec::new()), |acc, m| acc.union(&m.ranges())),
        }
    }

    /// poetry-core `complexity`: (atoms counting each value of an atomic union, atoms).
    fn complexity(&self) -> (usize, usize) {
        match self {
            Marker::Single(Atom::AnyOf { values, .. } | Atom::NoneOf { values, .. }) => {
                (values.len(), 1)
            }
            Marker::Multi(items) | Marker::Union(items) => {
                items.iter().fold((0, 0), |(a, b), m| {
                    let (x, y) = m.complexity();
                    (a + x, b + y)
                })
            }
            _ => (1, 1),
        }
    }

    fn items(&self) -> Option<&[Marker]> {
        match self {
            Marker::Multi(items) | Marker::Union(items) => Some(items),
            _ => None,
        }
    }
}

impl fmt::Display for Marker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Marker::Any => Ok(()),
            Marker::Empty => f.write_str("<empty>"),
            Marker::Single(atom) => write!(f, "{atom}"),
            Marker::Multi(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" and ")?;
                    }
                    // poetry-core `MultiMarker.__str__` parenthesizes all but plain atoms,
                    // conjunctions and atomic `!=` sets.
                    let bare = matches!(
                        item,
                        Marker::Multi(_)
                            | Marker::Single(
                                Atom::Python { .. } | Atom::Text { .. } | Atom::NoneOf { .. }
                            )
                    );
                    if bare {
                        write!(f, "{item}")?;
                    } else {
                        write!(f, "({item})")?;
                    }
                }
                Ok(())
            }
            Marker::Union(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" or ")?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Atom::Python { full, op, value } => {
                let name = if *full {
                    "python_full_version"
                } else {
                    "python_version"
                };
                write!(f, "{name} {op} \"{value}\"")
            }
            Atom::Text {
                name,
                op,
                value,
                swapped: false,
            } => write!(f, "{name} {op} \"{value}\""),
            Atom::Text {
                name,
                op,
                value,
                swapped: true,
            } => write!(f, "\"{value}\" {op} {name}"),
            Atom::AnyOf { name, values } => {
                let parts: Vec<String> = values
                    .iter()
                    .map(|v| format!("{name} == \"{v}\""))
                    .collect();
                f.write_str(&parts.join(" or "))
            }
            Atom::NoneOf { name, values } => {
                let parts: Vec<String> = values
                    .iter()
                    .map(|v| format!("{name} != \"{v}\""))
                    .collect();
                f.write_str(&parts.join(" and "))
            }
        }
    }
}

impl Atom {
    fn name(&self) -> &str {
        match self {
            Atom::Python { full: true, .. } => "python_full_version",
            Atom::Python { full: false, .. } => "python_version",
            Atom::Text { name, .. } | Atom::AnyOf { name, .. } | Atom::NoneOf { name, .. } => name,
        }
    }

    /// For an `extra` atom, whether it holds with these extras.
    fn extra_value(&self, extras: &[String]) -> Option<bool> {
        if self.name() != "extra" {
            return None;
        }
        let has = |v: &str| extras.iter().any(|e| *e == crate::packaging::normalize(v));
        match self {
            Atom::Text { op, value, .. } if op == "==" => Some(has(value)),
            Atom::Text { op, value, .. } if op == "!=" => Some(!has(value)),
            Atom::AnyOf { values, .. } => Some(values.iter().any(|v| has(v))),
            Atom::NoneOf { values, .. } => Some(!values.iter().any(|v| has(v))),
            _ => None,
        }
    }

    /// The set of strings a `==`/`!=` atom allows, or `None` for any other atom.
    fn text_set(&self) -> Option<TextSet> {
        match self {
            Atom::Text {
                op, value, swapped, ..
            } if !swapped && op == "==" => Some(TextSet::In(vec![value.clone()])),
            Atom::Text {
                op, value, swapped, ..
            } if !swapped && op == "!=" => Some(TextSet::NotIn(vec![value.clone()])),
            Atom::AnyOf { values, .. } => Some(TextSet::In(values.clone())),
            Atom::NoneOf { values, .. } => Some(TextSet::NotIn(values.clone())),
            _ => None,
        }
    }

    /// The versions the atom allows, read literally as PEP 440 (poetry-core's marker
    /// constraint: `python_version == "3.9"` is the single version 3.9).
    fn literal(&self) -> Option<Ranges> {
        let Atom::Python { op, value, .. } = self else {
            return None;
        };
        let v: Version = value.parse().ok()?;
        Some(match op.as_str() {
            "==" => Ranges::point(v),
            "!=" => Ranges::point(v).complement(),
            ">=" => Ranges::from(Some((v, true)), None),
            ">" => Ranges::from(Some((v, false)), None),
            "<" => Ranges::from(None, Some((v, false))),
            "<=" => Ranges::from(None, Some((v, true))),
            _ => return None,
        })
    }

    /// The interpreter versions the atom allows (poetry-core
    /// `get_python_constraint_from_marker`): `python_version == "3.9"` is `>=3.9,<3.10`.
    fn python_range(&self) -> Option<Ranges> {
        let Atom::Python { full, op, value } = self else {
            return None;
        };
        if *full {
            return self.literal();
        }
        let v: Version = value.parse().ok()?;
        let next = next_minor(&v);
        Some(match op.as_str() {
            "==" => Ranges::from(Some((v, true)), Some((next, false))),
            "!=" => Ranges::from(Some((v, true)), Some((next, false))).complement(),
            ">" => Ranges::from(Some((next, true)), None),
            "<=" => Ranges::from(None, Some((next, false))),
            _ => return self.literal(),
        })
    }
}

/// A set of Python versions (what a marker allows, or a package's `python-versions`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PythonRange(Ranges);

/// One bound of a version interval: the version and whether it is included.
pub type Bound = Option<(Version, bool)>;

impl PythonRange {
    /// Every version of `other` is in `self`.
    pub fn allows_all(&self, other: &PythonRange) -> bool {
        self.0.union(&other.0) == self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The intervals, as (lower, upper) bounds.
    pub fn intervals(&self) -> Vec<(Bound, Bound)> {
        self.0
             .0
            .iter()
            .map(|i| (i.lo.clone(), i.hi.clone()))
            .collect()
    }
}

fn next_minor(v: &Version) -> Version {
    let release = v.release();
    let major = release.first().copied().unwrap_or(0);
    let minor = release.get(1).copied().unwrap_or(0);
    Version::new([major, minor + 1])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Merge {
    And,
    Or,
}

/// poetry-core `_merge_single_markers`: two atoms into one marker, or `None` when they do not
/// merge (then they stay side by side).
fn merge(a: &Atom, b: &Atom, how: Merge) -> Option<Marker> {
    if a == b {
        return Some(Marker::Single(a.clone()));
    }
    match (a, b) {
        (Atom::Python { full: fa, .. }, Atom::Python { full: fb, .. }) if fa != fb => {
            merge_mixed_python(a, b, how)
        }
        (Atom::Python { full, .. }, Atom::Python { .. }) => merge_python(a, b, *full, how),
        _ if a.name() != b.name() => None,
        _ => {
            let (sa, sb) = (a.text_set()?, b.text_set()?);
            let merged = match how {
                Merge::And => sa.intersect(&sb),
                Merge::Or => sa.union(&sb),
            };
            Some(if merged == sa {
                Marker::Single(a.clone())
            } else if merged == sb {
                Marker::Single(b.clone())
            } else {
                merged.into_marker(a.name())
            })
        }
    }
}

fn merge_python(a: &Atom, b: &Atom, full: bool, how: Merge) -> Option<Marker> {
    let (la, lb) = (a.literal()?, b.literal()?);
    let merged = match how {
        Merge::And => la.intersect(&lb),
        Merge::Or => la.union(&lb),
    };
    if merged.is_empty() {
        return Some(Marker::Empty);
    }
    if merged.is_any() {
        return Some(Marker::Any);
    }
    if merged == la {
        return Some(Marker::Single(a.clone()));
    }
    if merged == lb {
        return Some(Marker::Single(b.clone()));
    }
    if let Some(atom) = merged.simple_atom(full) {
        return Some(Marker::Single(atom));
    }
    if full {
        return None;
    }
    let (pa, pb) = (a.python_range()?, b.python_range()?);
    match how {
        Merge::And => {
            if let Some(min) = merged.single_min() {
                let candidate = Atom::Python {
                    full: false,
                    op: "==".into(),
                    value: min.to_string(),
                };
                if candidate.python_range().as_ref() == Some(&merged) {
                    return Some(Marker::Single(candidate));
                }
            }
            pa.intersect(&pb).is_empty().then_some(Marker::Empty)
        }
        Merge::Or => {
            let united = pa.union(&pb);
            if united.is_any() {
                Some(Marker::Any)
            } else if let Some(atom) = united.simple_atom(false) {
                Some(Marker::Single(atom))
            } else {
                united
                    .two_sided()
                    .map(|(lo, hi)| Marker::Multi(vec![Marker::Single(lo), Marker::Single(hi)]))
            }
        }
    }
}

/// poetry-core `_merge_python_version_single_markers`, for the outcomes that keep one of the
/// two atoms (the only ones the locks we export produce); anything else stays unmerged.
fn merge_mixed_python(a: &Atom, b: &Atom, how: Merge) -> Option<Marker> {
    let (version, full) = if matches!(a, Atom::Python { full: false, .. }) {
        (a, b)
    } else {
        (b, a)
    };
    let (pv, pf) = (version.python_range()?, full.python_range()?);
    let merged = match how {
        Merge::And => pv.intersect(&pf),
        Merge::Or => pv.union(&pf),
    };
    if merged.is_empty() {
        Some(Marker::Empty)
    } else if merged.is_any() {
        Some(Marker::Any)
    } else if merged == pv {
        Some(Marker::Single(version.clone()))
    } else if merged == pf {
        Some(Marker::Single(full.clone()))
    } else {
        None
    }
}

/// The strings a `==`/`!=` atom (or a set of them) allows.
#[derive(Clone, Debug)]
enum TextSet {
    In(Vec<String>),
    NotIn(Vec<String>),
}

impl PartialEq for TextSet {
    fn eq(&self, other: &Self) -> bool {
        let same = |a: &Vec<String>, b: &Vec<String>| {
            a.len() == b.len() && a.iter().all(|x| b.contains(x))
        };
        match (self, other) {
            (TextSet::In(a), TextSet::In(b)) | (TextSet::NotIn(a), TextSet::NotIn(b)) => same(a, b),
            _ => false,
        }
    }
}

impl TextSet {
    fn intersect(&self, other: &TextSet) -> TextSet {
        match (self, other) {
            (TextSet::In(a), TextSet::In(b)) => {
                TextSet::In(a.iter().filter(|x| b.contains(x)).cloned().collect())
            }
            (TextSet::In(a), TextSet::NotIn(b)) | (TextSet::NotIn(b), TextSet::In(a)) => {
                TextSet::In(a.iter().filter(|x| !b.contains(x)).cloned().collect())
            }
            (TextSet::NotIn(a), TextSet::NotIn(b)) => TextSet::NotIn(joined(a, b)),
        }
    }

    fn union(&self, other: &TextSet) -> TextSet {
        match (self, other) {
            (TextSet::In(a), TextSet::In(b)) => TextSet::In(joined(a, b)),
            (TextSet::In(a), TextSet::NotIn(b)) | (TextSet::NotIn(b), TextSet::In(a)) => {
                TextSet::NotIn(b.iter().filter(|x| !a.contains(x)).cloned().collect())
            }
            (TextSet::NotIn(a), TextSet::NotIn(b)) => {
                TextSet::NotIn(a.iter().filter(|x| b.contains(x)).cloned().collect())
            }
        }
    }

    fn into_marker(self, name: &str) -> Marker {
        let name = name.to_string();
        let text = |op: &str, value: String| {
            Marker::Single(Atom::Text {
                name: name.clone(),
                op: op.into(),
                value,
                swapped: false,
            })
        };
        match self {
            TextSet::In(values) if values.is_empty() => Marker::Empty,
            TextSet::NotIn(values) if values.is_empty() => Marker::Any,
            TextSet::In(mut values) if values.len() == 1 => text("==", values.remove(0)),
            TextSet::NotIn(mut values) if values.len() == 1 => text("!=", values.remove(0)),
            TextSet::In(values) => Marker::Single(Atom::AnyOf { name, values }),
            TextSet::NotIn(values) => Marker::Single(Atom::NoneOf { name, values }),
        }
    }
}

fn joined(a: &[String], b: &[String]) -> Vec<String> {
    let mut out = a.to_vec();
    for x in b {
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

/// A set of versions: disjoint intervals, sorted.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Ranges(Vec<Interval>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Interval {
    /// (version, included); `None` is unbounded.
    lo: Option<(Version, bool)>,
    hi: Option<(Version, bool)>,
}

impl Interval {
    fn is_empty(&self) -> bool {
        match (&self.lo, &self.hi) {
            (Some((l, li)), Some((h, hi))) => match l.cmp(h) {
                Ordering::Greater => true,
                Ordering::Equal => !(*li && *hi),
                Ordering::Less => false,
            },
            _ => false,
        }
    }
}

/// Orders lower bounds: unbounded first; at the same version an included bound first.
fn cmp_lo(a: &Option<(Version, bool)>, b: &Option<(Version, bool)>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Less,
        (_, None) => Ordering::Greater,
        (Some((x, xi)), Some((y, yi))) => x.cmp(y).then(yi.cmp(xi)),
    }
}

/// Orders upper bounds: unbounded last; at the same version an excluded bound first.
fn cmp_hi(a: &Option<(Version, bool)>, b: &Option<(Version, bool)>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Greater,
        (_, None) => Ordering::Less,
        (Some((x, xi)), Some((y, yi))) => x.cmp(y).then(xi.cmp(yi)),
    }
}

impl Ranges {
    fn from(lo: Option<(Version, bool)>, hi: Option<(Version, bool)>) -> Ranges {
        Ranges::normalized(vec![Interval { lo, hi }])
    }

    fn point(v: Version) -> Ranges {
        Ranges::from(Some((v.clone(), true)), Some((v, true)))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn is_any(&self) -> bool {
        matches!(self.0.as_slice(), [Interval { lo: None, hi: None }])
    }

    fn normalized(mut intervals: Vec<Interval>) -> Ranges {
        intervals.retain(|i| !i.is_empty());
        intervals.sort_by(|a, b| cmp_lo(&a.lo, &b.lo));
        let mut out: Vec<Interval> = Vec::new();
        for next in intervals {
            if let Some(last) = out.last_mut() {
                // Touching or overlapping: [a, b) and [b, c) join; [a, b) and (b, c) do not.
                let joins = match (&last.hi, &next.lo) {
                    (None, _) | (_, None) => true,
                    (Some((h, hi)), Some((l, li))) => match h.cmp(l) {
                        Ordering::Greater => true,
                        Ordering::Equal => *hi || *li,
                        Ordering::Less => false,
                    },
                };
                if joins {
                    if cmp_hi(&next.hi, &last.hi) == Ordering::Greater {
                        last.hi = next.hi;
                    }
                    continue;
                }
            }
            out.push(next);
        }
        Ranges(out)
    }

    fn intersect(&self, other: &Ranges) -> Ranges {
        let mut out = Vec::new();
        for a in &self.0 {
            for b in &other.0 {
                let lo = if cmp_lo(&a.lo, &b.lo) == Ordering::Greater {
                    a.lo.clone()
                } else {
                    b.lo.clone()
                };
                let hi = if cmp_hi(&a.hi, &b.hi) == Ordering::Less {
                    a.hi.clone()
                } else {
                    b.hi.clone()
                };
                out.push(Interval { lo, hi });
            }
        }
        Ranges::normalized(out)
    }

    fn union(&self, other: &Ranges) -> Ranges {
        Ranges::normalized(self.0.iter().chain(&other.0).cloned().collect())
    }

    fn complement(&self) -> Ranges {
        let mut out = Vec::new();
        let mut lo: Option<(Version, bool)> = None;
        let mut open_start = true;
        for i in &self.0 {
            if let Some((v, inc)) = &i.lo {
                out.push(Interval {
                    lo: if open_start { None } else { lo.clone() },
                    hi: Some((v.clone(), !inc)),
                });
            }
            open_start = false;
            match &i.hi {
                Some((v, inc)) => lo = Some((v.clone(), !inc)),
                None => return Ranges::normalized(out),
            }
        }
        out.push(Interval {
            lo: if open_start { None } else { lo },
            hi: None,
        });
        Ranges::normalized(out)
    }

    /// The lower bound of a single interval that has one.
    fn single_min(&self) -> Option<&Version> {
        match self.0.as_slice() {
            [Interval {
                lo: Some((v, true)),
                ..
            }] => Some(v),
            _ => None,
        }
    }

    /// poetry-core `is_simple`: one bound, one version, or everything but one version.
    fn simple_atom(&self, full: bool) -> Option<Atom> {
        let atom = |op: &str, v: &Version| Atom::Python {
            full,
            op: op.into(),
            value: v.to_string(),
        };
        match self.0.as_slice() {
            [Interval {
                lo: Some((l, true)),
                hi: Some((h, true)),
            }] if l == h => Some(atom("==", l)),
            [Interval {
                lo: Some((v, inc)),
                hi: None,
            }] => Some(atom(if *inc { ">=" } else { ">" }, v)),
            [Interval {
                lo: None,
                hi: Some((v, inc)),
            }] => Some(atom(if *inc { "<=" } else { "<" }, v)),
            [Interval {
                lo: None,
                hi: Some((a, false)),
            }, Interval {
                lo: Some((b, false)),
                hi: None,
            }] if a == b => Some(atom("!=", a)),
            _ => None,
        }
    }

    /// A single bounded interval as its two `python_version` atoms.
    fn two_sided(&self) -> Option<(Atom, Atom)> {
        match self.0.as_slice() {
            [Interval {
                lo: Some((l, li)),
                hi: Some((h, hi)),
            }] => Some((
                Atom::Python {
                    full: false,
                    op: if *li { ">=" } else { ">" }.into(),
                    value: l.to_string(),
                },
                Atom::Python {
                    full: false,
                    op: if *hi { "<=" } else { "<" }.into(),
                    value: h.to_string(),
                },
            )),
            _ => None,
        }
    }
}

impl Merge {
    /// The other connective: `or` for `and`, `and` for `or`.
    fn dual(self) -> Merge {
        match self {
            Merge::And => Merge::Or,
            Merge::Or => Merge::And,
        }
    }

    /// The marker that leaves a combination unchanged (`Any` for `and`, `Empty` for `or`).
    fn identity(self) -> Marker {
        match self {
            Merge::And => Marker::Any,
            Merge::Or => Marker::Empty,
        }
    }

    /// The marker that decides a combination alone (`Empty` for `and`, `Any` for `or`).
    fn absorbing(self) -> Marker {
        self.dual().identity()
    }

    /// A combination of this connective, as written (poetry-core's constructors).
    fn composite(self, items: Vec<Marker>) -> Marker {
        match self {
            Merge::And => Marker::Multi(items),
            Merge::Or => Marker::Union(items),
        }
    }

    fn is_composite(self, marker: &Marker) -> bool {
        matches!(
            (self, marker),
            (Merge::And, Marker::Multi(_)) | (Merge::Or, Marker::Union(_))
        )
    }

    /// `a.intersect(b)` or `a.union(b)`.
    fn apply(self, a: &Marker, b: &Marker) -> Marker {
        match self {
            Merge::And => a.intersect(b),
            Merge::Or => a.union(b),
        }
    }
}

/// Flattens nested markers of the same connective, dropping repeats (poetry-core
/// `_flatten_markers`).
fn flatten(markers: &[Marker], how: Merge) -> Vec<Marker> {
    let mut out: Vec<Marker> = Vec::new();
    for m in markers {
        let items = match m {
            Marker::Multi(items) | Marker::Union(items) if how.is_composite(m) => {
                flatten(items, how)
            }
            _ => vec![m.clone()],
        };
        for x in items {
            if !out.contains(&x) {
                out.push(x);
            }
        }
    }
    out
}

/// `MultiMarker(*markers)` / `MarkerUnion(*markers)`: the constructors, which only flatten.
fn plain(how: Merge, markers: &[Marker]) -> Marker {
    how.composite(flatten(markers, how))
}

fn multi(markers: &[Marker]) -> Marker {
    plain(Merge::And, markers)
}

/// poetry-core `MultiMarker.of` (`and`) and `MarkerUnion.of` (`or`): combine, merging atoms
/// of one name and applying the easy simplifications, until nothing changes.
fn of(how: Merge, markers: Vec<Marker>) -> Marker {
    let (identity, absorbing) = (how.identity(), how.absorbing());
    let mut new = flatten(&markers, how);
    let mut old: Vec<Marker> = Vec::new();
    while old != new {
        old = std::mem::take(&mut new);
        for marker in &old {
            if new.contains(marker) || *marker == identity {
                continue;
            }
            let mut done = false;
            for slot in new.iter_mut() {
                let mark = &*slot;
                let dual = how.dual();
                let (is_dual, simplified) = if dual.is_composite(mark) {
                    (true, simplify(how, mark, marker))
                } else if dual.is_composite(marker) {
                    (true, simplify(how, marker, mark))
                } else {
                    (false, None)
                };
                if let Some(s) = simplified {
                    *slot = s;
                    done = true;
                    break;
                }
                if is_dual {
                    continue;
                }
                if let Marker::Single(a) = mark {
                    let merged = match marker {
                        Marker::Single(b) => merge(a, b, how)
                            .unwrap_or_else(|| how.composite(vec![mark.clone(), marker.clone()])),
                        _ => how.apply(marker, mark),
                    };
                    if merged == absorbing {
                        return absorbing;
                    }
                    // For `or`, a small conjunction also counts as progress: the union of
                    // `python_version == "3.8"` and `== "3.9"` is `>= "3.8" and < "3.10"`.
                    let small = how == Merge::Or
                        && matches!(merged, Marker::Multi(_))
                        && merged.complexity() <= (2, 2);
                    if matches!(merged, Marker::Single(_)) || small {
                        *slot = merged;
                        done = true;
                        break;
                    }
                }
            }
            if done {
                new = flatten(&new, how);
                continue;
            }
            new.push(marker.clone());
        }
    }
    if new.contains(&absorbing) {
        return absorbing;
    }
    match new.len() {
        0 => identity,
        1 => new.remove(0),
        _ => how.composite(new),
    }
}

fn python_range_of(marker: &Marker) -> Option<Ranges> {
    match marker {
        Marker::Single(atom @ Atom::Python { .. }) => atom.python_range(),
        _ => None,
    }
}

fn same_set(a: &[Marker], b: &[Marker]) -> bool {
    a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}

/// poetry-core `MarkerUnion.intersect_simplify` (`how` = and, `this` a union) and
/// `MultiMarker.union_simplify` (`how` = or, `this` a conjunction).
fn simplify(how: Merge, this: &Marker, other: &Marker) -> Option<Marker> {
    let ours = this.items()?;
    if ours.contains(other) {
        return Some(other.clone());
    }
    if let Some(theirs) = python_range_of(other) {
        for m in ours {
            if let Some(r) = python_range_of(m) {
                // and: `(py >= 3.6 or X) and py > 3.8` is `py > 3.8`;
                // or: `py >= 3.8 and X or py > 3.6` is `py > 3.6`.
                let wider = match how {
                    Merge::And => r.union(&theirs) == r,
                    Merge::Or => theirs.union(&r) == theirs,
                };
                if wider {
                    return Some(other.clone());
                }
            }
        }
    }
    let dual = how.dual();
    if !dual.is_composite(other) {
        return None;
    }
    let theirs = other.items()?;
    if ours.iter().all(|m| theirs.contains(m)) {
        return Some(this.clone());
    }
    if theirs.iter().all(|m| ours.contains(m)) {
        return Some(other.clone());
    }
    if !ours.iter().any(|m| theirs.contains(m)) {
        return None;
    }
    let unique: Vec<Marker> = ours
        .iter()
        .filter(|m| !theirs.contains(m))
        .cloned()
        .collect();
    let other_unique: Vec<Marker> = theirs
        .iter()
        .filter(|m| !ours.contains(m))
        .cloned()
        .collect();
    let combined = how.apply(&plain(dual, &unique), &plain(dual, &other_unique));
    let small = matches!(combined, Marker::Single(_))
        || combined == how.absorbing()
        || (dual.is_composite(&combined) && combined.complexity() <= (2, 2));
    if !small {
        return None;
    }
    let common: Vec<Marker> = ours
        .iter()
        .filter(|m| theirs.contains(m))
        .cloned()
        .collect();
    Some(dual.apply(&combined, &plain(dual, &common)))
}

/// `itertools.product` of the lists, skipping products that hold the same markers as an
/// earlier one (poetry-core `_unique_product`).
fn unique_product(lists: &[Vec<Marker>]) -> Vec<Vec<Marker>> {
    let mut products: Vec<Vec<Marker>> = vec![Vec::new()];
    for list in lists {
        let mut next = Vec::new();
        for p in &products {
            for m in list {
                let mut q = p.clone();
                q.push(m.clone());
                next.push(q);
            }
        }
        products = next;
    }
    let mut seen: Vec<Vec<Marker>> = Vec::new();
    let mut out = Vec::new();
    for p in products {
        let mut set: Vec<Marker> = Vec::new();
        for m in &p {
            if !set.contains(m) {
                set.push(m.clone());
            }
        }
        if !seen.iter().any(|s| same_set(s, &set)) {
            seen.push(set);
            out.push(p);
        }
    }
    out
}

/// The normal form whose outer connective is `outer`: poetry-core `dnf` (`or`) and `cnf`
/// (`and`).
fn normal_form(outer: Merge, marker: &Marker) -> Marker {
    let inner = outer.dual();
    match marker {
        Marker::Multi(items) | Marker::Union(items) if inner.is_composite(marker) => {
            let lists: Vec<Vec<Marker>> = items
                .iter()
                .map(|m| {
                    let nf = normal_form(outer, m);
                    match nf {
                        Marker::Multi(xs) | Marker::Union(xs) if outer.is_composite(&nf) => xs,
                        _ => vec![nf],
                    }
                })
                .collect();
            of(
                outer,
                unique_product(&lists)
                    .into_iter()
                    .map(|p| of(inner, p))
                    .collect(),
            )
        }
        Marker::Multi(items) | Marker::Union(items) => {
            of(outer, items.iter().map(|m| normal_form(outer, m)).collect())
        }
        _ => marker.clone(),
    }
}

fn unwrap_single(mut m: Marker) -> Marker {
    loop {
        match m {
            Marker::Multi(ref items) | Marker::Union(ref items) if items.len() == 1 => {
                m = items[0].clone();
            }
            _ => return m,
        }
    }
}

/// The least complex of the candidates; the first one on a tie (Python's `min`).
fn least_complex(candidates: Vec<Marker>) -> Marker {
    let mut best: Option<Marker> = None;
    for c in candidates {
        if best
            .as_ref()
            .is_none_or(|b| c.complexity() < b.complexity())
        {
            best = Some(c);
        }
    }
    best.unwrap_or(Marker::Any)
}

/// poetry-core `intersection` (`and`) and `union` (`or`): normalize both ways ("sometimes
/// normalization makes it more complicated instead of simple") and keep the least complex of
/// the two forms and the unnormalized one.
fn combine(how: Merge, markers: &[Marker]) -> Marker {
    let unnormalized = unwrap_single(plain(how, markers));
    let first = normal_form(how.dual(), &unnormalized);
    if !how.dual().is_composite(&first) {
        return first;
    }
    let second = normal_form(how, &first);
    if !how.is_composite(&second) {
        return second;
    }
    // poetry-core lists the disjunctive form first in both, which decides ties.
    match how {
        Merge::And => least_complex(vec![first, second, unnormalized]),
        Merge::Or => least_complex(vec![second, first, unnormalized]),
    }
}

/// poetry-core `intersection(*markers)`.
pub fn intersection(markers: &[Marker]) -> Marker {
    combine(Merge::And, markers)
}

/// poetry-core `union(*markers)`.
pub fn union(markers: &[Marker]) -> Marker {
    combine(Merge::Or, markers)
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    /// A marker variable name.
    Name(String),
    /// A quoted string.
    Str(String),
    Op(String),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            tokens.push(Token::Open);
            i += 1;
        } else if c == ')' {
            tokens.push(Token::Close);
            i += 1;
        } else if c == '"' || c == '\'' {
            let end = chars[i + 1..]
                .iter()
                .position(|&d| d == c)
                .ok_or("a string is not closed")?;
            tokens.push(Token::Str(chars[i + 1..i + 1 + end].iter().collect()));
            i += end + 2;
        } else if "<>=!~".contains(c) {
            let mut op = String::new();
            while i < chars.len() && "<>=!~".contains(chars[i]) {
                op.push(chars[i]);
                i += 1;
            }
            tokens.push(Token::Op(op));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut word = String::new();
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "_.".contains(chars[i])) {
                word.push(chars[i]);
                i += 1;
            }
            match word.as_str() {
                "and" => tokens.push(Token::And),
                "or" => tokens.push(Token::Or),
                "in" => tokens.push(Token::Op("in".into())),
                "not" => {
                    // `not in`
                    while i < chars.len() && chars[i].is_whitespace() {
                        i += 1;
                    }
                    if chars[i..].starts_with(&['i', 'n']) {
                        i += 2;
                        tokens.push(Token::Op("not in".into()));
                    } else {
                        return Err("`not` without `in`".into());
                    }
                }
                _ => tokens.push(Token::Name(word)),
            }
        } else {
            return Err(format!("unexpected `{c}`"));
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    /// A disjunction of conjunctions, each conjunction already a `MultiMarker` (unsimplified).
    fn groups(&mut self) -> Result<Vec<Marker>, String> {
        let mut groups: Vec<Vec<Marker>> = vec![Vec::new()];
        loop {
            let item = match self.tokens.get(self.at) {
                Some(Token::Open) => {
                    self.at += 1;
                    let inner = self.groups()?;
                    if self.tokens.get(self.at) != Some(&Token::Close) {
                        return Err("a `(` is not closed".into());
                    }
                    self.at += 1;
                    plain(Merge::Or, &inner)
                }
                _ => self.item()?,
            };
            if let Some(last) = groups.last_mut() {
                last.push(item);
            }
            match self.tokens.get(self.at) {
                Some(Token::And) => self.at += 1,
                Some(Token::Or) => {
                    self.at += 1;
                    groups.push(Vec::new());
                }
                _ => break,
            }
        }
        Ok(groups
            .into_iter()
            .map(|g| {
                if g.len() == 1 {
                    g[0].clone()
                } else {
                    multi(&g)
                }
            })
            .collect())
    }

    fn item(&mut self) -> Result<Marker, String> {
        let take = |p: &mut Parser| {
            let t = p.tokens.get(p.at).cloned();
            p.at += 1;
            t
        };
        let (left, op, right) = (take(self), take(self), take(self));
        let Some(Token::Op(op)) = op else {
            return Err("expected a comparison operator".into());
        };
        let op = if op == "===" {
            op
        } else {
            op.replace("===", "==")
        };
        let (name, value, swapped) = match (left, right) {
            (Some(Token::Name(n)), Some(Token::Str(v))) => (n, v, false),
            (Some(Token::Str(v)), Some(Token::Name(n))) => (n, v, true),
            _ => return Err("expected `name op \"value\"`".into()),
        };
        let name = match name.as_str() {
            "os.name" => "os_name".to_string(),
            "sys.platform" => "sys_platform".to_string(),
            "platform.version" => "platform_version".to_string(),
            "platform.machine" => "platform_machine".to_string(),
            "platform.python_implementation" | "python_implementation" => {
                "platform_python_implementation".to_string()
            }
            _ => name,
        };
        let python = matches!(name.as_str(), "python_version" | "python_full_version");
        let plain_op = matches!(op.as_str(), "==" | "!=" | "<" | "<=" | ">" | ">=");
        if python && !swapped && plain_op && value.parse::<Version>().is_ok() {
            let full = name == "python_full_version";
            // poetry-core pads python_full_version to three parts.
            let value = if full {
                let parts = value.split('.').count();
                format!("{value}{}", ".0".repeat(3usize.saturating_sub(parts)))
            } else {
                value
            };
            return Ok(Marker::Single(Atom::Python { full, op, value }));
        }
        Ok(Marker::Single(Atom::Text {
            name,
            op,
            value,
            swapped,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Marker {
        Marker::parse(text).unwrap()
    }

    #[test]
    fn python_ranges_collapse_to_one_minor() {
        let project = m(r#"python_version >= "3.9" and python_version < "4.0""#);
        assert_eq!(
            project
                .intersect(&m(r#"python_version < "3.10""#))
                .to_string(),
            r#"python_version == "3.9""#
        );
        assert_eq!(
            project
                .intersect(&m(r#"python_version >= "3.10""#))
                .to_string(),
            r#"python_version >= "3.10" and python_version < "4.0""#
        );
    }

    #[test]
    fn factors_a_common_python_range_out_of_a_union() {
        let project = m(r#"python_version >= "3.9" and python_version < "4.0""#);
        let lock = m(r#"python_version < "3.11" or sys_platform == "linux""#);
        assert_eq!(
            project.intersect(&lock).to_string(),
            r#"python_version >= "3.9" and python_version < "4.0" and (python_version < "3.11" or sys_platform == "linux")"#
        );
    }

    #[test]
    fn extras_apply_to_true_or_false() {
        let marker = m(r#"platform_python_implementation == "CPython" and extra == "compat""#);
        assert!(marker.apply_extras(&[]).is_empty());
        assert_eq!(
            marker.apply_extras(&["compat".to_string()]).to_string(),
            r#"platform_python_implementation == "CPython""#
        );
    }

    #[test]
    fn same_name_text_atoms_merge() {
        assert_eq!(
            m(r#"sys_platform != "win32" and sys_platform != "emscripten""#).to_string(),
            r#"sys_platform != "win32" and sys_platform != "emscripten""#
        );
        assert!(m(r#"sys_platform == "win32" and sys_platform == "linux""#).is_empty());
        assert!(m(r#"os_name == "nt" or os_name != "nt""#).is_any());
    }

    #[test]
    fn version_ranges() {
        let a = Ranges::from(Some(("3.9".parse().unwrap(), true)), None);
        assert_eq!(a.complement().complement(), a);
        assert!(a.union(&a.complement()).is_any());
        assert!(a.intersect(&a.complement()).is_empty());
    }

    #[test]
    fn bad_markers_are_errors() {
        assert!(Marker::parse(r#"python_version >= "3.9"#).is_err());
        assert!(Marker::parse(r#"(python_version >= "3.9""#).is_err());
    }
}
