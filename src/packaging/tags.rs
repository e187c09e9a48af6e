//! Compatibility tags (PEP 425, 600, 656) of an interpreter, in priority order.
//! OWNER: helper "target" fills this in.

/// One `python-abi-platform` triple.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    pub python: String,
    pub abi: String,
    pub platform: String,
}

/// The tags an interpreter supports, best first, as `packaging.tags.sys_tags()` orders them.
#[derive(Clone, Debug, Default)]
pub struct Tags {
    pub ordered: Vec<Tag>,
}
