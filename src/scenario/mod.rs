//! The scenario language: schema, loading, validation and diagnostics.

pub mod diagnostics;
pub mod field;
pub mod limits;
pub mod load;
pub mod locate;
pub mod new;
pub mod overrides;
pub mod param;
pub mod paths;
pub mod schema;
pub mod timeline;
pub mod validate;

pub use diagnostics::{Diagnostic, Diagnostics};
pub use load::{LoadOptions, LoadedScenario, load, sha256_hex};
pub use param::{Dist, Param};
pub use schema::*;

/// The RON options every scenario is read with: `Some(..)` may be left out of optional fields,
/// and a lever's kind wraps its fields directly (`Measure(name: ..)`).
pub fn ron_options() -> ron::Options {
    use ron::extensions::Extensions;
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// Parses scenario text without validation (see `load` for the checked path).
pub fn parse_str(text: &str) -> Result<Scenario, ron::error::SpannedError> {
    ron_options().from_str(text)
}
