//! Poetry's version-constraint syntax (`^1.2`, `~1.2.3`, `>=1,<2 || >3`, `*`, bare `1.2.3`),
//! found in old locks and in `[tool.poetry.dependencies]`.
//! OWNER: helper "lock" fills this in.

use pep440_rs::Version;

/// Provisional until the "lock" branch lands; the signatures are the contract.
#[derive(Clone, Debug)]
pub struct PoetryConstraint {
    alternatives: Vec<pep440_rs::VersionSpecifiers>,
}

#[derive(Debug, thiserror::Error)]
#[error("`{constraint}` is not a valid version constraint: {message}")]
pub struct ConstraintError {
    pub constraint: String,
    pub message: String,
}

impl PoetryConstraint {
    pub fn parse(constraint: &str) -> Result<Self, ConstraintError> {
        let mut alternatives = Vec::new();
        for part in constraint.split("||") {
            let part = part.trim();
            let part = if part == "*" || part.is_empty() {
                ""
            } else {
                part
            };
            let specifiers =
                part.parse()
                    .map_err(
                        |e: pep440_rs::VersionSpecifiersParseError| ConstraintError {
                            constraint: constraint.to_string(),
                            message: e.to_string(),
                        },
                    )?;
            alternatives.push(specifiers);
        }
        Ok(PoetryConstraint { alternatives })
    }

    pub fn contains(&self, version: &Version) -> bool {
        self.alternatives.iter().any(|s| s.contains(version))
    }
}
