//! The error a command ends with: what went wrong, the chain of causes, a hint the user can
//! act on, and which exit code it maps to. Stage errors stay typed inside their stage (callers
//! decide on them); `run` wraps them here with context for the user.

use std::fmt;

/// Exit codes are a contract (README "Exit codes").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitClass {
    /// The inputs or the request are wrong: fix the project, the lock or the command line.
    Input = 1,
    /// The work failed: network, download, verification, disk, a broken wheel.
    Failure = 2,
}

/// A failure ready to be shown to the user.
#[derive(Debug)]
pub struct Error {
    pub class: ExitClass,
    pub message: String,
    pub source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    pub hint: Option<String>,
}

impl Error {
    pub fn input(message: impl Into<String>) -> Self {
        Error {
            class: ExitClass::Input,
            message: message.into(),
            source: None,
            hint: None,
        }
    }

    pub fn failure(message: impl Into<String>) -> Self {
        Error {
            class: ExitClass::Failure,
            message: message.into(),
            source: None,
            hint: None,
        }
    }

    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The hint a stage error may offer (`PlanError::hint`, `LocateError::hint`, ...).
    pub fn with_optional_hint(mut self, hint: Option<impl Into<String>>) -> Self {
        if let Some(hint) = hint {
            self.hint = Some(hint.into());
        }
        self
    }

    /// The messages of the cause chain, outermost first, without repeats (some errors repeat
    /// their source's text in their own).
    pub fn causes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut next: Option<&(dyn std::error::Error + 'static)> = match &self.source {
            Some(source) => Some(source.as_ref()),
            None => None,
        };
        while let Some(error) = next {
            let text = error.to_string();
            if !text.is_empty() && out.last() != Some(&text) && text != self.message {
                out.push(text);
            }
            next = error.source();
        }
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_skip_repeats() {
        let io = std::io::Error::other("disk full");
        let error = Error::failure("cannot write x").with_source(io);
        assert_eq!(error.causes(), ["disk full"]);
        assert_eq!(error.class, ExitClass::Failure);
    }
}
