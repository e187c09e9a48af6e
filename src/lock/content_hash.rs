//! Poetry's `content-hash`: sha256 of selected pyproject sections serialized exactly as
//! Python's `json.dumps(..., sort_keys=True)`. OWNER: helper "lock".
