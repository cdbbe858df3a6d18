//! Starting scenarios for `brink new`: commented files that validate as written, so that an
//! analyst begins from a working model and edits numbers rather than syntax.

/// The minimal template: two actors, their relation, a ladder, one lever and one outcome, every
/// field commented; `{{NAME}}` stands for the scenario's name.
const MINIMAL: &str = include_str!("templates/minimal.ron");

/// The tutorial scenario, which shows every part of the language once.
const TUTORIAL: &str = include_str!("../../scenarios/examples/tutorial.ron");

/// Which starting file `brink new` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// Two actors, one relation (both directions), one lever, one outcome.
    Minimal,
    /// The tutorial (scenarios/examples/tutorial.ron): every part of the language.
    Tutorial,
}

/// Whether `name` may name a new scenario and its file: the naming rule of the scenario
/// language (see [`crate::scenario::validate::is_valid_name`]), safe in any file system.
pub fn is_safe_name(name: &str) -> bool {
    crate::scenario::validate::is_valid_name(name)
}

/// The text of a new scenario called `name` (a safe name, see [`is_safe_name`]).
pub fn text(name: &str, template: Template) -> String {
    match template {
        Template::Minimal => MINIMAL.replace("{{NAME}}", name),
        Template::Tutorial => {
            // The tutorial keeps its own name (its comments and variants refer to its story);
            // the header says where it came from and what to change first.
            format!(
                "// {name}: started by `brink new {name} --from tutorial` from brink's tutorial\n\
                 // scenario (scenarios/examples/tutorial.ron). Rename it (`name:` below), then\n\
                 // replace its invented numbers and their sources (\"tutorial: invented\",\n\
                 // \"assumption\", \"illustrative\") with your own.\n\n{TUTORIAL}"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_safe_name("crisis_2026"));
        assert!(is_safe_name("a-b"));
        for bad in ["", "1x", "../x", "a b", "a/b", "é", &"a".repeat(65)] {
            assert!(!is_safe_name(bad), "{bad:?}");
        }
    }

    /// Both templates parse and validate as written.
    #[test]
    fn templates_validate() {
        for t in [Template::Minimal, Template::Tutorial] {
            let s = crate::scenario::parse_str(&text("demo", t)).expect("parses");
            let problems = crate::scenario::validate::validate(&s);
            assert!(problems.is_empty(), "{t:?}: {problems:?}");
        }
    }
}
