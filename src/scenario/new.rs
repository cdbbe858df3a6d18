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
            // The copy takes NAME as its name, as the minimal template does, and its usage
            // lines name the copy (they named the tutorial, so "checks it" checked the
            // original); the header says where it came from and what to change first.
            let body = TUTORIAL
                .replacen(
                    "name: \"Tutorial: North and South\",",
                    &format!("name: \"{name}\","),
                    1,
                )
                .replace("scenarios/examples/tutorial.ron", &format!("{name}.ron"));
            format!(
                "// {name}: started by `brink new {name} --from tutorial` from brink's tutorial\n\
                 // scenario (scenarios/examples/tutorial.ron). Replace its invented numbers and\n\
                 // their sources (\"tutorial: invented\", \"assumption\", \"illustrative\") with\n\
                 // your own.\n\n{body}"
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

    /// The tutorial's copy takes NAME, and its usage lines name the copy (found by a
    /// reviewing helper: it kept the tutorial's name and told the user to validate the
    /// original).
    #[test]
    fn the_tutorials_copy_is_named_and_points_at_itself() {
        assert!(TUTORIAL.contains("name: \"Tutorial: North and South\","));
        let t = text("demo", Template::Tutorial);
        assert_eq!(crate::scenario::parse_str(&t).expect("parses").name, "demo");
        assert!(t.contains("brink validate demo.ron"), "{t}");
        let body = t.split_once("\n\n").unwrap().1;
        assert!(!body.contains("examples/tutorial.ron"), "{body}");
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
