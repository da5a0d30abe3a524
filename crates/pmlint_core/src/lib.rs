//! pmlint's core: finds blameful language in incident postmortems.
//!
//! Text and configuration in, [`Diagnostic`]s out. The crate does no file IO and prints
//! nothing; the CLI and the language server are thin layers over it.
//!
//! ```
//! use pmlint_core::{Config, DocumentKind, Linter, RuleSet};
//! use std::sync::Arc;
//!
//! // Build once: load the embedded rules (plus any user rule files) and apply a configuration.
//! let (rules, errors) = RuleSet::embedded();
//! assert!(errors.is_empty());
//! let config = Config::parse("[rules]\ndramatic-wording = \"error\"\n").unwrap();
//! let linter = Linter::new(Arc::new(rules), &config).unwrap();
//!
//! // Lint many documents.
//! let text = "# Root cause\n\nBob forgot to renew the certificate. Obviously, this was a disaster.\n";
//! let findings = linter.lint(text, DocumentKind::Markdown);
//! let ids: Vec<&str> = findings.iter().map(|d| &*d.rule).collect();
//! assert!(ids.contains(&"named-person-lapse"));
//! assert!(ids.contains(&"dramatic-wording"));
//!
//! // Every range is a byte range of the original text.
//! let d = &findings[0];
//! assert_eq!(&text[d.range.clone()], "Bob forgot");
//!
//! // Fixes are plain edits; apply the safe ones (here: dropping "Obviously,").
//! let (fixed, n) = pmlint_core::apply_fixes(text, findings.iter().flat_map(|d| &d.fixes), pmlint_core::Applicability::Safe);
//! assert_eq!(n, 1);
//! assert!(fixed.contains("This was a disaster."));
//! ```

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod config;
#[doc(hidden)]
pub mod corpus;
pub mod diagnostic;
pub mod document;
mod lexicon;
mod linter;
mod pattern;
mod people;
pub mod position;
mod rule;
mod suppress;
pub mod text;

pub use config::{Config, ConfigError, RuleEntry, RuleSetting};
pub use diagnostic::{apply_fixes, Applicability, Diagnostic, Edit, Fix, Severity};
pub use document::{Block, Document, DocumentKind, Section};
pub use linter::{rule_fix_applicability, Linter, RuleSet, RuleSource};
pub use position::{
    byte_of_column, column_of, content_end, floor_char_boundary, Encoding, LineCol, LineIndex,
};
pub use rule::{FlaggedExample, Rule, RuleError, FAMILIES};
pub use suppress::{Directive, DirectiveKind};
