//! The clap definition shared by the binary, `pmlint completions` and `pmlint man`.

use crate::commands;
use clap::{Parser, Subcommand};

/// Finds blameful language in incident postmortems and suggests blameless rewrites.
#[derive(Debug, Parser)]
#[command(name = "pmlint", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and directories (Markdown and plain text).
    Check(commands::check::CheckArgs),
    /// List the rules with their family, default severity and fix availability.
    Rules(commands::rules::RulesArgs),
    /// Print a rule's documentation (why it matters, what to write instead, examples).
    Explain(commands::explain::ExplainArgs),
    /// Print a shell completion script.
    Completions(commands::completions::CompletionsArgs),
    /// Print the manual page (roff).
    Man(commands::man::ManArgs),
    /// Run the language server on stdin/stdout.
    Lsp(commands::lsp::LspArgs),
}

pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        super::command().debug_assert();
    }
}
