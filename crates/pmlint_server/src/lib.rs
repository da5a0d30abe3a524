//! pmlint's language server: blameful-language diagnostics, quick fixes and rule documentation
//! for Markdown and plain-text postmortems, over LSP 3.17 on stdio.
//!
//! `pmlint lsp` calls [`run_stdio`]; tests and benchmarks drive [`serve`] over any pair of
//! async streams.
//!
//! What the server does:
//! - documents with language ids `markdown` and `plaintext` (setting `languageIds`), full and
//!   incremental sync; diagnostics on open, on change (debounced, `debounceMs`, default 150),
//!   on save, cleared on close; results for outdated versions are dropped;
//! - position encoding `utf-8` when the client offers it, else `utf-16`;
//! - quick fixes (safe ones preferred), "Disable RULE for this line", and "Allow this
//!   name/phrase" edits of `pmlint.toml`; hover shows the rule's documentation;
//! - `pmlint.toml` discovery like the CLI, client settings on top (`initializationOptions`,
//!   `workspace/didChangeConfiguration`), reload on file changes, last good configuration
//!   kept when a file breaks (with a diagnostic on the file and a message);
//! - large Markdown documents are re-linted section by section, with results identical to a
//!   whole-document lint (`segments`);
//! - malformed input is answered with JSON-RPC errors and never ends the session.

#![warn(clippy::print_stdout, clippy::print_stderr)]

mod actions;
mod backend;
mod framing;
mod lines;
mod resolve;
mod segments;
mod settings;
mod tomledit;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// Runs the language server on stdin/stdout until the client exits. Returns the process exit
/// code: 0 after `shutdown` + `exit`, 1 when the client exits (or closes stdin) without
/// `shutdown`, as the LSP specification asks.
pub fn run_stdio() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "pmlint lsp: cannot start the async runtime: {e}"
            );
            return ExitCode::from(2);
        }
    };
    let code = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // A blocking read of stdin may still be in flight; do not wait for it.
    runtime.shutdown_background();
    code
}

/// Serves one LSP session over `input`/`output` until `exit` or the end of `input`.
pub async fn serve<I, O>(input: I, output: O) -> ExitCode
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = shutdown.clone();
    let (service, socket) =
        LspService::build(move |client| backend::Backend::new(client, flag.clone()))
            .custom_method(framing::INVALID_MESSAGE, backend::Backend::invalid_message)
            .finish();
    Server::new(
        framing::Sanitizer::new(input),
        framing::OrderedOutput::new(Box::pin(output)),
        socket,
    )
    .serve(service)
    .await;
    if shutdown.load(Ordering::SeqCst) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
