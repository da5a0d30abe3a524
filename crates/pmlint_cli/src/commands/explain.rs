//! `pmlint explain RULE`: the rule's documentation, from the same rule file the engine uses.

use super::rules::{load_rules, ConfigArgs};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A rule id (see `pmlint rules`), or a family to explain all its rules.
    #[arg(value_name = "RULE")]
    pub rule: String,
    #[command(flatten)]
    pub config: ConfigArgs,
}

pub fn run(args: ExplainArgs) -> ExitCode {
    let (rules, problems) = load_rules(&args.config);
    for p in &problems {
        crate::util::error(&p.to_string());
    }
    let wanted = args.rule.trim();
    let docs: Vec<String> = match rules.get(wanted) {
        Some(r) => vec![r.documentation()],
        None => {
            let mut family: Vec<_> = rules
                .rules()
                .iter()
                .filter(|r| r.family == wanted)
                .collect();
            family.sort_by(|a, b| a.id.cmp(&b.id));
            family.into_iter().map(|r| r.documentation()).collect()
        }
    };
    if docs.is_empty() {
        let names = crate::selection::names(&rules);
        crate::util::error(&format!(
            "unknown rule `{wanted}`{}; `pmlint rules` lists them",
            crate::util::did_you_mean(wanted, names.iter().map(String::as_str))
        ));
        return ExitCode::from(2);
    }
    let code = crate::util::write_stdout(docs.join("\n").as_bytes());
    if problems.is_empty() {
        code
    } else {
        ExitCode::from(2)
    }
}
