//! `pmlint check`: lint files, directories and stdin; report in one of five formats; fix.

use crate::files::{Collector, Input, Problem, ProblemKind, Source, WalkOptions};
use crate::output::{self, FileReport, Finding, Format, Report};
use crate::selection::{self, Selection};
use pmlint_core::{Applicability, Diagnostic, Severity};
use pmlint_workspace::{LinterFactory, SourceFile};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SeverityArg {
    Info,
    Warning,
    Error,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Self {
        match s {
            SeverityArg::Info => Severity::Info,
            SeverityArg::Warning => Severity::Warning,
            SeverityArg::Error => Severity::Error,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorArg {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Exit status: 0 when no finding is at or above --fail-on; 1 when some are (with --diff: when a \
file would change); 2 when a file, configuration or rule file could not be used (every other \
file is still linted and reported).")]
pub struct CheckArgs {
    /// Files and directories to lint; `-` reads stdin. Directories are walked recursively,
    /// respecting .gitignore and .ignore files and skipping hidden files.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Use this configuration file for every file (no discovery).
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore every pmlint.toml / .pmlint.toml and use the built-in defaults.
    #[arg(long)]
    pub no_config: bool,

    /// Only run these rules or families (comma-separated or repeated).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,

    /// Turn off these rules or families (comma-separated or repeated); wins over --select.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Hide findings below this severity (overrides `min-severity` in the configuration).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<SeverityArg>,

    /// The lowest severity that makes the exit status 1.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = SeverityArg::Warning)]
    pub fail_on: SeverityArg,

    /// Lint only walked files matching these patterns (.gitignore syntax, relative to the current
    /// directory), instead of *.md, *.markdown, *.mdx and *.txt.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Skip files and directories matching these patterns (.gitignore syntax, relative to the
    /// current directory); applies to files named on the command line too.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Lint hidden files and directories too.
    #[arg(long)]
    pub hidden: bool,

    /// Do not respect .gitignore, .ignore and git exclude files.
    #[arg(long)]
    pub no_ignore: bool,

    /// The name of the document read from stdin: its extension picks Markdown or plain text
    /// (default Markdown) and its directory is where the configuration is looked for.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,

    /// Apply safe fixes and write the files (atomically; BOM and line endings are kept).
    /// With stdin, print the fixed document to stdout instead.
    #[arg(long)]
    pub fix: bool,

    /// Also apply unsafe fixes (which may change meaning) with --fix or --diff.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print a unified diff of the fixes instead of writing files.
    #[arg(long)]
    pub diff: bool,

    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,

    /// Print only the summary line.
    #[arg(long, short)]
    pub quiet: bool,

    /// When to use colour in the human format.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,

    /// Number of files linted at once (default: the number of CPUs, at least 2).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
}

/// What to do with fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixMode {
    /// Report only.
    Off,
    /// Write fixed files.
    Write(Applicability),
    /// Print diffs.
    Diff(Applicability),
}

pub fn run(args: CheckArgs) -> ExitCode {
    let mut problems: Vec<Problem> = Vec::new();
    // The embedded rules are compiled again here only when rule names were given on the command
    // line (to apply and validate them); otherwise the linters' own rule sets are all we need.
    let embedded = (!args.select.is_empty() || !args.ignore.is_empty()).then(selection::embedded);
    let selection = Selection {
        select: (!args.select.is_empty())
            .then(|| args.select.iter().map(|s| s.trim().to_owned()).collect()),
        ignore: args.ignore.iter().map(|s| s.trim().to_owned()).collect(),
        min_severity: args.min_severity.map(Severity::from),
    };
    let mut factory = match &embedded {
        Some(rules) => LinterFactory::new(selection.overrides(rules)),
        None => LinterFactory::new(selection.overrides_without_rule_names()),
    };
    if args.no_config {
        factory = factory.with_fixed_config(None);
    } else if let Some(p) = &args.config {
        factory = factory.with_fixed_config(Some(p.clone()));
    }
    let min_fix = if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let fix_mode = if args.diff {
        FixMode::Diff(min_fix)
    } else if args.fix {
        FixMode::Write(min_fix)
    } else {
        FixMode::Off
    };

    let walk = WalkOptions {
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        hidden: args.hidden,
        no_ignore: args.no_ignore,
    };
    let mut collector = match Collector::new(&mut factory, &walk) {
        Ok(c) => c,
        Err(message) => {
            crate::util::error(&message);
            return ExitCode::from(2);
        }
    };
    let mut stdin_seen = false;
    for path in &args.paths {
        if path.as_os_str() == "-" {
            if !stdin_seen {
                collector.add_stdin(args.stdin_filename.as_deref());
            }
            stdin_seen = true;
        } else {
            collector.add_path(path);
        }
    }
    let (inputs, found, resolved) = collector.finish();
    problems.extend(found);

    // Command-line rule names that are neither embedded nor in any loaded user rule file.
    if let Some(embedded) = &embedded {
        let mut known = selection::names(embedded);
        for r in &resolved {
            known.extend(selection::names(r.linter.rule_set()));
        }
        for key in selection.unknown_to_embedded(embedded) {
            if !known.contains(&key) {
                problems.push(Problem::usage(format!(
                    "unknown rule or family `{key}` given to --select/--ignore{}",
                    crate::util::did_you_mean(&key, known.iter().map(String::as_str))
                )));
            }
        }
    }

    let stdin_fix_output = matches!(fix_mode, FixMode::Write(_))
        && inputs.iter().any(|i| matches!(i.source, Source::Stdin(_)));
    let threads = args
        .threads
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .max(2)
        })
        .max(1);
    let results = lint_all(&inputs, &selection, fix_mode, threads);

    let mut files = Vec::with_capacity(results.len());
    let mut stdin_fixed: Option<String> = None;
    for (report, file_problems, fixed_stdin) in results {
        problems.extend(file_problems);
        if fixed_stdin.is_some() {
            stdin_fixed = fixed_stdin;
        }
        if let Some(r) = report {
            files.push(r);
        }
    }
    let problems = crate::files::sorted(problems);

    let rule_sets = resolved
        .iter()
        .map(|r| r.linter.rule_set().clone())
        .collect();
    let report = Report {
        files,
        problems,
        checked: inputs.len(),
        fix_mode,
        unsafe_fixes: args.unsafe_fixes,
        rule_sets,
    };

    for p in &report.problems {
        crate::util::error(&p.to_string());
    }
    let color = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            use std::io::IsTerminal;
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let text = if let Some(fixed) = stdin_fixed.filter(|_| stdin_fix_output) {
        // `--fix` on stdin: the fixed document is the output; the report goes to stderr.
        let summary = output::summary_line(&report);
        let _ = std::io::Write::write_all(
            &mut std::io::stderr().lock(),
            format!("{summary}\n").as_bytes(),
        );
        fixed
    } else if args.quiet {
        format!("{}\n", output::summary_line(&report))
    } else if args.statistics {
        output::statistics(&report, args.format)
    } else if let FixMode::Diff(_) = fix_mode {
        // The diff is the output; the summary goes to stderr so the diff can be piped to `git apply`.
        let summary = output::summary_line(&report);
        let _ = std::io::Write::write_all(
            &mut std::io::stderr().lock(),
            format!("{summary}\n").as_bytes(),
        );
        report
            .files
            .iter()
            .filter_map(|f| f.diff.as_deref())
            .collect()
    } else {
        output::render(&report, args.format, color)
    };
    let code = crate::util::write_stdout(text.as_bytes());
    if code != ExitCode::SUCCESS {
        return code;
    }

    let fail_on = Severity::from(args.fail_on);
    if !report.problems.is_empty() {
        ExitCode::from(2)
    } else if let FixMode::Diff(_) = fix_mode {
        ExitCode::from(u8::from(report.files.iter().any(|f| f.diff.is_some())))
    } else if report.findings().any(|f| f.diag.severity >= fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

type Linted = (Option<FileReport>, Vec<Problem>, Option<String>);

/// Lints every input on `threads` workers; results come back in input order.
fn lint_all(
    inputs: &[Input],
    selection: &Selection,
    fix_mode: FixMode,
    threads: usize,
) -> Vec<Linted> {
    let next = AtomicUsize::new(0);
    let workers = threads.min(inputs.len()).max(1);
    let mut results: Vec<(usize, Linted)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(input) = inputs.get(i) else { break };
                        out.push((i, lint_one(input, selection, fix_mode)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("lint worker panicked"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

fn read_input(input: &Input) -> Result<SourceFile, Problem> {
    match &input.source {
        Source::File(path) => SourceFile::read(path).map_err(|e| Problem::from_workspace(&e)),
        Source::Stdin(name) => {
            let mut bytes = Vec::new();
            let label = PathBuf::from(&input.display);
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| Problem::io(&label, &e))?;
            let mut file = SourceFile::from_bytes(name.as_deref().unwrap_or(&label), bytes)
                .map_err(|e| Problem::from_workspace(&e))?;
            file.kind = input.kind;
            Ok(file)
        }
    }
}

fn lint_one(input: &Input, selection: &Selection, fix_mode: FixMode) -> Linted {
    let mut problems = Vec::new();
    let file = match read_input(input) {
        Ok(f) => f,
        Err(p) => return (None, vec![p], None),
    };
    let linter = &input.resolved.linter;
    let lint = |text: &str| -> Vec<Diagnostic> {
        let mut d = linter.lint(text, input.kind);
        d.retain(|d| selection.keeps(d));
        d
    };
    let is_stdin = matches!(input.source, Source::Stdin(_));
    let mut text = file.text.clone();
    let mut fixed = 0;
    let mut diff = None;
    let mut stdin_out = None;
    match fix_mode {
        FixMode::Off => {}
        FixMode::Write(min) | FixMode::Diff(min) => {
            let (new_text, n) = crate::fixing::fix_text(&file.text, min, lint);
            if new_text != file.text {
                if let FixMode::Diff(_) = fix_mode {
                    // The findings kept with --diff are those of the file as it is on disk.
                    diff = Some(crate::fixing::unified_diff(
                        &input.display,
                        &file.text,
                        &new_text,
                    ));
                    fixed = n;
                } else if is_stdin {
                    fixed = n;
                    text = new_text;
                } else {
                    match file.write(&new_text) {
                        Ok(()) => {
                            fixed = n;
                            text = new_text;
                        }
                        Err(e) => {
                            // Name the document, not the temporary file (whose name has a process id).
                            let detail = Problem::from_workspace(&e);
                            let message = match e {
                                pmlint_workspace::WorkspaceError::Changed { .. }
                                | pmlint_workspace::WorkspaceError::ReadOnly { .. } => {
                                    detail.message
                                }
                                _ => format!(
                                    "could not write fixes: {}; the file was left unchanged",
                                    detail.message
                                ),
                            };
                            problems.push(Problem {
                                path: Some(input.display.clone()),
                                line: None,
                                column: None,
                                kind: ProblemKind::Write,
                                message,
                            });
                        }
                    }
                }
            }
            if is_stdin {
                stdin_out =
                    Some(String::from_utf8(file.encode(&text)).expect("UTF-8 in, UTF-8 out"));
            }
        }
    }
    let diagnostics = lint(&text);
    let findings = Finding::locate(&text, file.bom, diagnostics);
    let keep_text = !findings.is_empty();
    let report = FileReport {
        display: input.display.clone(),
        text: keep_text.then_some(text),
        findings,
        fixed,
        diff,
    };
    (Some(report), problems, stdin_out)
}
