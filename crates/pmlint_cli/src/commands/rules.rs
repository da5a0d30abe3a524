//! `pmlint rules`: the rules in use (embedded plus user rule files from the configuration).

use crate::files::Problem;
use pmlint_core::{rule_fix_applicability, RuleSet};
use pmlint_workspace::LinterFactory;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// Which configuration to read user rule files from.
#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    /// Read this configuration instead of discovering one from the current directory.
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Use only the embedded rules.
    #[arg(long)]
    pub no_config: bool,
}

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Only list these rules or families (default: all).
    #[arg(value_name = "RULE")]
    pub rules: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// The rule set the configuration of the current directory uses, plus problems loading it (the
/// embedded rules are used when the configuration is broken).
pub fn load_rules(args: &ConfigArgs) -> (Arc<RuleSet>, Vec<Problem>) {
    let mut factory = LinterFactory::new(|_| {});
    if args.no_config {
        factory = factory.with_fixed_config(None);
    } else if let Some(p) = &args.config {
        factory = factory.with_fixed_config(Some(p.clone()));
    }
    match factory.for_dir(std::path::Path::new(".")) {
        Ok(r) => (
            r.linter.rule_set().clone(),
            crate::files::sorted(r.rule_errors.iter().map(Problem::from_workspace)),
        ),
        Err(e) => (
            crate::selection::embedded(),
            vec![Problem::from_workspace(&e)],
        ),
    }
}

pub fn run(args: RulesArgs) -> ExitCode {
    let (rules, problems) = load_rules(&args.config);
    for p in &problems {
        crate::util::error(&p.to_string());
    }
    let mut list: Vec<_> = rules
        .rules()
        .iter()
        .filter(|r| {
            args.rules.is_empty() || args.rules.iter().any(|k| *k == r.id || *k == r.family)
        })
        .collect();
    list.sort_by(|a, b| a.id.cmp(&b.id));
    let names = crate::selection::names(&rules);
    let mut problems = problems;
    for k in args.rules.iter().filter(|k| !names.contains(*k)) {
        let hint = crate::util::did_you_mean(k, names.iter().map(String::as_str));
        problems.push(Problem::usage(format!(
            "unknown rule or family `{k}`{hint}"
        )));
        crate::util::error(&problems.last().expect("just pushed").to_string());
    }
    let fix = |r: &pmlint_core::Rule| {
        rule_fix_applicability(r).map(crate::output::json::applicability_str)
    };
    let out = match args.format {
        ListFormat::Json => {
            let v: Vec<serde_json::Value> = list
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "family": r.family,
                        "severity": r.default_severity.as_str(),
                        "enabled": r.enabled_by_default,
                        "fix": fix(r),
                        "message": r.message,
                        "origin": r.origin,
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&v).expect("serializable")
            )
        }
        ListFormat::Text => {
            let w_id = list.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
            let w_fam = list
                .iter()
                .map(|r| r.family.len())
                .max()
                .unwrap_or(6)
                .max(6);
            let mut s = format!(
                "{:<w_id$}  {:<w_fam$}  {:<8}  {:<6}  MESSAGE\n",
                "RULE", "FAMILY", "SEVERITY", "FIX"
            );
            for r in &list {
                let sev = if r.enabled_by_default {
                    r.default_severity.as_str().to_owned()
                } else {
                    "off".to_owned()
                };
                s.push_str(&format!(
                    "{:<w_id$}  {:<w_fam$}  {:<8}  {:<6}  {}\n",
                    r.id,
                    r.family,
                    sev,
                    fix(r).unwrap_or("-"),
                    r.message.trim()
                ));
            }
            s
        }
    };
    let code = crate::util::write_stdout(out.as_bytes());
    if problems.is_empty() {
        code
    } else {
        ExitCode::from(2)
    }
}
