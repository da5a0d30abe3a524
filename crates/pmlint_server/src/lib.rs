//! pmlint's language server. Placeholder until the server lands; `pmlint lsp` calls [`run_stdio`].

/// Runs the language server on stdin/stdout until the client exits. Returns the process exit code.
pub fn run_stdio() -> std::process::ExitCode {
    std::process::ExitCode::from(2)
}
