//! The RON examples the docs show whole are valid: an analyst copies them as they stand (the
//! timeline example of docs/history.md once named an act and a measure its scenario does not
//! have, and nothing noticed).

mod common;

/// Every ```ron block of a Markdown file, in order.
fn ron_blocks(doc: &str) -> Vec<String> {
    let text = std::fs::read_to_string(common::repo(doc)).expect("cannot read the doc");
    let mut blocks = vec![];
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start().starts_with("```")) {
            (None, true) if line.trim() == "```ron" => current = Some(String::new()),
            (Some(_), true) => blocks.extend(current.take()),
            (Some(block), false) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_timeline_examples_of_history_md_validate_against_their_scenarios() {
    let timelines: Vec<String> = ron_blocks("docs/history.md")
        .into_iter()
        .filter(|b| b.trim_start().starts_with("Timeline("))
        .collect();
    assert!(!timelines.is_empty(), "docs/history.md shows a timeline");
    for (i, text) in timelines.iter().enumerate() {
        let dir = common::scratch(&format!("doc_timeline_{i}"));
        // The scenario it names, from the shipped cases, beside it.
        let name = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("scenario: \""))
            .and_then(|rest| rest.split('"').next())
            .expect("the example names its scenario");
        std::fs::copy(common::repo("scenarios/history").join(name), dir.join(name))
            .unwrap_or_else(|e| panic!("{name} is not a shipped case: {e}"));
        let path = dir.join("example.timeline.ron");
        std::fs::write(&path, text).unwrap();
        let out = common::brink(&["validate".as_ref(), path.as_os_str()]);
        assert_eq!(out.status.code(), Some(0), "{}", common::describe(&out));
    }
}

#[test]
fn the_complete_example_of_scenario_format_md_validates() {
    let blocks = ron_blocks("docs/scenario-format.md");
    let whole = blocks
        .iter()
        .find(|b| b.contains("Scenario(") && b.contains("outcomes:"))
        .expect("docs/scenario-format.md shows a whole scenario");
    let dir = common::scratch("doc_scenario");
    let path = dir.join("example.ron");
    std::fs::write(&path, whole).unwrap();
    let out = common::brink(&["validate".as_ref(), path.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", common::describe(&out));
}
