//! Which linter lints a document: `pmlint.toml` discovery exactly as the CLI does it
//! ([`pmlint_workspace::find_config`]), the client's settings on top, and the last good
//! configuration kept when a file breaks.

use crate::settings::Settings;
use pmlint_core::{Config, Linter, RuleSet};
use pmlint_workspace::{build, WorkspaceError};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

/// A linter and the configuration it was built from (settings applied).
#[derive(Debug)]
pub(crate) struct Resolved {
    pub config_path: Option<PathBuf>,
    pub config: Config,
    pub linter: Arc<Linter>,
}

/// A configuration file that could not be used, with the place of the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileError {
    pub path: PathBuf,
    /// 1-based line and column (column in Unicode scalar values), when known.
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
    /// The file's text, to place the diagnostic in the client's position encoding.
    pub text: Option<String>,
}

impl FileError {
    pub(crate) fn summary(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: {}", self.path.display(), self.message),
            _ => format!("{}: {}", self.path.display(), self.message),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Outcome {
    pub resolved: Arc<Resolved>,
    /// Set when the configuration file is broken (the linter then uses the last good one).
    pub file_error: Option<FileError>,
    /// The file's configuration as parsed, when it was good: the new "last good".
    pub good: Option<Config>,
    /// Problems worth a message that do not stop linting (unknown rule ids in the settings,
    /// rule files that failed to load).
    pub warnings: Vec<String>,
}

/// Ids and families of the embedded rules (to drop unknown keys from editor settings).
static KNOWN: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let (rules, _) = RuleSet::embedded();
    rules
        .rules()
        .iter()
        .flat_map(|r| [r.id.clone(), r.family.clone()])
        .collect()
});

/// Builds the linter for files governed by `config_path` (blocking: reads files).
pub(crate) fn resolve(
    config_path: Option<PathBuf>,
    settings: &Settings,
    last_good: Option<Config>,
) -> Outcome {
    let mut warnings = Vec::new();
    let parsed: Result<Config, FileError> = match &config_path {
        None => Ok(Config::default()),
        Some(p) => read_config(p),
    };
    let (file_cfg, mut file_error) = match parsed {
        Ok(c) => (c, None),
        Err(e) => (last_good.clone().unwrap_or_default(), Some(e)),
    };
    let fresh = file_error.is_none();
    match build_with(&file_cfg, config_path.as_deref(), settings, &mut warnings) {
        Ok(r) => Outcome {
            resolved: Arc::new(r),
            file_error,
            good: fresh.then_some(file_cfg),
            warnings,
        },
        Err(e) => {
            // The file parsed but names an unknown rule (or the last good one no longer builds).
            let text = config_path
                .as_ref()
                .and_then(|p| std::fs::read_to_string(p).ok());
            if file_error.is_none() {
                file_error = Some(FileError {
                    path: config_path.clone().unwrap_or_default(),
                    line: e.line,
                    column: e.column,
                    message: e.message.clone(),
                    text,
                });
            }
            let fallback = if fresh {
                last_good.unwrap_or_default()
            } else {
                Config::default()
            };
            let resolved = build_with(&fallback, config_path.as_deref(), settings, &mut warnings)
                .or_else(|_| build_with(&Config::default(), None, settings, &mut warnings))
                .unwrap_or_else(|_| Resolved {
                    config_path: config_path.clone(),
                    config: Config::default(),
                    linter: Arc::new(Linter::with_defaults()),
                });
            Outcome {
                resolved: Arc::new(resolved),
                file_error,
                good: None,
                warnings,
            }
        }
    }
}

fn read_config(path: &Path) -> Result<Config, FileError> {
    let err = |message: String, text: Option<String>, line, column| FileError {
        path: path.to_owned(),
        line,
        column,
        message,
        text,
    };
    let bytes = std::fs::read(path).map_err(|e| {
        err(
            format!("cannot read the configuration: {e}"),
            None,
            None,
            None,
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        err(
            format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
            None,
            None,
            None,
        )
    })?;
    Config::parse(&text).map_err(|e| err(e.message, Some(text.clone()), e.line, e.column))
}

/// Builds with the settings applied. An error that comes from the settings (no line: set by
/// `set_rule`) is reported as a warning and the build retried without the offending keys; an
/// error with a line is the file's and is returned.
fn build_with(
    file_cfg: &Config,
    config_path: Option<&Path>,
    settings: &Settings,
    warnings: &mut Vec<String>,
) -> Result<Resolved, pmlint_core::ConfigError> {
    let base = config_path.and_then(Path::parent).unwrap_or(Path::new("."));
    let filters: [&dyn Fn(&str) -> bool; 3] = [&|_| true, &|k| KNOWN.contains(k), &|_| false];
    let mut last = None;
    for keep in filters {
        let mut cfg = file_cfg.clone();
        settings.apply(&mut cfg, keep);
        match build(cfg, config_path.map(Path::to_owned), base) {
            Ok(r) => {
                for e in &r.rule_errors {
                    warnings.push(format!("pmlint: {e}"));
                }
                return Ok(Resolved {
                    config_path: r.config_path,
                    config: r.config,
                    linter: r.linter,
                });
            }
            Err(WorkspaceError::Config { error, .. }) if error.line.is_none() => {
                warnings.push(format!("pmlint settings: {}", error.message));
                last = Some(error);
            }
            Err(WorkspaceError::Config { error, .. }) => return Err(error),
            Err(other) => {
                return Err(pmlint_core::ConfigError {
                    line: None,
                    column: None,
                    message: other.to_string(),
                })
            }
        }
    }
    Err(last.unwrap_or(pmlint_core::ConfigError {
        line: None,
        column: None,
        message: "invalid settings".into(),
    }))
}

/// Caches per configuration file, invalidated when a file or the settings change.
#[derive(Debug, Default)]
pub(crate) struct ConfigStore {
    /// Bumped by [`ConfigStore::invalidate`]; results computed under an older epoch are dropped.
    pub epoch: u64,
    /// Directory → the configuration file discovered for it.
    pub dirs: HashMap<PathBuf, Option<PathBuf>>,
    pub resolved: HashMap<Option<PathBuf>, Arc<Resolved>>,
    pub last_good: HashMap<PathBuf, Config>,
    /// Configuration files currently reported as broken, with the reported message.
    pub errors: HashMap<PathBuf, String>,
    /// Warnings already shown (each is shown once per configuration generation).
    pub warned: HashSet<String>,
}

impl ConfigStore {
    pub(crate) fn invalidate(&mut self) {
        self.epoch += 1;
        self.dirs.clear();
        self.resolved.clear();
        self.warned.clear();
    }
}
