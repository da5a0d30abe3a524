//! `path:line:column: severity [rule-id] message`, one line per finding (1-based; columns in
//! Unicode scalar values).

use super::Report;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for file in &report.files {
        for f in &file.findings {
            out.push_str(&format!(
                "{}:{}:{}: {} [{}] {}\n",
                file.display,
                f.start.line,
                f.start.column,
                f.diag.severity,
                f.diag.rule,
                f.diag.message
            ));
        }
    }
    out
}
