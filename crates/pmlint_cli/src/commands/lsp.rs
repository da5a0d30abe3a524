//! `pmlint lsp`: hands over to the language server.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Accepted for editor clients that pass it; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_args: LspArgs) -> ExitCode {
    pmlint_server::run_stdio()
}
