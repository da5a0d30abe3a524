//! `pmlint`: the command-line front end. A thin layer over `pmlint_core` (linting) and
//! `pmlint_workspace` (configuration discovery, safe reads, atomic writes).

mod cli;
mod commands;
mod files;
mod fixing;
mod output;
mod selection;
mod util;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Check(args) => commands::check::run(args),
        cli::Command::Rules(args) => commands::rules::run(args),
        cli::Command::Explain(args) => commands::explain::run(args),
        cli::Command::Completions(args) => commands::completions::run(args),
        cli::Command::Man(args) => commands::man::run(args),
        cli::Command::Lsp(args) => commands::lsp::run(args),
    }
}
