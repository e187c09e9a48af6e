//! The commands, each a pipeline run start to finish. The only place that calls more than one
//! stage; it turns stage errors into user errors with context and hints.

mod download;
mod install;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::report::Printer;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let printer = Printer::new(cli.quiet, cli.verbose);
    let result = match cli.command {
        Command::Install(args) => install::install_command(&args, &printer),
        Command::Download(args) => download::download_command(&args, &printer),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            printer.error(&error);
            ExitCode::from(error.class as u8)
        }
    }
}
