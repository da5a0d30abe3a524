//! CLI behaviour as data: every `tests/cli/cases/*.toml` is run by trycmd against the `pmlint`
//! binary. Byte-level and file-system checks that a snapshot cannot express live below.

#[test]
fn cli_cases() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cli/cases");
    trycmd::TestCases::new()
        .default_bin_name("pmlint")
        .env("NO_COLOR", "1")
        .case(root.join("*.toml"));
}
