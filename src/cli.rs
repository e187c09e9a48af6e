//! The command line. Flags follow Poetry's spelling and meaning where Poetry has the flag;
//! every option can also be set by a `VERSE_<NAME>` environment variable (scripts and CI
//! depend on these names: they are a contract). This module knows no stage internals.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, Subcommand};

/// `verse -V`: the version with the commit it was built from (build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("VERSE_BUILD_COMMIT"),
    " ",
    env!("VERSE_BUILD_DATE"),
    ")"
);

/// `verse --version`: also the target and the build profile.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit: ",
    env!("VERSE_BUILD_COMMIT"),
    " (",
    env!("VERSE_BUILD_DATE"),
    ")\ntarget: ",
    env!("VERSE_BUILD_TARGET"),
    "\nprofile: ",
    env!("VERSE_BUILD_PROFILE")
);

#[derive(Debug, Parser)]
#[command(
    name = "verse",
    version = VERSION,
    long_version = LONG_VERSION,
    about = "Install a Poetry project's locked packages into a virtualenv, without Poetry",
    long_about = "Install a Poetry project's locked packages into a virtualenv, without Poetry.\n\n\
        verse reads poetry.lock and pyproject.toml, selects packages the way `poetry install` \
        does (groups, extras, markers for the target interpreter), downloads every locked file \
        with its sha256 verified, and installs the wheels the way pip lays them out.",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Print only errors.
    #[arg(
        short,
        long,
        global = true,
        env = "VERSE_QUIET",
        action = ArgAction::SetTrue,
        value_parser = BoolishValueParser::new(),
        conflicts_with = "verbose"
    )]
    pub quiet: bool,

    /// Print more: the target interpreter, each file and where it came from.
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    /// Color in messages: auto (when stderr is a terminal and NO_COLOR is unset or empty),
    /// always, or never.
    #[arg(
        long,
        global = true,
        value_name = "WHEN",
        env = "VERSE_COLOR",
        default_value = "auto",
        value_parser = clap::builder::PossibleValuesParser::new(["auto", "always", "never"])
    )]
    pub color: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Install the project's locked packages into a virtualenv (creating it if needed).
    Install(InstallArgs),
    /// Download, verified, every file the lock needs for one or more targets into a folder
    /// that then works as `--find-links DIR` or as a static index (`DIR/simple`).
    Download(DownloadArgs),
    /// Install, then remove every installed package the selection does not include (Poetry
    /// 2's `poetry sync`; the same as `verse install --sync`).
    Sync(InstallArgs),
    /// Verify an installed venv against the lock: missing, extra and wrong-version packages,
    /// and files changed since install (every RECORD hash). Exit 0 only when clean.
    Check(CheckArgs),
    /// Draw the dependency tree of what would be installed for the target interpreter: the
    /// project's requirements in the selected groups, and under each what it pulls in here.
    Tree(TreeArgs),
    /// Print a completion script for a shell: `verse completions bash > /etc/bash_completion.d/verse`,
    /// `verse completions zsh > "${fpath[1]}/_verse"`, `verse completions fish >
    /// ~/.config/fish/completions/verse.fish`.
    Completions(CompletionsArgs),
    /// Write the lock's selection as requirements.txt (the same text as poetry-plugin-export
    /// for the same flags) or pylock.toml (PEP 751). Only `main` unless groups are named.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(["bash", "zsh", "fish"]))]
    pub shell: String,
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    #[command(flatten)]
    pub input: ProjectArgs,

    /// The virtualenv whose interpreter is the target [default: $VIRTUAL_ENV if set, else
    /// <project>/.venv].
    #[arg(long, value_name = "DIR", env = "VERSE_VENV")]
    pub venv: Option<PathBuf>,

    /// The interpreter to draw the tree for: a path, a command name, or a version like 3.11
    /// [default: the venv's own interpreter if the venv exists, else python3 on PATH].
    #[arg(long, value_name = "PATH|X.Y", env = "VERSE_PYTHON")]
    pub python: Option<String>,

    #[command(flatten)]
    pub selection: SelectionArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub input: ProjectArgs,

    /// The format to write.
    #[arg(
        short = 'f',
        long,
        value_name = "FORMAT",
        env = "VERSE_EXPORT_FORMAT",
        default_value = "requirements.txt",
        value_parser = clap::builder::PossibleValuesParser::new(["requirements.txt", "pylock.toml"])
    )]
    pub format: String,

    /// Write to FILE instead of stdout (a pylock file must be named pylock.toml or
    /// pylock.NAME.toml).
    #[arg(short = 'o', long, value_name = "FILE", env = "VERSE_OUTPUT")]
    pub output: Option<PathBuf>,

    /// Export only these groups (comma-separated or repeated).
    #[arg(long, value_name = "GROUPS", value_delimiter = ',', env = "VERSE_ONLY")]
    pub only: Vec<String>,

    /// Also export these groups, optional or not (only `main` is exported by default, as with
    /// `poetry export`).
    #[arg(long, value_name = "GROUPS", value_delimiter = ',', env = "VERSE_WITH")]
    pub with: Vec<String>,

    /// Leave out these groups.
    #[arg(
        long,
        value_name = "GROUPS",
        value_delimiter = ',',
        env = "VERSE_WITHOUT"
    )]
    pub without: Vec<String>,

    /// Export every group, optional ones included.
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_ALL_GROUPS", conflicts_with_all = ["only", "with", "without"])]
    pub all_groups: bool,

    /// Export these extras of the project (comma-separated or repeated).
    #[arg(
        short = 'E',
        long,
        value_name = "EXTRAS",
        value_delimiter = ',',
        env = "VERSE_EXTRAS"
    )]
    pub extras: Vec<String>,

    /// Export every extra of the project.
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_ALL_EXTRAS", conflicts_with = "extras")]
    pub all_extras: bool,

    /// Leave out the `--hash` lines (requirements.txt).
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_WITHOUT_HASHES")]
    pub without_hashes: bool,

    /// Leave out the `--index-url`/`--extra-index-url` lines (requirements.txt).
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_WITHOUT_URLS")]
    pub without_urls: bool,

    /// Where the wheels' URLs are looked up for pylock.toml (the lock records only file
    /// names); requirements.txt needs no index.
    #[command(flatten)]
    pub sources: SourceArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: ProjectArgs,

    /// The virtualenv to check [default: $VIRTUAL_ENV if set, else <project>/.venv].
    #[arg(long, value_name = "DIR", env = "VERSE_VENV")]
    pub venv: Option<PathBuf>,

    #[command(flatten)]
    pub selection: SelectionArgs,

    /// Check against this pylock.toml (PEP 751) instead of poetry.lock [default: poetry.lock,
    /// else <project>/pylock.toml when the project has no poetry.lock].
    #[arg(long, value_name = "FILE", env = "VERSE_LOCK")]
    pub lock: Option<PathBuf>,

    /// Print the result as JSON on stdout (schema in README, "verse check").
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_JSON")]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    #[command(flatten)]
    pub input: ProjectArgs,

    /// The virtualenv to install into [default: $VIRTUAL_ENV if set, else <project>/.venv].
    #[arg(long, value_name = "DIR", env = "VERSE_VENV")]
    pub venv: Option<PathBuf>,

    /// The interpreter to install for: a path, a command name, or a version like 3.11
    /// [default: the venv's own interpreter if the venv exists, else python3 on PATH].
    #[arg(long, value_name = "PATH|X.Y", env = "VERSE_PYTHON")]
    pub python: Option<String>,

    #[command(flatten)]
    pub selection: SelectionArgs,

    /// Install from this pylock.toml (PEP 751) instead of poetry.lock [default: poetry.lock,
    /// else <project>/pylock.toml when the project has no poetry.lock].
    #[arg(long, value_name = "FILE", env = "VERSE_LOCK")]
    pub lock: Option<PathBuf>,

    /// Show what would be installed, from where, and why each other package is skipped;
    /// change nothing.
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_DRY_RUN")]
    pub dry_run: bool,

    /// Print what was done (or, with --dry-run, what would be done) as JSON on stdout (schema
    /// `verse.install/1` in README, "JSON output"); logs stay on stderr.
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_JSON")]
    pub json: bool,

    /// Also remove installed packages that the selection does not include (by their RECORD;
    /// the venv's own pip and the project itself are kept).
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_SYNC")]
    pub sync: bool,

    #[command(flatten)]
    pub sources: SourceArgs,

    /// How files reach the venv from the cache of unpacked wheels: clone (a reflink, where
    /// the filesystem has them), hardlink, or copy. Each falls back to the next (clone →
    /// hardlink → copy) when it cannot work, e.g. with the cache on another filesystem.
    #[arg(
        long,
        value_name = "MODE",
        env = "VERSE_LINK_MODE",
        default_value = "clone",
        value_parser = clap::builder::PossibleValuesParser::new(["clone", "hardlink", "copy"])
    )]
    pub link_mode: String,

    /// Byte-compile the installed packages' .py files, as pip does (the .pyc files are listed
    /// in RECORD); files that do not compile are skipped.
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_COMPILE")]
    pub compile: bool,

    /// Install packages whose lock entry has no usable hash (they cannot be verified).
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_ALLOW_UNHASHED")]
    pub allow_unhashed: bool,

    /// Build the project (and `develop = true` path and git dependencies) into regular
    /// wheels instead of installing them editable: for images that do not keep the source.
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_NO_EDITABLE")]
    pub no_editable: bool,

    #[command(flatten)]
    pub fetch: FetchArgs,
}

/// The project and how strictly its lock is read: every command that reads a project.
#[derive(Debug, Args, Clone)]
pub struct ProjectArgs {
    /// The Poetry project: the directory holding pyproject.toml and poetry.lock.
    #[arg(long, value_name = "DIR", env = "VERSE_PROJECT", default_value = ".")]
    pub project: PathBuf,

    /// Go on even if poetry.lock does not match pyproject.toml (its content-hash is stale).
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_ALLOW_STALE_LOCK")]
    pub allow_stale_lock: bool,
}

/// The download cache and how many files are fetched at once (install, sync, download).
#[derive(Debug, Args, Clone)]
pub struct FetchArgs {
    /// Where downloaded, verified wheels are kept [default: $XDG_CACHE_HOME/verse or
    /// ~/.cache/verse].
    #[arg(long, value_name = "DIR", env = "VERSE_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Use no cache: download into a temporary directory that is removed afterwards.
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_NO_CACHE")]
    pub no_cache: bool,

    /// How many files to download at once.
    #[arg(
        long,
        value_name = "N",
        env = "VERSE_CONCURRENT_DOWNLOADS",
        default_value_t = 16,
        value_parser = clap::value_parser!(u16).range(1..=256)
    )]
    pub concurrent_downloads: u16,
}

/// Where packages come from, beyond what pyproject.toml declares.
#[derive(Debug, Args, Clone, Default)]
pub struct SourceArgs {
    /// Use this simple index instead of PyPI: a mirror, a proxy, or a folder written by
    /// `verse download` (file:///.../DIR/simple). Sources named in pyproject.toml keep their
    /// own URLs (see --source-url).
    #[arg(long, value_name = "URL", env = "VERSE_INDEX_URL")]
    pub index_url: Option<String>,

    /// Also look on this index for packages that come from PyPI, after --index-url (repeatable;
    /// the variable takes URLs separated by spaces).
    #[arg(
        long = "extra-index-url",
        value_name = "URL",
        value_delimiter = ' ',
        env = "VERSE_EXTRA_INDEX_URL"
    )]
    pub extra_index_urls: Vec<String>,

    /// Read the pyproject.toml source called NAME from URL instead (repeatable; NAME `pypi`
    /// means --index-url; the variable takes NAME=URL pairs separated by spaces).
    #[arg(long = "source-url", value_name = "NAME=URL", value_delimiter = ' ', value_parser = parse_source_url, env = "VERSE_SOURCE_URL")]
    pub source_urls: Vec<(String, String)>,

    /// A folder of wheels (such as one written by `verse download`), searched by file name
    /// before any index (repeatable).
    #[arg(long = "find-links", value_name = "DIR", env = "VERSE_FIND_LINKS")]
    pub find_links: Vec<PathBuf>,

    /// Open no network connection: use only the cache, --find-links folders and file://
    /// indexes; report every missing file at once.
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_OFFLINE")]
    pub offline: bool,
}

fn parse_source_url(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, url)) if !name.trim().is_empty() && !url.trim().is_empty() => {
            Ok((name.trim().to_string(), url.trim().to_string()))
        }
        _ => Err(format!("`{text}` is not NAME=URL")),
    }
}

#[derive(Debug, Args)]
pub struct DownloadArgs {
    #[command(flatten)]
    pub input: ProjectArgs,

    /// The folder to fill (created if needed). Files already there and matching the lock are
    /// not fetched again.
    #[arg(long, value_name = "DIR", env = "VERSE_DEST")]
    pub dest: PathBuf,

    /// Also take what building the project itself needs (its build backend's requirements),
    /// for `verse install --no-editable` on the other side.
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_NO_EDITABLE")]
    pub no_editable: bool,

    #[command(flatten)]
    pub selection: SelectionArgs,

    /// Python version(s) of the target: 3.11, or 3.11.7 for markers on the micro version
    /// (repeatable; default: the version of python3 on PATH when no target flag is given).
    #[arg(
        long = "python-version",
        value_name = "X.Y[.Z]",
        value_delimiter = ',',
        env = "VERSE_PYTHON_VERSION"
    )]
    pub python_versions: Vec<String>,

    /// Platform tag(s) of the target, as in wheel names: manylinux_2_36_x86_64,
    /// musllinux_1_2_aarch64, macosx_14_0_arm64, win_amd64 (repeatable; each OS and
    /// architecture is one target; manylinux/musllinux/macOS tags include older ones).
    #[arg(
        long = "platform",
        value_name = "TAG",
        value_delimiter = ',',
        env = "VERSE_PLATFORM"
    )]
    pub platforms: Vec<String>,

    /// Python implementation: cp (CPython) or pp (PyPy).
    #[arg(
        long,
        value_name = "NAME",
        env = "VERSE_IMPLEMENTATION",
        default_value = "cp"
    )]
    pub implementation: String,

    /// ABI tag(s) [default: cpXY for CPython X.Y] (repeatable).
    #[arg(
        long = "abi",
        value_name = "TAG",
        value_delimiter = ',',
        env = "VERSE_ABI"
    )]
    pub abis: Vec<String>,

    /// Every wheel of every package in the lock, whatever the target (sdists are skipped:
    /// verse installs wheels only).
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_ALL_PLATFORMS", conflicts_with_all = ["python_versions", "platforms", "abis"])]
    pub all_platforms: bool,

    #[command(flatten)]
    pub sources: SourceArgs,

    /// Print the files as JSON on stdout (schema `verse.download/1` in README, "JSON
    /// output"); logs stay on stderr.
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_JSON")]
    pub json: bool,

    #[command(flatten)]
    pub fetch: FetchArgs,
}

/// Which groups and extras to install; Poetry's flags, Poetry's meaning.
#[derive(Debug, Args, Clone, Default)]
pub struct SelectionArgs {
    /// Install only these dependency groups (comma-separated or repeated).
    #[arg(long, value_name = "GROUPS", value_delimiter = ',', env = "VERSE_ONLY")]
    pub only: Vec<String>,

    /// Also install these optional groups.
    #[arg(long, value_name = "GROUPS", value_delimiter = ',', env = "VERSE_WITH")]
    pub with: Vec<String>,

    /// Leave out these groups.
    #[arg(
        long,
        value_name = "GROUPS",
        value_delimiter = ',',
        env = "VERSE_WITHOUT"
    )]
    pub without: Vec<String>,

    /// Poetry 1.x's spelling of `--only main` (deprecated there, accepted here for old scripts).
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_NO_DEV", conflicts_with_all = ["only", "all_groups"])]
    pub no_dev: bool,

    /// Install every group, optional ones included.
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_ALL_GROUPS", conflicts_with = "only")]
    pub all_groups: bool,

    /// Install these extras of the project (comma-separated or repeated).
    #[arg(
        short = 'E',
        long,
        value_name = "EXTRAS",
        value_delimiter = ',',
        env = "VERSE_EXTRAS"
    )]
    pub extras: Vec<String>,

    /// Install every extra of the project.
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_ALL_EXTRAS", conflicts_with = "extras")]
    pub all_extras: bool,

    /// Do not install the project itself, only its dependencies.
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_NO_ROOT")]
    pub no_root: bool,

    /// Install only the project itself, none of its dependencies (Poetry's `--only-root`:
    /// the second step of "dependencies first, then the project").
    #[arg(action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), long, env = "VERSE_ONLY_ROOT", conflicts_with = "no_root")]
    pub only_root: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_option_has_a_verse_variable() {
        // README: "every option can also be set by a VERSE_<NAME> variable". `-v` counts
        // repetitions, which a variable cannot express.
        let cli = Cli::command();
        let mut checked = 0;
        for command in std::iter::once(&cli).chain(cli.get_subcommands()) {
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.is_positional() || matches!(id, "help" | "version" | "verbose") {
                    continue;
                }
                let env = arg.get_env().map(|e| e.to_string_lossy().to_string());
                assert!(
                    env.as_deref().is_some_and(|e| e.starts_with("VERSE_")),
                    "verse {} --{id} has no VERSE_ variable",
                    command.get_name()
                );
                checked += 1;
            }
        }
        assert!(checked > 60, "{checked} options checked");
    }

    #[test]
    fn boolean_variables_accept_the_usual_spellings() {
        // Each case sets the variable only for this parse; clap reads the process environment,
        // so use names no other test sets.
        for (value, expected) in [
            ("1", true),
            ("yes", true),
            ("on", true),
            ("0", false),
            ("no", false),
        ] {
            std::env::set_var("VERSE_ALLOW_UNHASHED", value);
            let cli = Cli::try_parse_from(["verse", "install"]).unwrap();
            std::env::remove_var("VERSE_ALLOW_UNHASHED");
            let Command::Install(args) = cli.command else {
                panic!("install")
            };
            assert_eq!(
                args.allow_unhashed, expected,
                "VERSE_ALLOW_UNHASHED={value}"
            );
        }
    }

    #[test]
    fn groups_split_on_commas_and_repeat() {
        let cli = Cli::try_parse_from([
            "verse",
            "install",
            "--with",
            "docs,test",
            "--with",
            "lint",
            "-E",
            "pg",
        ])
        .unwrap();
        let Command::Install(args) = cli.command else {
            panic!("not install")
        };
        assert_eq!(args.selection.with, ["docs", "test", "lint"]);
        assert_eq!(args.selection.extras, ["pg"]);
    }

    #[test]
    fn source_flags_repeat_and_parse() {
        let cli = Cli::try_parse_from([
            "verse",
            "install",
            "--offline",
            "--find-links",
            "a",
            "--find-links",
            "b c",
            "--source-url",
            "private=https://m.example/simple",
            "--extra-index-url",
            "file:///x/simple",
        ])
        .unwrap();
        let Command::Install(args) = cli.command else {
            panic!("not install")
        };
        assert!(args.sources.offline);
        assert_eq!(
            args.sources.find_links,
            [PathBuf::from("a"), PathBuf::from("b c")]
        );
        assert_eq!(
            args.sources.source_urls,
            [(
                "private".to_string(),
                "https://m.example/simple".to_string()
            )]
        );
        assert!(Cli::try_parse_from(["verse", "install", "--source-url", "nourl"]).is_err());
    }

    #[test]
    fn download_flags() {
        let cli = Cli::try_parse_from([
            "verse",
            "download",
            "--dest",
            "w",
            "--only",
            "main",
            "--python-version",
            "3.11",
            "--platform",
            "manylinux_2_36_x86_64",
            "--platform",
            "macosx_14_0_arm64",
            "--implementation",
            "cp",
            "--abi",
            "cp311",
        ])
        .unwrap();
        let Command::Download(args) = cli.command else {
            panic!("not download")
        };
        assert_eq!(args.platforms.len(), 2);
        assert_eq!(args.python_versions, ["3.11"]);
        assert!(Cli::try_parse_from([
            "verse",
            "download",
            "--dest",
            "w",
            "--all-platforms",
            "--platform",
            "x"
        ])
        .is_err());
    }
}
