//! The file-system side of pmlint, shared by the CLI and the language server.
//!
//! - [`find_config`]: `pmlint.toml` / `.pmlint.toml` discovery from a directory upward, stopping at
//!   the repository root (a directory containing `.git`) or the file-system root.
//! - [`LinterFactory`]: builds (and caches per configuration file) a [`Linter`] from a config,
//!   reading the extra rule files it names relative to the config's directory.
//! - [`SourceFile::read`]: reads a document, rejecting invalid UTF-8 with the byte offset,
//!   remembering the BOM and line endings so a fix can write the file back faithfully.
//! - [`write_atomic`]: writes through a temporary file in the same directory and a rename, keeps
//!   permissions, and refuses when the file changed since it was read.
//!
//! ```no_run
//! use pmlint_workspace::{LinterFactory, SourceFile};
//! use std::path::Path;
//!
//! let mut factory = LinterFactory::new(|_cfg| {});
//! let path = Path::new("postmortems/2024-03-db.md");
//! let resolved = factory.for_file(path).expect("valid configuration");
//! let file = SourceFile::read(path).expect("readable UTF-8");
//! let findings = resolved.linter.lint(&file.text, file.kind);
//! ```

use pmlint_core::{Config, ConfigError, DocumentKind, Linter, RuleError, RuleSet, RuleSource};
use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The configuration file names, in priority order within one directory.
pub const CONFIG_NAMES: &[&str] = &["pmlint.toml", ".pmlint.toml"];

/// Errors with the file they concern; `Display` gives `path:line:col: message` where known.
#[derive(Debug)]
pub enum WorkspaceError {
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    Config {
        path: PathBuf,
        error: ConfigError,
    },
    InvalidUtf8 {
        path: PathBuf,
        offset: usize,
    },
    Rule(RuleError),
    /// The file's mode is read-only. A rename would replace it anyway (even for root), so the
    /// mode is honoured the way an editor honours it; nothing was written.
    ReadOnly {
        path: PathBuf,
    },
    /// The file changed on disk between reading and writing; nothing was written.
    Changed {
        path: PathBuf,
    },
}

impl fmt::Display for WorkspaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkspaceError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            WorkspaceError::Config { path, error } => write!(f, "{}:{error}", path.display()),
            WorkspaceError::InvalidUtf8 { path, offset } => {
                write!(
                    f,
                    "{}: invalid UTF-8 at byte {offset}; pmlint reads UTF-8 text only",
                    path.display()
                )
            }
            WorkspaceError::Rule(e) => write!(f, "{e}"),
            WorkspaceError::ReadOnly { path } => {
                write!(f, "{}: file is read-only; not written", path.display())
            }
            WorkspaceError::Changed { path } => {
                write!(
                    f,
                    "{}: file changed on disk since it was read; not written",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for WorkspaceError {}

/// Finds the configuration that applies to files in `dir`: the nearest `pmlint.toml` or
/// `.pmlint.toml` in `dir` or its ancestors, not looking above a repository root.
pub fn find_config(dir: &Path) -> Option<PathBuf> {
    let mut cur = Some(dir);
    while let Some(d) = cur {
        for name in CONFIG_NAMES {
            let p = d.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
        if d.join(".git").exists() {
            return None;
        }
        cur = d.parent();
    }
    None
}

/// Reads and parses a configuration file.
pub fn load_config(path: &Path) -> Result<Config, WorkspaceError> {
    let text = std::fs::read(path).map_err(|source| WorkspaceError::Io {
        path: path.to_owned(),
        source,
    })?;
    let text = String::from_utf8(text).map_err(|e| WorkspaceError::InvalidUtf8 {
        path: path.to_owned(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    Config::parse(&text).map_err(|error| WorkspaceError::Config {
        path: path.to_owned(),
        error,
    })
}

/// A linter ready for the files under one configuration.
#[derive(Debug)]
pub struct Resolved {
    /// The configuration file, or `None` for built-in defaults.
    pub config_path: Option<PathBuf>,
    pub config: Config,
    pub linter: Arc<Linter>,
    /// User rule files that did not load (the rest of the rules still run).
    pub rule_errors: Vec<WorkspaceError>,
}

/// Builds linters from configurations and caches them per configuration file, so linting a
/// thousand files under one `pmlint.toml` builds one linter.
pub struct LinterFactory {
    overrides: Box<dyn Fn(&mut Config) + Send + Sync>,
    explicit: Option<Option<PathBuf>>,
    by_dir: HashMap<PathBuf, Option<PathBuf>>,
    by_config: HashMap<Option<PathBuf>, Arc<Resolved>>,
}

impl fmt::Debug for LinterFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinterFactory")
            .field("configs", &self.by_config.len())
            .finish()
    }
}

impl LinterFactory {
    /// `overrides` runs on every configuration after it is read (command-line flags, editor
    /// settings), so they win over the file.
    pub fn new(overrides: impl Fn(&mut Config) + Send + Sync + 'static) -> Self {
        LinterFactory {
            overrides: Box::new(overrides),
            explicit: None,
            by_dir: HashMap::new(),
            by_config: HashMap::new(),
        }
    }

    /// Uses one configuration for every file (`--config PATH`), or none at all (`--no-config`).
    pub fn with_fixed_config(mut self, path: Option<PathBuf>) -> Self {
        self.explicit = Some(path);
        self
    }

    /// Forgets cached linters (after a configuration file changed).
    pub fn invalidate(&mut self) {
        self.by_dir.clear();
        self.by_config.clear();
    }

    /// The linter for a file, discovering its configuration from the file's directory.
    pub fn for_file(&mut self, file: &Path) -> Result<Arc<Resolved>, WorkspaceError> {
        let dir = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        self.for_dir(dir)
    }

    /// The linter for files in `dir`.
    pub fn for_dir(&mut self, dir: &Path) -> Result<Arc<Resolved>, WorkspaceError> {
        let config_path = match &self.explicit {
            Some(p) => p.clone(),
            None => {
                let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
                match self.by_dir.get(&abs) {
                    Some(p) => p.clone(),
                    None => {
                        let p = find_config(&abs);
                        self.by_dir.insert(abs, p.clone());
                        p
                    }
                }
            }
        };
        if let Some(r) = self.by_config.get(&config_path) {
            return Ok(r.clone());
        }
        let resolved = Arc::new(self.resolve(config_path.clone())?);
        self.by_config.insert(config_path, resolved.clone());
        Ok(resolved)
    }

    fn resolve(&self, config_path: Option<PathBuf>) -> Result<Resolved, WorkspaceError> {
        let mut config = match &config_path {
            Some(p) => load_config(p)?,
            None => Config::default(),
        };
        (self.overrides)(&mut config);
        let base = config_path
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."));
        build(config, config_path.clone(), base)
    }
}

/// Builds a linter for `config`, reading its extra rule files relative to `base`.
pub fn build(
    config: Config,
    config_path: Option<PathBuf>,
    base: &Path,
) -> Result<Resolved, WorkspaceError> {
    let mut rule_errors = Vec::new();
    let mut sources: Vec<(String, String)> = Vec::new();
    for rel in &config.rule_files {
        let path = base.join(rel);
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => sources.push((path.display().to_string(), text)),
                Err(e) => rule_errors.push(WorkspaceError::InvalidUtf8 {
                    path,
                    offset: e.utf8_error().valid_up_to(),
                }),
            },
            Err(source) => rule_errors.push(WorkspaceError::Io { path, source }),
        }
    }
    let refs: Vec<RuleSource<'_>> = sources
        .iter()
        .map(|(o, t)| RuleSource { origin: o, text: t })
        .collect();
    let (rules, errors) = RuleSet::load(&refs);
    rule_errors.extend(errors.into_iter().map(WorkspaceError::Rule));
    let linter = Linter::new(Arc::new(rules), &config).map_err(|error| WorkspaceError::Config {
        path: config_path
            .clone()
            .unwrap_or_else(|| PathBuf::from("<settings>")),
        error,
    })?;
    Ok(Resolved {
        config_path,
        config,
        linter: Arc::new(linter),
        rule_errors,
    })
}

/// The document kind for a path: Markdown for `.md`/`.markdown`/`.mdx`, plain text otherwise.
pub fn kind_for_path(path: &Path) -> DocumentKind {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(DocumentKind::from_extension)
        .unwrap_or(DocumentKind::PlainText)
}

/// A document read from disk, with what is needed to write it back byte-faithfully.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The text without a leading BOM; all diagnostics' offsets refer to this.
    pub text: String,
    pub kind: DocumentKind,
    pub bom: bool,
    /// The exact bytes read, to detect a concurrent change before writing.
    pub original: Vec<u8>,
}

const BOM: &str = "\u{feff}";

impl SourceFile {
    pub fn read(path: &Path) -> Result<Self, WorkspaceError> {
        let original = std::fs::read(path).map_err(|source| WorkspaceError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_bytes(path, original)
    }

    pub fn from_bytes(path: &Path, original: Vec<u8>) -> Result<Self, WorkspaceError> {
        let text = std::str::from_utf8(&original).map_err(|e| WorkspaceError::InvalidUtf8 {
            path: path.to_owned(),
            offset: e.valid_up_to(),
        })?;
        let bom = text.starts_with(BOM);
        let text = text.strip_prefix(BOM).unwrap_or(text).to_owned();
        Ok(SourceFile {
            path: path.to_owned(),
            kind: kind_for_path(path),
            text,
            bom,
            original,
        })
    }

    /// The bytes to write for a new version of `text`, restoring the BOM.
    pub fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 3);
        if self.bom {
            out.extend_from_slice(BOM.as_bytes());
        }
        out.extend_from_slice(text.as_bytes());
        out
    }

    /// Writes a new version atomically (see [`write_atomic`]).
    pub fn write(&self, text: &str) -> Result<(), WorkspaceError> {
        write_atomic(&self.path, &self.original, &self.encode(text))
    }
}

/// Replaces `path`'s content with `content`, atomically: the data goes to a temporary file in the
/// same directory, is flushed to disk, takes the original's permissions, and is renamed over the
/// original. An interruption at any point leaves either the old or the new file, never a
/// truncated one. Refuses with [`WorkspaceError::Changed`] when the file no longer holds
/// `expected` (someone edited it while we were linting).
pub fn write_atomic(path: &Path, expected: &[u8], content: &[u8]) -> Result<(), WorkspaceError> {
    let io = |source| WorkspaceError::Io {
        path: path.to_owned(),
        source,
    };
    let current = std::fs::read(path).map_err(io)?;
    if current != expected {
        return Err(WorkspaceError::Changed {
            path: path.to_owned(),
        });
    }
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.permissions().readonly() {
        return Err(WorkspaceError::ReadOnly {
            path: path.to_owned(),
        });
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut attempt = 0u32;
    let (tmp_path, mut tmp) = loop {
        let candidate = dir.join(format!(
            ".{name}.pmlint-{}-{attempt}.tmp",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(f) => break (candidate, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1
            }
            Err(source) => {
                return Err(WorkspaceError::Io {
                    path: candidate,
                    source,
                })
            }
        }
    };
    let result = (|| {
        tmp.write_all(content)?;
        tmp.sync_all()?;
        drop(tmp);
        std::fs::set_permissions(&tmp_path, meta.permissions())?;
        std::fs::rename(&tmp_path, path)
    })();
    if let Err(source) = result {
        let _ = std::fs::remove_file(&tmp_path);
        return Err(io(source));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_stops_at_repository_root() {
        let root = tempfile::tempdir().unwrap();
        let repo = root.path().join("repo");
        let deep = repo.join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(root.path().join("pmlint.toml"), "").unwrap();
        assert_eq!(find_config(&deep), Some(root.path().join("pmlint.toml")));
        std::fs::create_dir(repo.join(".git")).unwrap();
        assert_eq!(find_config(&deep), None);
        std::fs::write(repo.join("a/.pmlint.toml"), "").unwrap();
        assert_eq!(find_config(&deep), Some(repo.join("a/.pmlint.toml")));
    }

    #[test]
    fn atomic_write_keeps_bom_and_refuses_changed_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.md");
        std::fs::write(&p, "\u{feff}Bob forgot.\r\n").unwrap();
        let f = SourceFile::read(&p).unwrap();
        assert!(f.bom);
        assert_eq!(f.text, "Bob forgot.\r\n");
        f.write("Fixed.\r\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), "\u{feff}Fixed.\r\n".as_bytes());
        // `f.original` is now stale: a second write must refuse.
        assert!(matches!(
            f.write("Again.\r\n"),
            Err(WorkspaceError::Changed { .. })
        ));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp files left behind"
        );
    }

    #[test]
    fn read_only_files_are_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ro.md");
        std::fs::write(&p, "Bob forgot.").unwrap();
        let mut perms = std::fs::metadata(&p).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&p, perms).unwrap();
        let f = SourceFile::read(&p).unwrap();
        assert!(matches!(
            f.write("Fixed."),
            Err(WorkspaceError::ReadOnly { .. })
        ));
        assert_eq!(std::fs::read(&p).unwrap(), b"Bob forgot.");
    }

    #[test]
    fn invalid_utf8_reports_offset() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.txt");
        std::fs::write(&p, b"ok \xff").unwrap();
        let e = SourceFile::read(&p).unwrap_err();
        assert!(e.to_string().contains("invalid UTF-8 at byte 3"), "{e}");
    }
}
