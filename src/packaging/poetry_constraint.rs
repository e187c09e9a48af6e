//! Poetry's version-constraint syntax (`^1.2`, `~1.2.3`, `>=1,<2 || >3`, `*`, bare `1.2.3`),
//! found in old locks and in `[tool.poetry.dependencies]`.
//! OWNER: helper "lock" fills this in.
