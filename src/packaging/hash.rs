//! File hashes as Poetry writes them in a lock: `<algorithm>:<hex digest>`.

use std::fmt;
use std::str::FromStr;

use sha2::Digest;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    Sha256,
    Sha384,
    Sha512,
    /// Old locks made against Nexus hold md5 hashes (poetry#4523). verse reads them so the
    /// lock parses, but md5 proves nothing: such a file counts as unverified.
    Md5,
}

impl HashAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
            HashAlgorithm::Md5 => "md5",
        }
    }

    /// Whether verse can check this algorithm and trusts the result.
    pub fn is_verifiable(self) -> bool {
        !matches!(self, HashAlgorithm::Md5)
    }

    fn digest_hex_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 64,
            HashAlgorithm::Sha384 => 96,
            HashAlgorithm::Sha512 => 128,
            HashAlgorithm::Md5 => 32,
        }
    }
}

/// One locked digest of a file. The hex digest is kept lowercase.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileHash {
    pub algorithm: HashAlgorithm,
    pub hex: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HashParseError {
    #[error("`{0}` is not a hash of the form `sha256:<hex digest>`")]
    Malformed(String),
    #[error("hash algorithm `{0}` is not supported (sha256, sha384, sha512 are)")]
    UnknownAlgorithm(String),
}

impl FromStr for FileHash {
    type Err = HashParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (algorithm, hex) = s
            .split_once(':')
            .or_else(|| s.split_once('='))
            .ok_or_else(|| HashParseError::Malformed(s.to_string()))?;
        let algorithm = match algorithm.trim().to_ascii_lowercase().as_str() {
            "sha256" => HashAlgorithm::Sha256,
            "sha384" => HashAlgorithm::Sha384,
            "sha512" => HashAlgorithm::Sha512,
            "md5" => HashAlgorithm::Md5,
            other => return Err(HashParseError::UnknownAlgorithm(other.to_string())),
        };
        let hex = hex.trim().to_ascii_lowercase();
        if hex.len() != algorithm.digest_hex_len() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(HashParseError::Malformed(s.to_string()));
        }
        Ok(FileHash { algorithm, hex })
    }
}

impl fmt::Display for FileHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.as_str(), self.hex)
    }
}

/// Streams bytes through the digest of one algorithm.
pub enum Hasher {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    /// `None` for algorithms verse does not verify (md5).
    pub fn new(algorithm: HashAlgorithm) -> Option<Self> {
        match algorithm {
            HashAlgorithm::Sha256 => Some(Hasher::Sha256(sha2::Sha256::new())),
            HashAlgorithm::Sha384 => Some(Hasher::Sha384(sha2::Sha384::new())),
            HashAlgorithm::Sha512 => Some(Hasher::Sha512(sha2::Sha512::new())),
            HashAlgorithm::Md5 => None,
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha384(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    pub fn finish(self) -> FileHash {
        let (algorithm, digest) = match self {
            Hasher::Sha256(h) => (HashAlgorithm::Sha256, h.finalize().to_vec()),
            Hasher::Sha384(h) => (HashAlgorithm::Sha384, h.finalize().to_vec()),
            Hasher::Sha512(h) => (HashAlgorithm::Sha512, h.finalize().to_vec()),
        };
        FileHash {
            algorithm,
            hex: to_hex(&digest),
        }
    }
}

pub fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        let h: FileHash = "SHA256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
            .parse()
            .unwrap();
        assert_eq!(h.algorithm, HashAlgorithm::Sha256);
        assert_eq!(
            h.to_string(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!("sha256:abc".parse::<FileHash>().is_err());
        assert!(matches!(
            "crc32:00000000".parse::<FileHash>(),
            Err(HashParseError::UnknownAlgorithm(_))
        ));
    }

    #[test]
    fn hasher_matches_known_digest() {
        let mut h = Hasher::new(HashAlgorithm::Sha256).unwrap();
        h.update(b"");
        assert_eq!(
            h.finish().hex,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
