//! Which files to lint: command-line paths, directory walks (with `.gitignore` and friends),
//! include/exclude patterns from the command line and the configuration, stdin; plus the
//! problems found on the way, named by file.

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use pmlint_core::DocumentKind;
use pmlint_workspace::{LinterFactory, Resolved, WorkspaceError};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Extensions linted when walking a directory with no include patterns.
pub const DEFAULT_EXTENSIONS: &[&str] = &["md", "markdown", "mdx", "txt"];

/// A problem that is not a finding: unreadable files, bad configuration, bad rule files.
/// Reported on stderr as `error: path:line:col: message` and in the JSON/SARIF output.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub path: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub kind: ProblemKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProblemKind {
    Io,
    Encoding,
    Config,
    Rule,
    Write,
    Usage,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Io => "io",
            ProblemKind::Encoding => "encoding",
            ProblemKind::Config => "config",
            ProblemKind::Rule => "rule",
            ProblemKind::Write => "write",
            ProblemKind::Usage => "usage",
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(p) = &self.path {
            write!(f, "{p}:")?;
            if let Some(l) = self.line {
                write!(f, "{l}:")?;
                if let Some(c) = self.column {
                    write!(f, "{c}:")?;
                }
            }
            f.write_str(" ")?;
        }
        f.write_str(&self.message)
    }
}

impl Problem {
    pub fn usage(message: String) -> Self {
        Problem {
            path: None,
            line: None,
            column: None,
            kind: ProblemKind::Usage,
            message,
        }
    }

    pub fn io(path: &Path, e: &std::io::Error) -> Self {
        Problem {
            path: Some(display_path(path)),
            line: None,
            column: None,
            kind: ProblemKind::Io,
            message: io_message(e),
        }
    }

    pub fn from_workspace(e: &WorkspaceError) -> Self {
        let simple = |path: &Path, kind, message: String| Problem {
            path: Some(display_path(path)),
            line: None,
            column: None,
            kind,
            message,
        };
        match e {
            WorkspaceError::Io { path, source } => {
                simple(path, ProblemKind::Io, io_message(source))
            }
            WorkspaceError::InvalidUtf8 { path, offset } => simple(
                path,
                ProblemKind::Encoding,
                format!("invalid UTF-8 at byte {offset}; pmlint reads UTF-8 text only"),
            ),
            WorkspaceError::ReadOnly { path } => simple(
                path,
                ProblemKind::Write,
                "file is read-only; fixes were not written".to_owned(),
            ),
            WorkspaceError::Changed { path } => simple(
                path,
                ProblemKind::Write,
                "file changed on disk since it was read; not written".to_owned(),
            ),
            WorkspaceError::Config { path, error } => Problem {
                path: Some(display_path(path)),
                line: error.line,
                column: error.column,
                kind: ProblemKind::Config,
                message: error.message.clone(),
            },
            WorkspaceError::Rule(r) => Problem {
                path: Some(display_path(Path::new(&r.origin))),
                line: r.line,
                column: r.column,
                kind: ProblemKind::Rule,
                message: r.message.clone(),
            },
        }
    }
}

/// `std::io::Error`'s message without the "(os error N)" suffix.
pub fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) if s.ends_with(')') => s[..i].to_owned(),
        _ => s,
    }
}

/// A path as shown to the user: relative to the current directory when it is under it, with
/// `./` and `.` components removed.
pub fn display_path(path: &Path) -> String {
    let cleaned = clean(path);
    let shown = match std::env::current_dir() {
        Ok(cwd) if cleaned.is_absolute() => match cleaned.strip_prefix(&cwd) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
            _ => cleaned,
        },
        _ => cleaned,
    };
    shown.to_string_lossy().into_owned()
}

/// Removes `.` components (`./docs/./x.md` → `docs/x.md`); keeps `..`.
pub fn clean(path: &Path) -> PathBuf {
    let out: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// What is linted: a file on disk or stdin.
#[derive(Debug)]
pub enum Source {
    File(PathBuf),
    /// Stdin, with the name from `--stdin-filename`.
    Stdin(Option<PathBuf>),
}

/// One document to lint, with the linter that applies to it.
#[derive(Debug)]
pub struct Input {
    /// The path as shown in every output format.
    pub display: String,
    pub source: Source,
    pub kind: DocumentKind,
    pub resolved: Arc<Resolved>,
}

/// Options that decide which files a walk yields.
#[derive(Debug, Default)]
pub struct WalkOptions {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub hidden: bool,
    pub no_ignore: bool,
}

/// Include/exclude matchers rooted at a directory.
#[derive(Debug)]
struct Patterns {
    root: PathBuf,
    include: Option<Gitignore>,
    exclude: Option<Gitignore>,
}

impl Patterns {
    fn new(
        root: PathBuf,
        include: &[String],
        exclude: &[String],
        origin: &str,
    ) -> Result<Self, String> {
        let build = |globs: &[String]| -> Result<Option<Gitignore>, String> {
            if globs.is_empty() {
                return Ok(None);
            }
            let mut b = GitignoreBuilder::new(&root);
            for g in globs {
                b.add_line(None, g)
                    .map_err(|e| format!("invalid pattern `{g}` in {origin}: {e}"))?;
            }
            b.build()
                .map(Some)
                .map_err(|e| format!("invalid patterns in {origin}: {e}"))
        };
        Ok(Patterns {
            include: build(include)?,
            exclude: build(exclude)?,
            root: root.clone(),
        })
    }

    /// The path to match: relative to the root when under it, else only the file name (so
    /// `*.txt` still applies, anchored patterns cannot).
    fn rel<'p>(&self, abs: &'p Path) -> &'p Path {
        match abs.strip_prefix(&self.root) {
            Ok(r) => r,
            Err(_) => abs.file_name().map(Path::new).unwrap_or(abs),
        }
    }

    fn excluded(&self, abs: &Path, is_dir: bool) -> bool {
        self.exclude.as_ref().is_some_and(|g| {
            let rel = self.rel(abs);
            !rel.as_os_str().is_empty() && g.matched_path_or_any_parents(rel, is_dir).is_ignore()
        })
    }

    fn included(&self, abs: &Path) -> Option<bool> {
        self.include.as_ref().map(|g| {
            g.matched_path_or_any_parents(self.rel(abs), false)
                .is_ignore()
        })
    }
}

fn has_default_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DEFAULT_EXTENSIONS.iter().any(|d| d.eq_ignore_ascii_case(e)))
}

/// Markdown for `.md`, `.markdown`, `.mdx`; text otherwise (also for explicitly named files).
pub fn kind_for(path: &Path) -> DocumentKind {
    pmlint_workspace::kind_for_path(path)
}

/// Collects the inputs for `paths`, resolving each file's configuration.
pub struct Collector<'a> {
    pub factory: &'a mut LinterFactory,
    pub options: &'a WalkOptions,
    cwd: PathBuf,
    cli: Patterns,
    by_config: HashMap<Option<PathBuf>, Option<Patterns>>,
    seen_files: HashSet<PathBuf>,
    seen_problems: HashSet<Problem>,
    seen_configs: HashSet<Option<PathBuf>>,
    pub inputs: Vec<Input>,
    pub problems: Vec<Problem>,
    /// Every rule set in use, to validate command-line rule names against user rules too.
    pub resolved: Vec<Arc<Resolved>>,
}

impl std::hash::Hash for Problem {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (&self.path, self.line, self.column, &self.message).hash(state);
    }
}

impl<'a> Collector<'a> {
    pub fn new(factory: &'a mut LinterFactory, options: &'a WalkOptions) -> Result<Self, String> {
        let cwd = std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?;
        let cli = Patterns::new(
            cwd.clone(),
            &options.include,
            &options.exclude,
            "--include/--exclude",
        )?;
        Ok(Collector {
            factory,
            options,
            cwd,
            cli,
            by_config: HashMap::new(),
            seen_files: HashSet::new(),
            seen_problems: HashSet::new(),
            seen_configs: HashSet::new(),
            inputs: Vec::new(),
            problems: Vec::new(),
            resolved: Vec::new(),
        })
    }

    fn problem(&mut self, p: Problem) {
        if self.seen_problems.insert(p.clone()) {
            self.problems.push(p);
        }
    }

    fn abs(&self, path: &Path) -> PathBuf {
        clean(&self.cwd.join(path))
    }

    /// The configuration for files in `dir`, reporting its errors once.
    fn resolve(&mut self, dir_of: &Path) -> Option<Arc<Resolved>> {
        match self.factory.for_file(dir_of) {
            Ok(r) => {
                if self.seen_configs.insert(r.config_path.clone()) {
                    for e in &r.rule_errors {
                        self.problem(Problem::from_workspace(e));
                    }
                    self.resolved.push(r.clone());
                }
                Some(r)
            }
            Err(e) => {
                self.problem(Problem::from_workspace(&e));
                None
            }
        }
    }

    fn config_patterns(&mut self, r: &Resolved) -> Option<&Patterns> {
        if !self.by_config.contains_key(&r.config_path) {
            let root = r
                .config_path
                .as_deref()
                .and_then(Path::parent)
                .map(|p| self.abs(p))
                .unwrap_or_else(|| self.cwd.clone());
            let origin = match &r.config_path {
                Some(p) => format!("{} [files]", display_path(p)),
                None => "the configuration".to_owned(),
            };
            let patterns = match Patterns::new(root, &r.config.include, &r.config.exclude, &origin)
            {
                Ok(p) => Some(p),
                Err(message) => {
                    let path = r.config_path.as_deref().map(display_path);
                    self.problem(Problem {
                        path,
                        line: None,
                        column: None,
                        kind: ProblemKind::Config,
                        message,
                    });
                    None
                }
            };
            self.by_config.insert(r.config_path.clone(), patterns);
        }
        self.by_config[&r.config_path].as_ref()
    }

    fn push_file(&mut self, path: &Path, explicit: bool) {
        let abs = self.abs(path);
        if self.cli.excluded(&abs, false) {
            return;
        }
        let Some(resolved) = self.resolve(path) else {
            return;
        };
        let cli_include = self.cli.included(&abs);
        let (excluded, config_include) = match self.config_patterns(&resolved) {
            Some(p) => (p.excluded(&abs, false), p.included(&abs)),
            None => (false, None),
        };
        if excluded {
            return;
        }
        if !explicit {
            let wanted = cli_include
                .or(config_include)
                .unwrap_or_else(|| has_default_extension(path));
            if !wanted {
                return;
            }
        }
        if !self.seen_files.insert(abs) {
            return;
        }
        self.inputs.push(Input {
            display: display_path(path),
            source: Source::File(path.to_owned()),
            kind: kind_for(path),
            resolved,
        });
    }

    /// Adds stdin, named by `--stdin-filename` (whose extension picks Markdown or text, and whose
    /// directory is where the configuration is looked for).
    pub fn add_stdin(&mut self, name: Option<&Path>) {
        let anchor = name.unwrap_or(Path::new("<stdin>"));
        let Some(resolved) = self.resolve(anchor) else {
            return;
        };
        let kind = name
            .and_then(|n| n.extension())
            .and_then(|e| e.to_str())
            .and_then(DocumentKind::from_extension)
            .unwrap_or(DocumentKind::Markdown);
        self.inputs.push(Input {
            display: name.map_or_else(|| "<stdin>".to_owned(), display_path),
            source: Source::Stdin(name.map(Path::to_owned)),
            kind,
            resolved,
        });
    }

    /// Adds a command-line path: a file (linted whatever its extension, unless excluded) or a
    /// directory (walked).
    pub fn add_path(&mut self, path: &Path) {
        match std::fs::metadata(path) {
            Err(e) => self.problem(Problem::io(path, &e)),
            Ok(m) if m.is_dir() => self.walk(path),
            Ok(_) => self.push_file(path, true),
        }
    }

    fn walk(&mut self, root: &Path) {
        let mut builder = ignore::WalkBuilder::new(root);
        let respect = !self.options.no_ignore;
        builder
            .hidden(!self.options.hidden)
            .ignore(respect)
            .git_ignore(respect)
            .git_global(respect)
            .git_exclude(respect)
            .parents(respect)
            // .gitignore counts in a tarball or a fresh checkout too, not only inside a git work tree.
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b));
        // Prune directories excluded on the command line without descending into them.
        let cwd = self.cwd.clone();
        let cli = Patterns::new(cwd.clone(), &[], &self.options.exclude, "--exclude").ok();
        builder.filter_entry(move |e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if e.depth() == 0 || !is_dir {
                return true;
            }
            let name = e.file_name();
            if name == ".git" {
                return false;
            }
            cli.as_ref()
                .is_none_or(|p| !p.excluded(&clean(&cwd.join(e.path())), true))
        });
        let mut files: Vec<PathBuf> = Vec::new();
        for entry in builder.build() {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => files.push(e.into_path()),
                Ok(e) if e.file_type().is_some_and(|t| t.is_symlink()) => {
                    // A symlink the walker does not follow: lint it only if it points to a file.
                    if std::fs::metadata(e.path()).is_ok_and(|m| m.is_file()) {
                        files.push(e.into_path());
                    }
                }
                Ok(_) => {}
                Err(err) => self.walk_error(root, err),
            }
        }
        for f in files {
            self.push_file(&f, false);
        }
    }

    fn walk_error(&mut self, root: &Path, err: ignore::Error) {
        // Unwrap ignore's wrappers to name the path and keep the OS message short.
        let mut path: Option<PathBuf> = None;
        let mut e = &err;
        loop {
            match e {
                ignore::Error::WithPath { path: p, err } => {
                    path = Some(p.clone());
                    e = err;
                }
                ignore::Error::WithDepth { err, .. }
                | ignore::Error::WithLineNumber { err, .. } => e = err,
                _ => break,
            }
        }
        let message = match e {
            ignore::Error::Io(io) => io_message(io),
            other => other.to_string(),
        };
        let path = path.unwrap_or_else(|| root.to_owned());
        self.problem(Problem {
            path: Some(display_path(&path)),
            line: None,
            column: None,
            kind: ProblemKind::Io,
            message,
        });
    }

    /// Sorts the inputs by path (stdin last) for deterministic output.
    pub fn finish(mut self) -> (Vec<Input>, Vec<Problem>, Vec<Arc<Resolved>>) {
        self.inputs.sort_by_key(sort_key);
        (self.inputs, self.problems, self.resolved)
    }
}

fn sort_key(i: &Input) -> (bool, PathBuf) {
    (
        matches!(i.source, Source::Stdin(_)),
        PathBuf::from(&i.display),
    )
}

/// Sorted, de-duplicated problems.
pub fn sorted(problems: impl IntoIterator<Item = Problem>) -> Vec<Problem> {
    problems
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}
