//! The commands, each a pipeline run start to finish. The only place that calls more than one
//! stage; it turns stage errors into user errors with context and hints.

mod build;
mod check;
mod download;
mod export;
mod input;
mod install;
mod json;
mod tree;
mod venv_lock;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::report::Printer;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return command_line_error(&error),
    };
    let printer = Printer::new(cli.quiet, cli.verbose).with_color(&cli.color);
    let result = match cli.command {
        Command::Install(args) => {
            install::install_command(&args, &printer).map(|()| ExitCode::SUCCESS)
        }
        Command::Sync(mut args) => {
            args.sync = true;
            install::install_command(&args, &printer).map(|()| ExitCode::SUCCESS)
        }
        Command::Check(args) => check::check_command(&args, &printer),
        Command::Completions(args) => {
            completions(&args.shell, &printer);
            Ok(ExitCode::SUCCESS)
        }
        Command::Tree(args) => tree::tree_command(&args, &printer).map(|()| ExitCode::SUCCESS),
        Command::Export(args) => {
            export::export_command(&args, &printer).map(|()| ExitCode::SUCCESS)
        }
        Command::Download(args) => {
            download::download_command(&args, &printer).map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            printer.error(&error);
            ExitCode::from(error.class as u8)
        }
    }
}

/// Writes the completion script for `shell` (bash, zsh or fish; clap checked the name).
fn completions(shell: &str, printer: &Printer) {
    use clap::CommandFactory;
    use clap_complete::Shell;
    let shell = match shell {
        "zsh" => Shell::Zsh,
        "fish" => Shell::Fish,
        _ => Shell::Bash,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "verse", &mut script);
    printer.result(&String::from_utf8_lossy(&script));
}

/// Prints clap's message (help and version included) and picks the exit code: a mistake on
/// the command line or in a `VERSE_*` variable is a wrong request, exit code 1 (README "Exit
/// codes"), where clap would use 2, the code for work that failed.
fn command_line_error(error: &clap::Error) -> ExitCode {
    // Printing to a closed stdout/stderr has nowhere left to report to.
    let _ = error.print();
    if error.use_stderr() {
        ExitCode::from(crate::error::ExitClass::Input as u8)
    } else {
        ExitCode::SUCCESS
    }
}
