//! Any bytes as a scenario file: parsing, validation and the located diagnostics never panic,
//! and a scenario that validates compiles, with every one of its variants.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match brink::scenario::load::parse_bytes(Path::new("fuzz.ron"), data) {
        Ok(s) => {
            // A valid scenario compiles, and so does each of its variants.
            brink::model::compile(&s, None).expect("a valid scenario compiles");
            for v in &s.variants {
                brink::model::compile(&s, Some(&v.name)).expect("a valid variant compiles");
            }
            let _ = brink::report::describe::describe(&s);
        }
        Err(d) => {
            // Rendering the diagnostics (lines, columns, excerpts) must not panic either.
            assert!(!d.0.is_empty(), "an error without a diagnostic");
            let _ = d.to_string();
        }
    }
});
