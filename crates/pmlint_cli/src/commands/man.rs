//! `pmlint man [SUBCOMMAND]`: manual pages (roff) generated from the clap definition.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Print the page of one subcommand (`pmlint-check(1)`) instead of the main page.
    pub subcommand: Option<String>,
}

pub fn run(args: ManArgs) -> ExitCode {
    let cmd = crate::cli::command();
    let page = match &args.subcommand {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => {
                let full = format!("pmlint-{}", sub.get_name());
                sub.clone()
                    .name(full)
                    .version(cmd.get_version().unwrap_or_default().to_owned())
            }
            None => {
                let names: Vec<String> = cmd
                    .get_subcommands()
                    .map(|s| s.get_name().to_owned())
                    .collect();
                crate::util::error(&format!(
                    "unknown subcommand `{name}`{}",
                    crate::util::did_you_mean(name, names.iter().map(String::as_str))
                ));
                return ExitCode::from(2);
            }
        },
    };
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(page).render(&mut out) {
        crate::util::error(&format!("could not render the manual page: {e}"));
        return ExitCode::from(2);
    }
    crate::util::write_stdout(&out)
}
