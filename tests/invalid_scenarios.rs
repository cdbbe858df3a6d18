//! The invalid-scenario corpus: every file of `tests/invalid/` holds one mistake, and
//! `brink validate` must refuse it with exit code 2 (never a panic), naming the file, the exact
//! line and column of the offending text, and what is wrong. Every scenario under `scenarios/`
//! must, in turn, validate cleanly.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// One row per corpus file: its name (without `.ron`), the line and column the diagnostic must
/// point at, and a fragment its message must contain.
const CASES: &[(&str, usize, usize, &str)] = &[
    ("act_cooldown_negative", 49, 23, "cooldown is -1"),
    ("act_in_level_condition", 66, 57, "is an act"),
    ("activity_above_one", 9, 37, "actors.ru.activity is 1.2"),
    (
        "added_event_probability_above_one",
        71,
        105,
        "outside its valid range",
    ),
    ("bad_start_date", 5, 17, "is not a date"),
    // Found by a reviewing helper: bounds wider than 10^6 were "not a range".
    (
        "bounds_too_wide",
        32,
        13,
        "bounds (-600000, 600000) are 1200000 points apart",
    ),
    // A `/` that starts no comment: "the file ends too early" or "unexpected character
    // U+000A (a space RON does not take)".
    (
        "trailing_lone_slash",
        68,
        2,
        "unexpected `/` after the end of the scenario",
    ),
    ("lone_slash_inside", 39, 25, "unexpected `/`"),
    // Before the record, not "after the end of the scenario" (found by a reviewing helper).
    ("lone_slash_before_the_record", 1, 10, "unexpected `/`\n"),
    // Bounds too large to subtract: their magnitude, not "inf points apart".
    (
        "bounds_beyond_the_largest_number",
        32,
        13,
        "reach beyond the largest number a scenario may hold",
    ),
    // ron reads `(0.5)` as the number: its error pointed at 0.5 as if it were wrong.
    (
        "fixed_one_number_in_order",
        38,
        36,
        "`Fixed` with one number in order and no source is not read as a distribution",
    ),
    // U+0085 alone is whitespace to `trim`: the name was said to be missing.
    (
        "name_only_next_line_control",
        29,
        11,
        "name holds the control character U+0085",
    ),
    ("empty_step_unit", 6, 16, "step_unit \"\" names no unit"),
    // A capital plural ending alone (it printed "52 SS").
    (
        "plural_ending_step_unit",
        6,
        16,
        "step_unit \"S\" names no unit",
    ),
    ("empty_cost_unit", 6, 16, "cost_unit \" \" names no unit"),
    (
        "long_cost_unit",
        6,
        16,
        "cost_unit \"USD million at 2024 prices, deflated \"... is 60 characters long",
    ),
    (
        "two_line_step_unit",
        6,
        16,
        "step_unit \"week\\nof work\" is more than one line",
    ),
    ("impossible_date", 5, 17, "is not a date"),
    (
        "index_above_beyond_the_limit",
        68,
        51,
        "the index value 1e308 is beyond 10^12",
    ),
    (
        "dates_past_9999",
        5,
        17,
        "run past 9999-12-31, the last date written YYYY-MM-DD: the last step, 51, begins on \
         10000-05-29",
    ),
    ("empty_any_condition", 67, 38, "empty All([]) or Any([])"),
    ("scale_same_actor", 61, 67, "names the same actor twice"),
    (
        "one_sided_normal_out_of_range",
        9,
        37,
        "outside its valid range",
    ),
    (
        "beta_alpha_nonpositive",
        55,
        53,
        "alpha and beta must be greater than 0",
    ),
    (
        "beta_shape_subnormal",
        55,
        53,
        "alpha and beta must be at least 1e-300, found alpha 1e-310",
    ),
    ("bounds_reversed", 7, 13, "not a range"),
    // Tiny numbers in messages in scientific notation, not 300 zeros.
    ("bounds_tiny", 15, 49, "expected a number from 0 to 1e-300"),
    (
        "normal_cut_tiny_sd",
        10,
        37,
        "holds almost none of Normal(mean 0.5, sd 1e-300)",
    ),
    // A right-to-left override left open reversed brink's own figures after the name.
    ("bidi_override_in_name", 3, 11, "control character U+202E"),
    // Numbers beyond 10^12 where the other checks let them by.
    ("bounds_huge", 7, 13, "beyond the largest number"),
    (
        "rung_threshold_huge",
        22,
        42,
        "threshold 1e300, beyond the largest number",
    ),
    ("deep_nesting", 67, 285, "nest more than 64"),
    (
        "deep_nesting_after_quote_in_comment",
        67,
        293,
        "nest more than 64",
    ),
    ("distribution_unknown_field", 10, 68, "unknown field `mode`"),
    // Old Mac line endings (CR only): "the file holds only comments", true to the parser.
    (
        "bare_carriage_returns",
        1,
        1,
        "lines end in a bare carriage return (CR)",
    ),
    // ron's own words, capitalised and with nothing expected ("Unknown escape character").
    (
        "unknown_escape_in_string",
        11,
        34,
        "in a string: unknown escape character",
    ),
    // Numbers in order without names, too few or too many: ron said "unexpected `2` after a
    // comma" (there was none) or "unexpected `0.5`, expected a field name".
    (
        "distribution_in_order_too_few",
        10,
        40,
        "`Beta` is given 1 number in order, and its `beta` is missing",
    ),
    (
        "distribution_in_order_too_many",
        10,
        40,
        "`Uniform` is given 3 numbers in order, more than its 2 (min, max)",
    ),
    // A file cut short after it: the distribution's own mistake still (it was "this is not a
    // number or a distribution" at its closing bracket).
    (
        "distribution_unknown_field_then_cut_short",
        10,
        68,
        "unknown field `mode`",
    ),
    ("duplicate_actor", 11, 21, "duplicate actor name \"az\""),
    (
        "duplicate_added_event",
        71,
        56,
        "duplicate event name \"raid\"",
    ),
    ("duplicate_event", 59, 19, "duplicate event name \"raid\""),
    ("duplicate_field", 10, 27, "given twice"),
    ("duplicate_level", 35, 27, "duplicate level name \"checks\""),
    ("duplicate_lever", 45, 19, "duplicate lever name \"visa\""),
    ("duplicate_map_key", 37, 48, "duplicate key \"ru\""),
    // A left-to-right mark, which ron skips as a space, stopped the locator: no duplicate found.
    (
        "duplicate_map_key_after_mark",
        37,
        48,
        "duplicate key \"ru\"",
    ),
    // Written with an escape ("\u{72}u"), the key is "ru" all the same (ron kept the last).
    ("duplicate_map_key_escaped", 37, 48, "duplicate key \"ru\""),
    // A misspelt record expects that record (it said a scenario file was expected).
    ("misspelt_record", 65, 9, "expected `Outcome(...)`"),
    // A non-breaking space pasted in: the message blamed the number after it.
    (
        "non_breaking_space",
        14,
        48,
        "character U+00A0 (a non-breaking space",
    ),
    // Past any whole number: the field's limits (it expected i64's range).
    (
        "horizon_past_any_whole_number",
        4,
        14,
        "within the field's limits",
    ),
    // A sign apart from its number (it expected "a whole number" where any number goes).
    (
        "sign_apart_from_number",
        14,
        49,
        "its sign written against it",
    ),
    // A decimal comma: ron's advice was a raw identifier `r#5`.
    ("decimal_comma", 14, 51, "a decimal point"),
    // A raw identifier (`r#ThirdParty`) anywhere put every problem at line 1, column 1.
    (
        "raw_identifier_before_error",
        9,
        37,
        "actors.ru.activity is 1.2",
    ),
    (
        "duplicate_outcome",
        67,
        23,
        "duplicate outcome name \"rupture\"",
    ),
    ("duplicate_relation", 17, 9, "duplicate relation ru -> az"),
    ("duplicate_rung", 22, 20, "duplicate rung name \"tense\""),
    (
        "duplicate_variant",
        71,
        23,
        "duplicate variant name \"hawk\"",
    ),
    ("empty_file", 1, 1, "the file is empty"),
    ("event_window_zero", 67, 61, "the window is 0"),
    ("extra_closing_bracket", 4, 16, "unbalanced brackets"),
    ("float_for_integer", 4, 14, "a whole number"),
    ("focal_same_actor", 7, 19, "same actor twice"),
    ("forced_and_frozen", 70, 73, "both forced and frozen"),
    ("hazard_rate_above_one", 60, 34, "outside its valid range"),
    ("horizon_beyond_limit", 4, 14, "horizon is 100000"),
    ("horizon_negative", 4, 14, "horizon is -52"),
    ("horizon_zero", 4, 14, "horizon is 0"),
    ("huge_integer", 6, 11, "is too large"),
    ("huge_number", 33, 74, "beyond the largest number"),
    (
        "huge_spread",
        14,
        61,
        "relations.ru->az.noise has sd 1e300, beyond the largest number",
    ),
    (
        "huge_negative_number",
        33,
        74,
        "costs.az is -1e15, beyond the largest number",
    ),
    ("inf_number", 21, 40, "a rung threshold must be finite"),
    ("invalid_name_control_char", 67, 23, "not a valid name"),
    ("invalid_name_path_separator", 11, 21, "not a valid name"),
    ("invalid_name_space", 71, 23, "not a valid name"),
    ("kind_in_quotes", 11, 33, "without quotes: `ThirdParty`"),
    ("ladder_one_rung", 19, 13, "at least two rungs"),
    (
        "ladder_too_many_rungs",
        19,
        13,
        "66 rungs is more than the limit",
    ),
    (
        "temporary_effects_beyond_limit",
        10,
        13,
        "can keep 67620 temporary effects (Modify, and ShiftRelation with a duration) running at once",
    ),
    (
        "lasting_shifts_beyond_limit",
        12,
        13,
        "apply 20 lasting relation shifts (ShiftRelation without a duration) in one step, among 22 reads",
    ),
    (
        "temporary_effects_beyond_limit_in_variant",
        19,
        45,
        "can keep 67600 temporary effects",
    ),
    (
        "level_cells_beyond_limit",
        26,
        13,
        "make 1045200 per-step table cells",
    ),
    ("lever_target_is_owner", 31, 21, "target must differ"),
    ("list_for_struct", 55, 21, "unexpected `[` for `timing`"),
    (
        "lognormal_median_nonpositive",
        60,
        92,
        "median must be greater than 0",
    ),
    ("map_for_list", 71, 39, "a list in `[...]`"),
    ("measure_without_levels", 32, 21, "has 0 levels"),
    ("missing_closing_bracket", 22, 9, "do not balance"),
    ("missing_horizon", 2, 1, "missing field `horizon`"),
    ("missing_level_condition", 66, 57, "has no level 3"),
    ("missing_level_variant_force", 70, 81, "has no level 3"),
    ("missing_relation_for_lever", 47, 21, "no relation tr -> az"),
    ("missing_required_field", 21, 9, "missing field `threshold`"),
    ("nan_number", 14, 61, "not a number (NaN)"),
    ("negative_cost", 37, 35, "outside its valid range"),
    ("non_utf8", 3, 16, "not valid UTF-8"),
    ("normal_sd_negative", 14, 61, "sd must be greater than 0"),
    (
        "normal_sd_zero",
        15,
        49,
        "sd must be greater than 0, found 0",
    ),
    ("normal_truncation_no_mass", 16, 49, "holds almost none"),
    (
        "number_beyond_f64",
        33,
        47,
        "beyond the largest number a computer can hold",
    ),
    ("number_for_bool", 56, 19, "`true` or `false`"),
    ("number_for_string", 11, 21, "unexpected `42` for `name`"),
    ("only_comments", 1, 1, "only comments"),
    ("pert_mode_outside", 49, 61, "min <= mode <= max"),
    ("probability_above_one", 55, 53, "outside its valid range"),
    ("probability_below_zero", 55, 53, "outside its valid range"),
    ("relation_to_itself", 17, 34, "two different actors"),
    (
        "rung_thresholds_out_of_order",
        22,
        42,
        "not above the rung below",
    ),
    ("runs_negative", 6, 11, "runs is -5"),
    (
        "scheduled_step_beyond_horizon",
        55,
        37,
        "the scheduled step is 60",
    ),
    (
        "string_for_number",
        4,
        14,
        "unexpected `\"52\"` for `horizon`",
    ),
    // ron stopped at the `e` ("Invalid digit 'e' for base 10 integers"), expecting nothing.
    (
        "exponent_for_whole_number",
        4,
        14,
        "unexpected `1e400` for `horizon`",
    ),
    ("string_for_param", 9, 37, "not a number or a distribution"),
    (
        "distribution_for_horizon",
        4,
        14,
        "expected a whole number: this field takes no distribution",
    ),
    (
        "distribution_for_threshold",
        22,
        42,
        "expected a plain number: this field takes no distribution",
    ),
    (
        "bare_word_for_param",
        9,
        37,
        "`high` is not a number or a distribution",
    ),
    (
        "bare_word_in_distribution",
        10,
        50,
        "in a distribution: unexpected `low` for `min`",
    ),
    (
        "lowercase_nan_for_param",
        9,
        37,
        "`nan` is not a number or a distribution",
    ),
    ("string_without_quotes", 9, 21, "a string in double quotes"),
    (
        "syntax_error_missing_colon",
        4,
        13,
        "expected `:` after `horizon`",
    ),
    (
        "trailing_characters",
        74,
        1,
        "after the end of the scenario",
    ),
    ("triangular_mode_outside", 25, 56, "min <= mode <= max"),
    ("truncated_file", 25, 42, "ends too early"),
    ("truncated_in_string", 25, 24, "never closed"),
    ("tuple_too_long", 7, 25, "unexpected `\"tr\"`"),
    ("unbalanced_brackets", 9, 40, "`]` does not close `Actor(`"),
    ("unclosed_block_comment", 4, 5, "never closed"),
    ("unclosed_string", 5, 18, "is its closing"),
    (
        "uniform_min_above_max",
        10,
        40,
        "min (1.5) must not exceed max (0.5)",
    ),
    ("unknown_act_outcome", 67, 48, "unknown act \"protst\""),
    ("unknown_actor_costs_key", 33, 68, "unknown actor \"ax\""),
    ("unknown_actor_effect", 49, 47, "unknown actor \"rux\""),
    ("unknown_actor_event_move", 56, 32, "unknown actor \"rr\""),
    ("unknown_actor_focal", 7, 19, "unknown actor \"aze\""),
    (
        "unknown_actor_lever_motive",
        48,
        28,
        "unknown actor \"rru\"",
    ),
    ("unknown_actor_lever_owner", 30, 20, "unknown actor \"rus\""),
    (
        "unknown_actor_lever_target",
        47,
        21,
        "unknown actor \"ruu\"",
    ),
    ("unknown_actor_modifier", 39, 49, "unknown actor \"ay\""),
    ("unknown_actor_pressure", 25, 43, "unknown actor \"azz\""),
    (
        "unknown_actor_relation_from",
        16,
        24,
        "unknown actor \"tk\"",
    ),
    ("unknown_actor_relation_to", 17, 34, "unknown actor \"tk\""),
    (
        "unknown_actor_scale_between",
        61,
        67,
        "unknown actor \"zz\"",
    ),
    ("unknown_condition_kind", 65, 40, "unknown kind `RungAbove`"),
    ("unknown_distribution", 10, 40, "unknown kind `Uniformm`"),
    ("unknown_enum_kind", 28, 9, "unknown kind `Measur`"),
    ("unknown_event_outcome", 67, 52, "unknown event \"meting\""),
    (
        "unknown_event_variant_remove",
        71,
        68,
        "unknown event \"raidd\"",
    ),
    ("unknown_field", 9, 27, "unknown field `activty`"),
    (
        "unknown_lever_condition",
        66,
        57,
        "unknown measure \"viza\"",
    ),
    ("unknown_lever_effect", 61, 68, "unknown measure \"viza\""),
    (
        "unknown_lever_variant_force",
        70,
        73,
        "unknown measure \"viza\"",
    ),
    (
        "unknown_lever_variant_freeze",
        71,
        40,
        "unknown lever \"protst\"",
    ),
    (
        "variant_freezes_twice",
        71,
        59,
        "variant \"calm\" freezes \"protest\" twice",
    ),
    (
        "variant_removes_twice",
        71,
        87,
        "variant \"calm\" removes \"raid\" twice",
    ),
    (
        "unknown_path_variant_set",
        70,
        37,
        "not a number of the scenario",
    ),
    (
        "unknown_pressure_effect",
        61,
        74,
        "unknown pressure \"media\"",
    ),
    (
        "unknown_pressure_level",
        38,
        32,
        "unknown pressure \"migrant\"",
    ),
    (
        "unknown_rung_act_min_rung",
        49,
        23,
        "unknown rung \"crisis\"",
    ),
    (
        "unknown_rung_hazard_factor",
        60,
        73,
        "unknown rung \"rupt\"",
    ),
    ("unknown_rung_implies", 40, 35, "unknown rung \"war\""),
    ("unknown_rung_outcome", 65, 52, "unknown rung \"ruptur\""),
    (
        "variant_set_out_of_range",
        70,
        59,
        "outside its valid range",
    ),
    (
        "variant_sets_a_removed_event",
        71,
        37,
        "sets a number of event \"meeting\", which it removes",
    ),
    (
        "variant_named_base",
        71,
        23,
        "the variant name \"base\" is kept",
    ),
    ("weight_out_of_range", 36, 29, "outside its valid range"),
    ("whitespace_only", 1, 1, "the file is empty"),
];

/// At least this many distinct mistakes are covered.
const MIN_CASES: usize = 45;

fn corpus_dir() -> PathBuf {
    common::repo("tests/invalid")
}

fn validate(files: &[&Path]) -> Output {
    let mut args = vec![Path::new("validate")];
    args.extend_from_slice(files);
    common::brink(&args)
}

/// Checks that `file` is refused at `line:col` with a message holding `fragment`; returns what
/// is wrong otherwise.
fn check_refused(file: &Path, line: usize, col: usize, fragment: &str) -> Result<(), String> {
    let out = validate(&[file]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Line 0: the file as a whole (unreadable, too large), named without a place in it.
    let place = match line {
        0 => file.display().to_string(),
        _ => format!("{}:{line}:{col}", file.display()),
    };
    let mut wrong = vec![];
    if out.status.code() != Some(2) {
        wrong.push(format!(
            "ended with {}, expected exit code 2",
            common::ending(&out)
        ));
    }
    if stderr.contains("panicked") {
        wrong.push("printed a panic".into());
    }
    // The whole place, so that column 2 does not pass for column 27.
    if !stderr
        .lines()
        .any(|l| l.trim_start().strip_prefix("--> ") == Some(place.as_str()))
    {
        wrong.push(format!("does not point at {place}"));
    }
    if !stderr.contains(fragment) {
        wrong.push(format!("does not say {fragment:?}"));
    }
    if !stdout.trim().is_empty() {
        wrong.push(format!("printed on stdout: {stdout}"));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}\n--- stderr ---\n{stderr}\n--------------",
            file.display(),
            wrong.join("; ")
        ))
    }
}

/// The `.ron` files of a folder and its subfolders.
fn ron_files(dir: &Path) -> Vec<PathBuf> {
    common::paths(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "ron") && !dir.join(p).is_dir())
        .map(|p| dir.join(p))
        .collect()
}

#[test]
fn every_corpus_file_has_one_expectation() {
    let files = ron_files(&corpus_dir());
    let on_disk: std::collections::BTreeSet<String> = files
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut in_table = std::collections::BTreeSet::new();
    for (name, ..) in CASES {
        assert!(
            in_table.insert(name.to_string()),
            "{name} is in the table twice"
        );
    }
    let no_expectation: Vec<_> = on_disk.difference(&in_table).collect();
    let no_file: Vec<_> = in_table.difference(&on_disk).collect();
    assert!(
        no_expectation.is_empty() && no_file.is_empty(),
        "corpus files without an expectation: {no_expectation:?}; \
         expectations without a file: {no_file:?}"
    );
    assert!(
        CASES.len() >= MIN_CASES,
        "only {} cases, expected at least {MIN_CASES}",
        CASES.len()
    );
}

#[test]
fn every_invalid_file_is_refused_at_its_place() {
    let dir = corpus_dir();
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|&(name, line, col, fragment)| {
            check_refused(&dir.join(format!("{name}.ron")), line, col, fragment).err()
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} corpus files are not refused as expected:\n\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n\n")
    );
}

#[test]
fn a_huge_file_is_refused_without_reading_it_whole() {
    use std::io::Write;
    let path = common::scratch("huge").join("huge.ron");
    {
        // 100 MB of what looks like the start of a scenario followed by a long comment.
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(f, "Scenario(\n    // padding").unwrap();
        let chunk = format!("    // {}\n", " ".repeat(1019));
        for _ in 0..100 * 1024 {
            f.write_all(chunk.as_bytes()).unwrap();
        }
        f.flush().unwrap();
    }
    assert!(std::fs::metadata(&path).unwrap().len() >= 100 * 1024 * 1024);
    // Refused as a whole: the limit is checked on the bytes read, one past it (`take`), before
    // any is parsed.
    let result = check_refused(&path, 0, 0, "larger than the limit");
    std::fs::remove_file(&path).ok();
    result.unwrap_or_else(|e| panic!("{e}"));
}

/// A file cut short (damaged in transit) right after a whole value, a bracket or a comma says
/// the file ends too early: it blamed the last token ("unexpected `)` ... expected `,` or `)`
/// to close `Rung(`", the `)` closing `Rung(`), found by a reviewer at about 100 of 1,440 cut
/// points of the tutorial.
#[test]
fn a_file_cut_after_a_whole_token_ends_too_early() {
    let dir = common::scratch("cut");
    let text = std::fs::read_to_string(common::repo("scenarios/examples/tutorial.ron")).unwrap();
    // Cut points after `)`, `]`, `,` or a number followed by `,` (outside comments: the
    // tutorial's comments are whole lines starting with `//`).
    let code: Vec<(usize, char)> = text
        .char_indices()
        .filter(|&(i, _)| {
            let line_start = text[..i].rfind('\n').map_or(0, |j| j + 1);
            !text[line_start..i].contains("//") && !text[line_start..i].contains('"')
        })
        .collect();
    let mut cuts = vec![];
    for w in code.windows(2) {
        let ((i, c), (_, next)) = (w[0], w[1]);
        if matches!(c, ')' | ']' | ',') || (c.is_ascii_digit() && next == ',') {
            cuts.push(i + c.len_utf8());
        }
    }
    assert!(cuts.len() > 100, "{} cut points", cuts.len());
    let files: Vec<PathBuf> = cuts
        .iter()
        .step_by(cuts.len() / 40)
        .filter(|&&at| at + 10 < text.len())
        .map(|&at| {
            let f = dir.join(format!("cut-{at}.ron"));
            std::fs::write(&f, &text[..at]).unwrap();
            f
        })
        .collect();
    for f in &files {
        let o = validate(&[f.as_path()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: {err}", f.display());
        assert!(
            err.contains("the file ends too early"),
            "{}: {err}",
            f.display()
        );
    }
}

#[test]
fn line_endings_and_byte_order_marks_do_not_move_positions() {
    let dir = common::scratch("line_endings");
    // The same mistake with Windows line endings is found at the same place.
    let (name, line, col, fragment) = *CASES
        .iter()
        .find(|c| c.0 == "unknown_field")
        .expect("the unknown_field case");
    let text = std::fs::read_to_string(corpus_dir().join(format!("{name}.ron"))).unwrap();
    let crlf = dir.join("unknown_field_crlf.ron");
    std::fs::write(&crlf, text.replace('\n', "\r\n")).unwrap();
    check_refused(&crlf, line, col, fragment).unwrap_or_else(|e| panic!("{e}"));
    // A byte-order mark, as some Windows editors write, is not an error, nor is CRLF.
    let example = common::repo("scenarios/examples/richardson.ron");
    let text = std::fs::read_to_string(example).unwrap();
    let bom = dir.join("bom.ron");
    std::fs::write(&bom, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
    let out = validate(&[&bom]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a scenario with a byte-order mark and CRLF is refused ({}):\n{}",
        common::ending(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    // Bytes that are not UTF-8 on the first line are found after the mark, as every other
    // position is (column 18 here was the mark counted).
    let bad = dir.join("bom_not_utf8.ron");
    let mut bytes = "\u{feff}Scenario(name: \"".as_bytes().to_vec();
    bytes.extend_from_slice(b"\xff\")\n");
    std::fs::write(&bad, bytes).unwrap();
    check_refused(&bad, 1, 17, "not valid UTF-8").unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn every_scenario_under_scenarios_is_valid() {
    let files = ron_files(&common::repo("scenarios"));
    assert!(!files.is_empty(), "no scenario under scenarios/");
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let out = validate(&[f]);
            (out.status.code() != Some(0)).then(|| {
                format!(
                    "{} is refused ({}):\n{}",
                    f.display(),
                    common::ending(&out),
                    String::from_utf8_lossy(&out.stderr)
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A dated scenario's steps must end by 9999-12-31 (its tables would print five-digit years):
/// the latest start date is accepted, a day later refused at `start_date`, even when only the
/// last step's end is past it; steps other than a day or a week have no dates to check.
#[test]
fn dates_past_9999_are_refused_at_the_start_date() {
    let base = std::fs::read_to_string(corpus_dir().join("bad_start_date.ron")).unwrap();
    let dir = common::scratch("late-dates");
    let write = |name: &str, unit: &str, horizon: u32, start: &str| {
        let text = base
            .replacen(
                "horizon: 52,",
                &format!("horizon: {horizon}, step_unit: {unit:?},"),
                1,
            )
            .replacen("\"2025-13-27\"", &format!("{start:?}"), 1);
        let path = dir.join(format!("{name}.ron"));
        std::fs::write(&path, text).unwrap();
        path
    };
    let mut failures = vec![];
    // 52 weeks from 9999-01-02 end on 9999-12-31; 5,200 days from 9985-10-06 too.
    for (name, unit, horizon, start) in [
        ("weeks_latest", "week", 52, "9999-01-02"),
        ("days_latest", "days", 5200, "9985-10-06"),
        ("year_zero", "week", 5200, "0000-01-01"),
        ("months", "month", 5200, "9999-12-31"),
    ] {
        let out = validate(&[&write(name, unit, horizon, start)]);
        if out.status.code() != Some(0) {
            failures.push(format!(
                "{name} is refused: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    for (name, unit, horizon, start, fragment) in [
        (
            "weeks_a_day_late",
            "week",
            52,
            "9999-01-03",
            "\"9999-01-03\" and 52 weeks run past 9999-12-31, the last date written YYYY-MM-DD: \
             the last step, 51, begins on 9999-12-26 and ends on 10000-01-01",
        ),
        (
            "days_a_day_late",
            "days",
            5200,
            "9985-10-07",
            "the last step, 5199, begins on 10000-01-01 and ends on 10000-01-01",
        ),
        (
            "one_week",
            "weeks",
            1,
            "9999-12-31",
            "\"9999-12-31\" and 1 week runs past 9999-12-31",
        ),
        (
            "horizon_at_limit",
            "week",
            5200,
            "9999-01-04",
            "begins on 10098-08-25 and ends on 10098-08-31",
        ),
    ] {
        let path = write(name, unit, horizon, start);
        failures.extend(check_refused(&path, 5, 17, fragment).err());
    }
    let out = validate(&[&write("expected", "week", 52, "9999-06-07")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stderr.contains("a start_date on or before 9999-01-02 (or a shorter horizon)") {
        failures.push(format!("the latest start date is not given: {stderr}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Runs brink with `args` from `cwd`, failing the test (and killing brink) if it has not ended
/// within 20 seconds: a command that waits on its input must not hang the test suite.
#[cfg(unix)]
fn within_deadline(cwd: &Path, args: &[&str]) -> Output {
    use std::process::Stdio;
    let mut child = common::command()
        .current_dir(cwd)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start brink");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().ok();
            child.wait().ok();
            panic!("brink {args:?} still waits after 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

/// A FIFO (or a folder) given as a scenario, directly or as a timeline's `scenario:`, is refused
/// at once as "not a plain file" (opening a FIFO with no writer used to wait for ever); a
/// symbolic link to a plain scenario is still read.
#[cfg(unix)]
#[test]
fn a_fifo_is_refused_not_waited_on() {
    let dir = common::scratch("fifo");
    let fifo = dir.join("fifo.ron");
    mkfifo(&fifo);
    let fifo_s = fifo.to_str().unwrap();
    let out_dir = dir.join("out");
    let out_s = out_dir.to_str().unwrap();
    let runs: [&[&str]; 5] = [
        &["validate", fifo_s],
        &["describe", fifo_s],
        &["graph", fifo_s, "--out", out_s],
        &["run", fifo_s, "--runs", "10", "--out", out_s],
        &["trace", fifo_s, "--run", "0"],
    ];
    for args in runs {
        let o = within_deadline(&dir, args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "brink {args:?}: {err}");
        assert!(err.contains("not a plain file"), "brink {args:?}: {err}");
        // The file as a whole, without a line of it (none was read).
        assert!(err.contains(&format!("--> {fifo_s}\n")), "{err}");
        assert!(!err.contains(&format!("{fifo_s}:1:1")), "{err}");
        assert!(!out_dir.exists(), "brink {args:?} wrote {out_s}");
    }
    // A timeline whose scenario is a FIFO.
    let case = "russia_georgia_2006";
    std::fs::copy(
        common::repo(format!("scenarios/history/{case}.timeline.ron")),
        dir.join(format!("{case}.timeline.ron")),
    )
    .unwrap();
    mkfifo(&dir.join(format!("{case}.ron")));
    let timeline = format!("{case}.timeline.ron");
    for args in [
        &["validate", timeline.as_str()][..],
        &[
            "backtest",
            timeline.as_str(),
            "--runs",
            "10",
            "--out",
            out_s,
        ],
    ] {
        let o = within_deadline(&dir, args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "brink {args:?}: {err}");
        assert!(err.contains("not a plain file"), "brink {args:?}: {err}");
        // Located at the timeline's `scenario:` field, not at the FIFO's 1:1.
        assert!(err.contains(&format!("--> {timeline}:")), "{err}");
        assert!(!err.contains(&format!("{case}.ron:1:1")), "{err}");
        assert!(!out_dir.exists(), "brink {args:?} wrote {out_s}");
    }
    // A folder is not a plain file either; a link to a plain scenario is.
    let o = within_deadline(&dir, &["validate", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a plain file"));
    // `validate` takes either kind of file, and cannot tell which one it cannot read was
    // meant to be: it said "expected a readable scenario file" of a missing timeline.
    let o = within_deadline(&dir, &["validate", "gone.timeline.ron"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("expected a readable scenario or timeline file"),
        "{err}"
    );
    let o = within_deadline(&dir, &["validate", dir.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("expected a plain scenario or timeline file"),
        "{err}"
    );
    // Commands that take one kind name it.
    let o = within_deadline(&dir, &["describe", "gone.ron"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("expected a readable scenario file"), "{err}");
    let link = dir.join("link.ron");
    std::os::unix::fs::symlink(common::repo("scenarios/examples/richardson.ron"), &link).unwrap();
    let o = within_deadline(&dir, &["validate", link.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
    // So is a link to a timeline, and to the scenario a timeline names: `validate` took the
    // first for a scenario ("found `Timeline`"), and `backtest` refused both ("not a plain
    // file"), which `run` followed.
    let linked = dir.join("linked");
    std::fs::create_dir(&linked).unwrap();
    for f in [
        "russia_georgia_2006.ron",
        "russia_georgia_2006.timeline.ron",
    ] {
        std::os::unix::fs::symlink(
            common::repo(format!("scenarios/history/{f}")),
            linked.join(f),
        )
        .unwrap();
    }
    let timeline = linked.join("russia_georgia_2006.timeline.ron");
    let out = dir.join("linked-backtest");
    for args in [
        &["validate", timeline.to_str().unwrap()][..],
        &[
            "backtest",
            timeline.to_str().unwrap(),
            "--runs",
            "10",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ],
    ] {
        let o = within_deadline(&dir, args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}: {}",
            common::describe(&o)
        );
    }
}

/// The largest `--max-file-size` is no limit: one past it wrapped to 0, and every file was
/// "empty".
#[test]
fn the_largest_file_size_limit_reads_the_whole_file() {
    let richardson = common::repo("scenarios/examples/richardson.ron");
    let timeline = common::repo("scenarios/history/russia_georgia_2006.timeline.ron");
    for f in [&richardson, &timeline] {
        let o = common::brink(&[
            "validate",
            f.to_str().unwrap(),
            "--max-file-size",
            &u64::MAX.to_string(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
    }
}

/// A file size limit of 0 would refuse every file: refused at once, as `--max-runs 0` is, and
/// what is not a size gets brink's message (clap's said "invalid digit found in string").
#[test]
fn a_file_size_limit_of_zero_or_not_a_size_is_refused_at_once() {
    let richardson = common::repo("scenarios/examples/richardson.ron");
    for (value, says) in [
        ("0", "0 would refuse every file"),
        (
            "-1",
            "expected a whole number of bytes from 1 to 18446744073709551615",
        ),
        (
            "18446744073709551616",
            "expected a whole number of bytes from 1 to",
        ),
        ("1e6", "expected a whole number of bytes"),
    ] {
        let o = common::brink(&[
            "validate",
            richardson.to_str().unwrap(),
            "--max-file-size",
            value,
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{value}: {}",
            common::describe(&o)
        );
        assert!(err.contains(says), "{value}: {err}");
        assert!(!err.contains("invalid digit"), "{value}: {err}");
    }
    // One byte is a limit like any other: the file is named as larger than it.
    let o = common::brink(&[
        "validate",
        richardson.to_str().unwrap(),
        "--max-file-size",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("larger than the limit of 1 byte"));
}

#[test]
fn a_timeline_naming_a_missing_scenario_is_refused_at_its_scenario_field() {
    // The error pointed at the missing file itself (`nope.ron:1:1`, an empty line shown).
    let dir = common::scratch("missing-scenario");
    let text = std::fs::read_to_string(common::repo(
        "scenarios/history/russia_georgia_2006.timeline.ron",
    ))
    .unwrap();
    let field = "scenario: \"russia_georgia_2006.ron\"";
    let line = text.lines().position(|l| l.contains(field)).unwrap() + 1;
    let column = text.lines().nth(line - 1).unwrap().find('"').unwrap() + 1;
    std::fs::write(
        dir.join("case.timeline.ron"),
        text.replace(field, "scenario: \"nope.ron\""),
    )
    .unwrap();
    for args in [
        &["validate", "case.timeline.ron"][..],
        &[
            "backtest",
            "case.timeline.ron",
            "--runs",
            "10",
            "--out",
            "out",
        ],
    ] {
        let o = within_deadline(&dir, args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "brink {args:?}: {err}");
        assert!(
            err.contains("the scenario file nope.ron cannot be read")
                && err.contains(&format!("--> case.timeline.ron:{line}:{column}")),
            "brink {args:?}: {err}"
        );
        assert!(!dir.join("out").exists());
    }
    // A scenario followed by another scenario has no timeline: refused, not dropped.
    let h = |f: &str| common::repo(format!("scenarios/history/{f}"));
    let (turkey, georgia, timeline) = (
        h("russia_turkey_2015.ron"),
        h("russia_georgia_2006.ron"),
        h("russia_georgia_2006.timeline.ron"),
    );
    let o = within_deadline(
        &dir,
        &[
            "backtest",
            turkey.to_str().unwrap(),
            georgia.to_str().unwrap(),
            timeline.to_str().unwrap(),
            "--runs",
            "10",
            "--out",
            "out",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("russia_turkey_2015.ron is a scenario with no timeline after it"),
        "{err}"
    );
    assert!(!dir.join("out").exists());
}

#[test]
fn too_many_uncertain_numbers_shared_numbers_or_pressures_are_refused() {
    // Generated rather than kept in the corpus: each is hundreds of kilobytes.
    let base = std::fs::read_to_string(common::repo("scenarios/examples/richardson.ron")).unwrap();
    let dir = common::scratch("counts");
    let case = |name: &str, extra: String, line: usize, col: usize, fragment: &str| {
        let text = base.replacen("    ladder: [", &format!("{extra}    ladder: ["), 1);
        let path = dir.join(format!("{name}.ron"));
        std::fs::write(&path, text).unwrap();
        check_refused(&path, line, col, fragment).map_err(|e| format!("{name}: {e}"))
    };
    let at = base[..base.find("    ladder: [").unwrap()].lines().count() + 1;
    let name_line = base
        .lines()
        .position(|l| l.trim_start().starts_with("name:"))
        .unwrap()
        + 1;
    let effects = |n: usize| {
        (0..n)
            .map(|_| "Impulse(from: \"a\", to: \"b\", amount: Uniform(min: 0.0, max: 0.1))")
            .collect::<Vec<_>>()
            .join(", ")
    };
    let events: String = (0..410)
        .map(|e| {
            format!(
                "        Event(name: \"e{e}\", timing: Hazard(rate: 0.01), effects: [{}]),\n",
                effects(10)
            )
        })
        .collect();
    // 4,100 distributions in the events and the one of the scenario's own relations.
    let mut failures = vec![];
    failures.extend(
        case(
            "uncertain",
            format!("    events: [\n{events}    ],\n"),
            name_line,
            11,
            "4101 uncertain numbers (distributions) is more than the limit",
        )
        .err(),
    );
    let shared: String = (0..1025)
        .map(|i| format!("Shared(name: \"s{i}\", value: 1.0), "))
        .collect();
    failures.extend(
        case(
            "shared",
            format!("    shared: [{shared}],\n"),
            at,
            13,
            "1025 shared numbers is more than the limit",
        )
        .err(),
    );
    let pressures: String = (0..257)
        .map(|i| format!("Pressure(name: \"p{i}\", actor: \"a\"), "))
        .collect();
    failures.extend(
        case(
            "pressures",
            format!("    pressures: [{pressures}],\n"),
            at,
            16,
            "257 pressures is more than the limit",
        )
        .err(),
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The lists whose length multiplies a run's work had no limit of their own (only the file
/// size bounded them): an act's, an event's or a branch's effects, an event's branches, a
/// level's modifiers, a hazard's factors and the terms of one condition. Each is accepted at
/// its limit and refused one past it, at the list (the condition) itself.
#[test]
fn too_many_effects_branches_modifiers_factors_or_condition_terms_are_refused() {
    use brink::scenario::limits::{
        MAX_BRANCHES, MAX_CONDITION_TERMS, MAX_EFFECTS, MAX_FACTORS, MAX_MODIFIERS,
    };
    let base = std::fs::read_to_string(common::repo("scenarios/examples/richardson.ron")).unwrap();
    let dir = common::scratch("per-list");
    let list = |item: Item, n: usize| (0..n).map(item).collect::<Vec<_>>().join(", ");
    let impulse: Item = |_| "Impulse(from: \"a\", to: \"b\", amount: 0.1)".to_string();
    // The line that holds a list (a lever, an event or an outcome), given the list's items.
    type Line = fn(&str) -> String;
    // An item of a list, given its index.
    type Item = fn(usize) -> String;
    // Each case: its name, its limit (in items of the list), its line, the text just before the
    // list, an item, and the message.
    let cases: [(&str, usize, Line, &str, Item, &str); 7] = [
        (
            "act_effects",
            MAX_EFFECTS,
            |l| {
                format!(
                    "        Act(name: \"act\", owner: \"a\", target: \"b\", weight: -1, effects: [{l}]),"
                )
            },
            "effects: ",
            impulse,
            "effects is more than the limit",
        ),
        (
            "event_effects",
            MAX_EFFECTS,
            |l| format!("        Event(name: \"ev\", timing: Hazard(rate: 0.1), effects: [{l}]),"),
            "effects: ",
            impulse,
            "effects is more than the limit",
        ),
        (
            "branch_effects",
            MAX_EFFECTS,
            |l| {
                format!(
                    "        Event(name: \"ev\", timing: Hazard(rate: 0.1), branches: \
                     [Branch(name: \"only\", probability: 1, effects: [{l}])]),"
                )
            },
            "effects: ",
            impulse,
            "effects is more than the limit",
        ),
        (
            "branches",
            MAX_BRANCHES,
            |l| format!("        Event(name: \"ev\", timing: Hazard(rate: 0.1), branches: [{l}]),"),
            "branches: ",
            |i| format!("Branch(name: \"b{i}\", probability: 1)"),
            "branches is more than the limit",
        ),
        (
            "modifiers",
            MAX_MODIFIERS,
            |l| {
                format!(
                    "        Measure(name: \"m\", owner: \"a\", target: \"b\", levels: \
                     [Level(name: \"l1\", weight: -1, modifiers: [{l}])]),"
                )
            },
            "modifiers: ",
            |_| "Modifier(actor: \"b\", param: Activity, factor: 0.9)".into(),
            "modifiers is more than the limit",
        ),
        (
            "factors",
            MAX_FACTORS,
            |l| format!("        Event(name: \"ev\", timing: Hazard(rate: 0.1, factors: [{l}])),"),
            "factors: ",
            |_| "Factor(when: StepIn(0, 1), times: 1.1)".into(),
            "hazard factors is more than the limit",
        ),
        (
            // The All itself is a term: n − 1 conditions inside it.
            "condition_terms",
            MAX_CONDITION_TERMS - 1,
            |l| format!("        Outcome(name: \"wide\", when: All([{l}])),"),
            "when: ",
            |_| "StepIn(0, 1)".into(),
            "terms (All, Any, Not, Sustained and each condition inside them counted), more than \
             the limit",
        ),
    ];
    let mut failures = vec![];
    for (name, limit, line, before, item, says) in cases {
        let text = |n: usize| {
            let l = line(&list(item, n));
            if l.trim_start().starts_with("Outcome(") {
                base.replacen("    outcomes: [\n", &format!("    outcomes: [\n{l}\n"), 1)
            } else {
                let field = if l.trim_start().starts_with("Event(") {
                    "events"
                } else {
                    "levers"
                };
                base.replacen(
                    "    ladder: [",
                    &format!("    {field}: [\n{l}\n    ],\n    ladder: ["),
                    1,
                )
            }
        };
        let at = dir.join(format!("{name}_at_limit.ron"));
        std::fs::write(&at, text(limit)).unwrap();
        let o = validate(&[&at]);
        if o.status.code() != Some(0) {
            failures.push(format!("{name} at the limit: {}", common::describe(&o)));
        }
        let over = text(limit + 1);
        let (row, l) = over
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(&item(0)) && l.contains(before))
            .unwrap();
        let col = l.find(before).unwrap() + before.len() + 1;
        let path = dir.join(format!("{name}.ron"));
        std::fs::write(&path, &over).unwrap();
        let count = if name == "condition_terms" {
            limit + 2
        } else {
            limit + 1
        };
        failures.extend(
            check_refused(&path, row + 1, col, &format!("{count} {says}"))
                .map_err(|e| format!("{name}: {e}"))
                .err(),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_branch_of_an_event_two_variants_add_is_checked_against_both() {
    // Two variants each add an event `x` with branches of their own: BranchTaken("x", "p")
    // was refused or accepted by the order of the variants (the last one's branches alone
    // were known).
    let v1 = r#"Variant(name: "v1", add_events: [Event(name: "x", timing: Scheduled(step: 3), effects: [],
            branches: [Branch(name: "p", probability: 1.0)])]),"#;
    let v2 = r#"Variant(name: "v2", add_events: [Event(name: "x", timing: Hazard(rate: 0.5), effects: [],
            branches: [Branch(name: "q", probability: 1.0), Branch(name: "z", probability: 0.0)])]),"#;
    let scenario = |variants: &str, branch: &str| {
        format!(
            r#"Scenario(
    name: "Variant events",
    horizon: 30,
    focal: ("a", "b"),
    actors: [Actor(name: "a"), Actor(name: "b")],
    relations: [
        Relation(from: "a", to: "b", initial: 2.0, grievance: 0.5, noise: 0.3),
        Relation(from: "b", to: "a", initial: 0.0, grievance: 0.2, noise: 0.3),
    ],
    ladder: [Rung(name: "calm", threshold: -10), Rung(name: "crisis", threshold: 3)],
    outcomes: [
        Outcome(name: "xp", when: BranchTaken("x", "{branch}")),
    ],
    variants: [
        {variants}
    ],
)"#
        )
    };
    let dir = common::scratch("variant-branches");
    let file = dir.join("v.ron");
    for variants in [format!("{v1}\n        {v2}"), format!("{v2}\n        {v1}")] {
        for branch in ["p", "q", "z"] {
            std::fs::write(&file, scenario(&variants, branch)).unwrap();
            let o = within_deadline(&dir, &["validate", "v.ron"]);
            assert_eq!(
                o.status.code(),
                Some(0),
                "branch {branch}: {}",
                common::describe(&o)
            );
        }
        std::fs::write(&file, scenario(&variants, "w")).unwrap();
        let o = within_deadline(&dir, &["validate", "v.ron"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("event \"x\" has no branch \"w\"")
                && ["p, q, z", "q, z, p"].iter().any(|l| err.contains(l)),
            "{err}"
        );
    }
}

#[test]
fn two_cases_whose_names_differ_only_in_case_are_refused() {
    // Their charts (`<case>_mood.png`, …) would be one file on macOS or Windows.
    let dir = common::scratch("case-names");
    let text = std::fs::read_to_string(common::repo(
        "scenarios/history/russia_georgia_2006.timeline.ron",
    ))
    .unwrap();
    let scenario = common::repo("scenarios/history/russia_georgia_2006.ron");
    let text = text.replace(
        "scenario: \"russia_georgia_2006.ron\"",
        &format!("scenario: {:?}", scenario.to_str().unwrap()),
    );
    std::fs::write(dir.join("a.timeline.ron"), &text).unwrap();
    let upper = text.replacen(
        "name: \"russia_georgia_2006\"",
        "name: \"Russia_georgia_2006\"",
        1,
    );
    assert_ne!(upper, text);
    std::fs::write(dir.join("b.timeline.ron"), upper).unwrap();
    let o = within_deadline(
        &dir,
        &[
            "backtest",
            "a.timeline.ron",
            "b.timeline.ron",
            "--runs",
            "10",
            "--out",
            "out",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("which differ only in case"), "{err}");
    assert!(!dir.join("out").exists());
}

/// An unknown event's hint lists every event the place accepts, a variant's additions too
/// (the tutorial's staged_incident was left out); ShiftLever on an act says it is an act, as
/// SetLevel does (it said "unknown measure").
#[test]
fn hints_list_what_is_accepted_and_acts_are_named_as_acts() {
    let text = std::fs::read_to_string("scenarios/examples/tutorial.ron").unwrap();
    let dir = common::scratch("hints-accepted");
    let check = |name: &str, from: &str, to: &str, says: &[&str]| {
        assert!(text.contains(from), "{from}");
        let path = dir.join(format!("{name}.ron"));
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let o = common::brink(&["validate", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        for s in says {
            assert!(err.contains(s), "{name}: {s}: {err}");
        }
    };
    check(
        "event",
        r#"when: EventOccurred("leader_call")"#,
        r#"when: EventOccurred("leader_cal")"#,
        &[
            "unknown event \"leader_cal\"",
            "staged_incident",
            "leader_call",
        ],
    );
    check(
        "act",
        r#"ShiftLever(lever: "import_ban", param: Threshold, add: -1.0)"#,
        r#"ShiftLever(lever: "apology", param: Threshold, add: -1.0)"#,
        &["\"apology\" is an act: ShiftLever shifts a measure's numbers"],
    );
}

/// Brackets nested exactly as deep as the limit (64) are accepted wherever they are: in a
/// hazard factor's condition (and a variant's event, a branch's effects, a timeline's fact)
/// ron's own recursion limit, which counts more than one level per bracket there, refused
/// them as "brackets nest too deep … at most 64 levels"; one more is refused by brink's check.
#[test]
fn brackets_as_deep_as_the_limit_are_accepted_in_a_hazard_factor() {
    let dir = common::scratch("nest-64-factor");
    let text = std::fs::read_to_string(common::repo("scenarios/examples/richardson.ron")).unwrap();
    let at = text.find("    outcomes: [").unwrap();
    // The file's `(` and `[` around the factor: Richardson(, events: [, Event(, Hazard(,
    // factors: [, Factor( are six levels; the `Not(` and `RungAtLeast(` make up the rest.
    let event = |nots: usize| {
        format!(
            "    events: [Event(name: \"e\", timing: Hazard(rate: 0.1, factors: [Factor(when: \
             {}RungAtLeast(\"crisis\"){}, times: 2.0)]))],\n",
            "Not(".repeat(nots),
            ")".repeat(nots)
        )
    };
    for (nots, ok) in [(57, true), (58, false)] {
        let f = dir.join(format!("nest{nots}.ron"));
        std::fs::write(&f, format!("{}{}{}", &text[..at], event(nots), &text[at..])).unwrap();
        let o = common::brink(&["validate", f.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        if ok {
            assert_eq!(o.status.code(), Some(0), "{nots}: {err}");
        } else {
            assert_eq!(o.status.code(), Some(2), "{nots}: {err}");
            assert!(err.contains("nest more than 64"), "{nots}: {err}");
        }
    }
}
