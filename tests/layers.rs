//! The library's layers run one way: each module imports only the layers before it. Read from
//! the code's own `crate::` paths, so that an import that goes up fails this test (and CI).
//!
//! text → numerics → scenario → model → error → engine → stats → analysis → report → simulation
//! (the library's face). The application (`src/app`, binary only) may use all of them.

use std::path::{Path, PathBuf};

const ORDER: &[&str] = &[
    "text",
    "numerics",
    "scenario",
    "model",
    "error",
    "engine",
    "stats",
    "analysis",
    "report",
    "simulation",
];

fn rank(module: &str) -> Option<usize> {
    ORDER.iter().position(|m| *m == module)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level modules a file names through `crate::`, including grouped imports
/// (`use crate::{model, stats::Tally}`).
fn imports(text: &str) -> Vec<String> {
    let mut found = vec![];
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push(name);
        }
    }
    found
}

#[test]
fn no_module_imports_a_later_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    let mut problems = vec![];
    let mut checked = 0;
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "main" || top == "app" || top == "lib" {
            continue; // the binary and the crate root may use every layer
        }
        let own = rank(&top).unwrap_or_else(|| {
            panic!(
                "{}: module {top:?} has no place in the layer order",
                rel.display()
            )
        });
        let text = std::fs::read_to_string(f).unwrap();
        for m in imports(&text) {
            checked += 1;
            match rank(&m) {
                Some(r) if r <= own => {}
                Some(_) => problems.push(format!("{}: {top} imports {m}", rel.display())),
                None => problems.push(format!(
                    "{}: imports crate::{m}, which is not a library layer (the application's \
                     modules are the binary's)",
                    rel.display()
                )),
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} imports found: is the scan broken?"
    );
    assert!(
        problems.is_empty(),
        "imports that go up:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_scan_sees_grouped_and_inline_imports() {
    let text = "use crate::{model, stats::Tally};\nfn f() { crate::report::x(); }";
    assert_eq!(imports(text), ["model", "stats", "report"]);
}
