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

// Provisional until the "target" branch lands; the signatures are the contract.
impl Tags {
    /// The priority of a wheel for this interpreter (lower is better), or `None` if none of
    /// its tags is supported.
    pub fn priority(&self, wheel: &super::WheelFilename) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (index, tag) in self.ordered.iter().enumerate() {
            if wheel.python_tags.contains(&tag.python)
                && wheel.abi_tags.contains(&tag.abi)
                && wheel.platform_tags.contains(&tag.platform)
            {
                best = Some(best.map_or(index, |b: usize| b.min(index)));
            }
        }
        best
    }

    /// Why a wheel does not fit, in words.
    pub fn incompatibility(&self, wheel: &super::WheelFilename) -> String {
        format!(
            "its tags {}-{}-{} are not supported by this interpreter",
            wheel.python_tags.join("."),
            wheel.abi_tags.join("."),
            wheel.platform_tags.join(".")
        )
    }
}
