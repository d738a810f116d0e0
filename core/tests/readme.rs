//! The README's Rust code compiles as pasted. The crate runs every README code
//! block as a doctest (`ReadmeDoctests` in `lib.rs`); rustdoc, though, drops
//! lines that start with `# ` before compiling, so a block that relies on such
//! hidden lines would pass as a doctest and fail in a reader's `main.rs`. This
//! test refuses them, so the doctest compiles exactly what a reader pastes.

/// Each fenced Rust block of the README (`rust...`, or `rs` for one rustdoc
/// does not compile): (first line number, its lines).
fn rust_blocks(readme: &str) -> Vec<(usize, Vec<&str>)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, Vec<&str>)> = None;
    for (number, line) in readme.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut current, fence) {
            (None, Some(info)) if info.trim().starts_with("rust") || info.trim() == "rs" => {
                current = Some((number + 2, Vec::new()));
            }
            (Some(_), Some(_)) => blocks.extend(current.take()),
            (Some((_, lines)), None) => lines.push(line),
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn readme_rust_blocks_hide_no_lines() {
    let readme = include_str!("../../README.md");
    let blocks = rust_blocks(readme);
    assert!(!blocks.is_empty(), "the README has a Rust quick start");
    for (first, lines) in blocks {
        for (offset, line) in lines.iter().enumerate() {
            let code = line.trim_start();
            assert!(
                !(code == "#" || code.starts_with("# ")),
                "README.md line {}: rustdoc hides this line, so the block does not \
                 compile as pasted: {line:?}",
                first + offset
            );
        }
    }
}

#[test]
fn hidden_lines_are_found() {
    let sample = "text\n```rust\nfn main() {\n    # let x = 1;\n}\n```\n";
    let blocks = rust_blocks(sample);
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].0, 3);
    assert!(blocks[0].1.iter().any(|l| l.trim_start().starts_with("# ")));
}
