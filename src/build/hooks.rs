//! Calls a PEP 517 backend's hooks, one subprocess per hook, in a build environment's
//! interpreter; captures the backend's output so a failure can show it, with the package
//! named.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::BuildSystem;

const RUNNER: &str = include_str!("hook_runner.py");

/// What to build from a source tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildKind {
    /// A regular wheel (`build_wheel`).
    Wheel,
    /// A PEP 660 editable wheel (`build_editable`).
    Editable,
}

impl BuildKind {
    fn requires_hook(self) -> &'static str {
        match self {
            BuildKind::Wheel => "get_requires_for_build_wheel",
            BuildKind::Editable => "get_requires_for_build_editable",
        }
    }
    fn build_hook(self) -> &'static str {
        match self {
            BuildKind::Wheel => "build_wheel",
            BuildKind::Editable => "build_editable",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error("cannot run {python}")]
    Spawn {
        python: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the frontend helper in {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the build backend `{backend}` cannot be imported (is it in build-system.requires?)")]
    BackendUnavailable { backend: String, output: String },
    #[error("the build backend `{backend}` has no `{hook}` hook")]
    HookMissing {
        backend: String,
        hook: String,
        output: String,
    },
    #[error("the build backend's `{hook}` failed")]
    Failed { hook: String, output: String },
    #[error("the build backend's `{hook}` returned something unexpected: {message}")]
    BadResult {
        hook: String,
        message: String,
        output: String,
    },
}

impl HookError {
    /// What the backend printed, for the user to read (empty if it never ran).
    pub fn output(&self) -> &str {
        match self {
            HookError::BackendUnavailable { output, .. }
            | HookError::HookMissing { output, .. }
            | HookError::Failed { output, .. }
            | HookError::BadResult { output, .. } => output,
            HookError::Spawn { .. } | HookError::Io { .. } => "",
        }
    }
}

/// One backend in one build environment, on one source tree.
pub struct Backend<'a> {
    /// The build environment's interpreter.
    pub python: &'a Path,
    pub source: &'a Path,
    pub system: &'a BuildSystem,
    /// A scratch directory for the helper and result files.
    pub scratch: &'a Path,
    /// Called with each hook's captured output, for `-v`.
    pub on_output: &'a dyn Fn(&str),
}

impl Backend<'_> {
    /// The extra build requirements the backend asks for (`get_requires_for_build_*`).
    pub fn requires(&self, kind: BuildKind) -> Result<Vec<String>, HookError> {
        let hook = kind.requires_hook();
        let (value, output) = self.call(hook, serde_json::json!({ "config_settings": null }))?;
        serde_json::from_value::<Vec<String>>(value).map_err(|e| HookError::BadResult {
            hook: hook.to_string(),
            message: e.to_string(),
            output,
        })
    }

    /// Builds into `out_dir`; returns the wheel's path.
    pub fn build(&self, kind: BuildKind, out_dir: &Path) -> Result<PathBuf, HookError> {
        let hook = kind.build_hook();
        let (value, output) = self.call(
            hook,
            serde_json::json!({
                "wheel_directory": out_dir,
                "config_settings": null,
            }),
        )?;
        let bad = |message: String| HookError::BadResult {
            hook: hook.to_string(),
            message,
            output: output.clone(),
        };
        let name = value
            .as_str()
            .ok_or_else(|| bad(format!("{value} is not a file name")))?;
        // The hook returns a basename; anything else would point outside `out_dir`.
        if name.contains(['/', '\\']) || !name.ends_with(".whl") {
            return Err(bad(format!("`{name}` is not a wheel file name")));
        }
        let wheel = out_dir.join(name);
        if !wheel.is_file() {
            return Err(bad(format!("it named `{name}`, which it did not write")));
        }
        Ok(wheel)
    }

    fn call(
        &self,
        hook: &str,
        kwargs: serde_json::Value,
    ) -> Result<(serde_json::Value, String), HookError> {
        let runner = self.scratch.join("verse_hook_runner.py");
        if !runner.is_file() {
            fs_err::write(&runner, RUNNER).map_err(|source| HookError::Io {
                path: self.scratch.to_path_buf(),
                source,
            })?;
        }
        let result_file = self.scratch.join(format!("{hook}.json"));
        let _ = std::fs::remove_file(&result_file);
        let output = Command::new(self.python)
            .arg(&runner)
            .arg(hook)
            .arg(&result_file)
            .arg(&self.system.backend)
            .arg(serde_json::to_string(&self.system.backend_path).unwrap_or_default())
            .arg(kwargs.to_string())
            .current_dir(self.source)
            // The build sees its own environment only: no user site, no inherited paths.
            .env_remove("PYTHONPATH")
            .env_remove("PYTHONHOME")
            .env_remove("PYTHONSTARTUP")
            .env("PYTHONNOUSERSITE", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PIP_NO_INPUT", "1")
            .stdin(Stdio::null())
            .output()
            .map_err(|source| HookError::Spawn {
                python: self.python.to_path_buf(),
                source,
            })?;
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        (self.on_output)(&text);
        let result = std::fs::read_to_string(&result_file).ok();
        let Some(result) = result.filter(|_| output.status.success()) else {
            return Err(HookError::Failed {
                hook: hook.to_string(),
                output: text,
            });
        };
        let result: serde_json::Value =
            serde_json::from_str(&result).map_err(|e| HookError::BadResult {
                hook: hook.to_string(),
                message: e.to_string(),
                output: text.clone(),
            })?;
        if let Some(kind) = result.get("error").and_then(|k| k.as_str()) {
            let message = result
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or_default();
            let output = format!("{text}{message}");
            return Err(match kind {
                "backend-unavailable" => HookError::BackendUnavailable {
                    backend: self.system.backend.clone(),
                    output,
                },
                "hook-missing" => HookError::HookMissing {
                    backend: self.system.backend.clone(),
                    hook: hook.to_string(),
                    output,
                },
                _ => HookError::Failed {
                    hook: hook.to_string(),
                    output,
                },
            });
        }
        let value = result.get("return").cloned().unwrap_or_default();
        Ok((value, text))
    }
}
