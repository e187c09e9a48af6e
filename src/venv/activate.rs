//! Activation scripts (`activate` for bash/zsh, `activate.fish`, `activate.csh`), rendered from
//! CPython 3.11's own templates (`Lib/venv/scripts/`, copied verbatim into `templates/`; they are
//! under the PSF license like the rest of CPython's standard library) with the
//! venv path, bin directory name and prompt substituted the way `venv.EnvBuilder` does.
//!
//! Unlike CPython 3.11, which pastes the raw path between double quotes, each value is escaped
//! for the shell that reads it (CPython main does the same since gh-124651), so a venv path with
//! `$`, `"` or a backtick activates correctly instead of running code. csh cannot escape `$` or
//! `!` inside a quoted word at all, so for such a path `activate.csh` is not written.
//!
//! Not done here: PowerShell (`Activate.ps1`), nushell, xonsh: CPython 3.11 on POSIX ships
//! `Activate.ps1` too, but nobody runs PowerShell in a POSIX venv; verse leaves it out.

const BASH: &str = include_str!("templates/activate");
const FISH: &str = include_str!("templates/activate.fish");
const CSH: &str = include_str!("templates/activate.csh");

/// One rendered script: its file name in the venv's bin directory and its text.
pub(crate) struct Script {
    pub name: &'static str,
    pub text: String,
}

/// Renders the activation scripts for a venv at `venv_dir` (absolute) whose scripts live in
/// `<venv_dir>/<bin_name>`, with the prompt prefix `prompt` (CPython: `"(<dir name>) "`).
pub(crate) fn render(venv_dir: &str, bin_name: &str, prompt: &str) -> Vec<Script> {
    let mut scripts = vec![
        Script {
            name: "activate",
            text: substitute(BASH, venv_dir, bin_name, prompt, escape_double_quoted_sh),
        },
        Script {
            name: "activate.fish",
            text: substitute(FISH, venv_dir, bin_name, prompt, escape_double_quoted_fish),
        },
    ];
    if [venv_dir, bin_name, prompt].iter().all(|v| csh_safe(v)) {
        scripts.push(Script {
            name: "activate.csh",
            text: substitute(CSH, venv_dir, bin_name, prompt, |s| s.to_string()),
        });
    }
    scripts
}

fn substitute(
    template: &str,
    venv_dir: &str,
    bin_name: &str,
    prompt: &str,
    escape: impl Fn(&str) -> String,
) -> String {
    // Every placeholder in these templates sits inside a double-quoted word.
    template
        .replace("__VENV_DIR__", &escape(venv_dir))
        .replace("__VENV_BIN_NAME__", &escape(bin_name))
        .replace("__VENV_PROMPT__", &escape(prompt))
}

/// Escapes text for the inside of a POSIX-shell double-quoted word.
fn escape_double_quoted_sh(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes text for the inside of a fish double-quoted word (only `\`, `"` and `$` are special).
fn escape_double_quoted_fish(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn csh_safe(s: &str) -> bool {
    !s.chars()
        .any(|c| matches!(c, '"' | '$' | '!' | '`' | '\\') || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_every_placeholder() {
        for script in render("/srv/app/.venv", "bin", "(.venv) ") {
            assert!(!script.text.contains("__VENV_"), "{}", script.name);
            assert!(script.text.contains("/srv/app/.venv"), "{}", script.name);
        }
        let names: Vec<_> = render("/v", "bin", "(v) ").iter().map(|s| s.name).collect();
        assert_eq!(names, ["activate", "activate.fish", "activate.csh"]);
    }

    #[test]
    fn escapes_shell_metacharacters() {
        let scripts = render("/tmp/a $HOME \"q\" `x`", "bin", "(p) ");
        let bash = &scripts[0].text;
        assert!(bash.contains(r#"VIRTUAL_ENV="/tmp/a \$HOME \"q\" \`x\`""#));
        let fish = &scripts[1].text;
        assert!(fish.contains(r#"set -gx VIRTUAL_ENV "/tmp/a \$HOME \"q\" `x`""#));
        assert_eq!(
            scripts.len(),
            2,
            "no activate.csh for a path csh cannot quote"
        );
    }
}
