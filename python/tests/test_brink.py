"""The Python package gives the command line's numbers for the same inputs.

The CLI's files are made by the `brink` binary named by BRINK_BIN (CI builds it with
`cargo build --release` first); without BRINK_BIN those tests are skipped, unless
BRINK_REQUIRE_CLI=1 (CI), which makes a missing binary a failure.
"""

import csv
import json
import math
import os
import re
import subprocess
from pathlib import Path

import pytest

import brink

REPO = Path(__file__).resolve().parents[2]
TUTORIAL = "scenarios/examples/tutorial.ron"
FLAGSHIP = "scenarios/russia_azerbaijan_2025.ron"


@pytest.fixture(autouse=True)
def at_repo(monkeypatch):
    """Paths as the README gives them, relative to the repository (the manifest records the
    path as given, so the CLI and the package see the same one)."""
    monkeypatch.chdir(REPO)


def cli(tmp_path, *args):
    """Runs the CLI with `--out tmp_path/out --no-charts`; returns the output folder."""
    exe = os.environ.get("BRINK_BIN")
    if not exe:
        if os.environ.get("BRINK_REQUIRE_CLI") == "1":
            pytest.fail("BRINK_REQUIRE_CLI=1 but BRINK_BIN is not set")
        pytest.skip("BRINK_BIN is not set (the brink binary to compare with)")
    out = tmp_path / "out"
    subprocess.run(
        [exe, *args, "--out", str(out), "--no-charts"],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return out


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def assert_table_is_csv(table, path):
    """Every column of `table` holds the CLI's file's fields: same names in the same order,
    same numbers (a real read back from its text is the same f64), None for an empty field."""
    header, *rows = read_csv(path)
    assert list(table) == header
    for j, name in enumerate(header):
        col = table[name]
        assert len(col) == len(rows), name
        for i, (value, row) in enumerate(zip(col, rows)):
            field = row[j]
            if isinstance(value, str):
                assert value == field, (name, i)
            elif value is None:
                assert field == "", (name, i)
            elif isinstance(value, int):
                assert value == int(field), (name, i)
            else:
                assert isinstance(value, float), (name, i, value)
                assert value == float(field) or (math.isnan(value) and field == "NaN"), (name, i)


def without_command(summary):
    """The JSON but for the command line that made it and the build of brink (the CLI and the
    package are two builds, of one commit in CI, maybe not on a developer's machine)."""
    s = json.loads(json.dumps(summary))
    del s["manifest"]["command"]
    s["manifest"].pop("build", None)
    return s


def test_run_equals_the_cli(tmp_path):
    r = brink.run(TUTORIAL, runs=1500, seed=7, threads=2, per_run=True)
    out = cli(tmp_path, "run", TUTORIAL, "--runs", "1500", "--seed", "7", "--per-run")
    assert_table_is_csv(r.outcomes, out / "outcomes.csv")
    assert_table_is_csv(r.timeseries, out / "timeseries.csv")
    assert_table_is_csv(r.runs, out / "runs.csv")
    cli_summary = json.loads((out / "summary.json").read_text())
    assert without_command(r.summary) == without_command(cli_summary)


def test_variant_equals_the_cli(tmp_path):
    r = brink.run(TUTORIAL, runs=800, seed=3, variant="restraint")
    out = cli(tmp_path, "run", TUTORIAL, "--runs", "800", "--seed", "3", "--variant", "restraint")
    assert r.summary["manifest"]["variant"] == "restraint"
    assert_table_is_csv(r.outcomes, out / "outcomes.csv")
    assert without_command(r.summary) == without_command(
        json.loads((out / "summary.json").read_text())
    )
    # And the variant is applied: restraint lowers P(rupture) from the base's (about 38% and
    # 12% in the file's notes; at 800 runs each is within ±3.5 points).
    base = brink.run(TUTORIAL, runs=800, seed=3)
    p = dict(zip(r.outcomes["outcome"], r.outcomes["probability"]))
    p0 = dict(zip(base.outcomes["outcome"], base.outcomes["probability"]))
    assert p["rupture"] < p0["rupture"] - 0.1


def test_compare_equals_the_cli(tmp_path):
    c = brink.compare(TUTORIAL, runs=600, seed=5, variants=["visa_now", "restraint"])
    out = cli(
        tmp_path, "compare", TUTORIAL, "--variants", "visa_now,restraint",
        "--runs", "600", "--seed", "5", "--no-tornado",
    )
    assert without_command(c.summary) == without_command(
        json.loads((out / "compare.json").read_text())
    )
    assert_table_is_csv(c.comparison, out / "compare.csv")
    assert [a["name"] for a in c.summary["arms"]] == ["base", "visa_now", "restraint"]


def test_compare_per_run_equals_the_cli(tmp_path):
    c = brink.compare(TUTORIAL, runs=400, seed=5, variants=["restraint", "visa_now"],
                      per_run=True)
    out = cli(tmp_path, "compare", TUTORIAL, "--runs", "400", "--seed", "5",
              "--variants", "restraint,visa_now", "--no-tornado", "--per-run")
    assert_table_is_csv(c.runs, out / "runs.csv")
    # For each run, the base's row then each variant's.
    assert c.runs["variant"][:3] == ["base", "restraint", "visa_now"]
    assert c.runs["run"][:6] == [0, 0, 0, 1, 1, 1]
    # The tornado's arms have no rows.
    assert len(brink.compare(TUTORIAL, runs=20, variants=["restraint"], tornado=True,
                             per_run=True).runs["run"]) == 40
    with pytest.raises(MemoryError, match="rows"):
        brink.compare(FLAGSHIP, runs=2**48 - 1, max_runs=2**48 - 1, per_run=True, threads=1)


def test_an_input_a_variant_does_not_have_is_none_as_in_the_csv(tmp_path):
    # pretext removes the summit event: its rows have no probability for it (the CSV's empty
    # field; it came back as NaN, which polars counts as a value).
    c = brink.compare(TUTORIAL, runs=10, seed=0, variants=["pretext"], per_run=True)
    out = cli(tmp_path, "compare", TUTORIAL, "--runs", "10", "--seed", "0",
              "--variants", "pretext", "--no-tornado", "--per-run")
    assert_table_is_csv(c.runs, out / "runs.csv")
    column = c.runs["in.events.patron_summit.probability"]
    rows = list(zip(c.runs["variant"], column))
    assert all(v is None for arm, v in rows if arm == "pretext")
    assert all(isinstance(v, float) for arm, v in rows if arm == "base")


def test_compare_defaults_to_every_variant():
    c = brink.compare(TUTORIAL, runs=200, seed=1)
    assert [a["name"] for a in c.summary["arms"]] == ["base", "visa_now", "restraint", "pretext"]
    # One row per (variant, outcome); every variant has as many.
    arms = c.comparison["variant"]
    assert len(arms) == 4 * len(set(c.comparison["outcome"]))


def test_compare_variants_are_recorded_as_names_and_none_is_not_an_empty_list():
    # Found by a reviewing helper: a generator was recorded as its repr (a memory address) in
    # the manifest's command, and an empty list compared the base with nothing.
    c = brink.compare(TUTORIAL, runs=20, variants=(v for v in ["visa_now"]))
    assert [a["name"] for a in c.summary["arms"]] == ["base", "visa_now"]
    command = c.summary["manifest"]["command"]
    assert "variants=['visa_now']" in " ".join(command), command
    assert "generator" not in " ".join(command), command
    with pytest.raises(ValueError, match="variants is empty"):
        brink.compare(TUTORIAL, runs=20, variants=[])


def test_a_path_set_twice_in_a_list_of_pairs_is_refused():
    # Found by a reviewing helper: the last value was kept without a word (the command line
    # refuses a path set twice).
    with pytest.raises(ValueError, match="set names 'actors.north.hawkishness' twice"):
        brink.run(TUTORIAL, runs=10, set=[("actors.north.hawkishness", 0.1),
                                          ("actors.north.hawkishness", 0.2)])
    # A list of distinct pairs is taken, as a dict is.
    r = brink.run(TUTORIAL, runs=10, set=[("actors.north.hawkishness", 0.1)])
    assert r.summary["manifest"]["set"] == [{"path": "actors.north.hawkishness", "value": "0.1"}]
    r = brink.run(TUTORIAL, runs=10, set=((k, v) for k, v in [("actors.north.hawkishness", 0.1)]))
    assert r.summary["manifest"]["set"] == [{"path": "actors.north.hawkishness", "value": "0.1"}]


def test_a_set_iterator_is_recorded_as_its_pairs_and_numpy_bools_are_refused():
    # Found by a reviewing helper: an iterator of pairs was recorded in the manifest's command
    # as its repr ("<list_iterator object at 0x...>"), and NumPy's True passed as the number 1
    # where Python's True is refused.
    pairs = [("actors.north.hawkishness", 0.1)]
    for given in (iter(pairs), dict(pairs).items()):
        r = brink.run(TUTORIAL, runs=10, set=given)
        command = " ".join(r.summary["manifest"]["command"])
        assert "set={'actors.north.hawkishness': 0.1}" in command, command
        assert " at 0x" not in command and "dict_items" not in command, command
    c = brink.compare(TUTORIAL, runs=10, variants=["visa_now"], set=iter(pairs))
    command = " ".join(c.summary["manifest"]["command"])
    assert "set={'actors.north.hawkishness': 0.1}" in command, command
    np = pytest.importorskip("numpy")
    for value in (np.True_, np.False_, True):
        with pytest.raises(ValueError, match="not True or False"):
            brink.run(TUTORIAL, runs=10, set={"actors.north.hawkishness": value})


def test_numpy_values_are_recorded_as_the_plain_values_they_hold():
    # Found by a helper following docs/python.md: the manifest's command recorded
    # "np.float64(0.3)" and "np.str_('restraint')", a call nobody types.
    np = pytest.importorskip("numpy")
    r = brink.run(TUTORIAL, runs=np.int64(10), variant=np.str_("restraint"),
                  set={"actors.north.hawkishness": np.float64(0.3)})
    command = " ".join(r.summary["manifest"]["command"])
    assert "runs=10, " in command and "variant='restraint'" in command, command
    assert "set={'actors.north.hawkishness': 0.3}" in command, command
    assert "np." not in command, command
    c = brink.compare(TUTORIAL, runs=10, variants=np.array(["visa_now", "restraint"]))
    command = " ".join(c.summary["manifest"]["command"])
    assert "variants=['visa_now', 'restraint']" in command, command


def test_a_set_value_of_the_right_kind_but_unusable_says_why():
    # Found by a reviewing helper: 10**400 was refused as "not int", a lone surrogate as
    # "not str", and one in a path rose as a raw UnicodeEncodeError.
    with pytest.raises(ValueError, match="must fit a float"):
        brink.run(TUTORIAL, runs=10, set={"actors.north.hawkishness": 10**400})
    with pytest.raises(ValueError, match="valid Unicode"):
        brink.run(TUTORIAL, runs=10, set={"actors.north.hawkishness": "Uniform(min: 0, max: 1, "
                                          "source: \"\udcff\")"})
    with pytest.raises(ValueError, match="is not valid Unicode"):
        brink.run(TUTORIAL, runs=10, set={"actors.north.hawkishness\udcff": 1})


def test_a_bad_path_raises_value_error_naming_the_file():
    with pytest.raises(ValueError, match="no_such_scenario.ron"):
        brink.run("scenarios/no_such_scenario.ron", runs=10)


def test_a_bad_scenario_raises_value_error_with_its_location(tmp_path):
    bad = tmp_path / "bad.ron"
    bad.write_text('Scenario(name: "x", steps: "many")\n')
    with pytest.raises(ValueError, match=r"bad\.ron:1:"):
        brink.run(bad, runs=10)


def test_unknown_variants_and_paths_raise_value_error():
    with pytest.raises(ValueError, match=r'unknown variant "nah".*visa_now'):
        brink.run(TUTORIAL, runs=10, variant="nah")
    with pytest.raises(ValueError, match=r'unknown variant "nah"'):
        brink.compare(TUTORIAL, runs=10, variants=["nah"])
    with pytest.raises(ValueError, match=r"relations\.south->north\.grievanse.*did you mean"):
        brink.run(TUTORIAL, runs=10, set={"relations.south->north.grievanse": 0.2})
    with pytest.raises(ValueError, match="RON"):
        brink.run(TUTORIAL, runs=10, set={"relations.south->north.grievance": "Uniform(min: 1"})


def test_set_errors_name_the_entry_as_python_wrote_it():
    # The command line's wording (`--set PATH=VALUE`) would send a Python user looking for a
    # flag; each refusal names the dict's entry instead.
    def message(set):
        with pytest.raises(ValueError) as e:
            brink.run(TUTORIAL, runs=10, set=set)
        assert "--set" not in str(e.value) and "PATH=VALUE" not in str(e.value), e.value
        return str(e.value)

    assert message({"nope.x": 1}).startswith('set["nope.x"] = "1": unknown parameter path')
    # A key holding '=' is a path (an unknown one), not split at the '='.
    assert message({"a=b": 1}).startswith('set["a=b"] = "1": unknown parameter path "a=b"')
    assert message({"actors.south.sensitivity": -5}).startswith(
        'set["actors.south.sensitivity"] = "-5": actors.south.sensitivity is -5, outside')
    assert "Expected comma" in message({"actors.south.sensitivity": "Uniform(min: 1"})
    assert message({"actors.south.sensitivity": " "}).startswith(
        'set["actors.south.sensitivity"] = " ": no value; expected a number or a distribution')
    # Spaces around a path are dropped, as the command line's `--set ' path = 1.5'` drops them.
    r = brink.run(TUTORIAL, runs=10, set={" actors.south.sensitivity ": 1.5})
    assert r.summary["manifest"]["set"][0]["path"] == "actors.south.sensitivity"
    with pytest.raises(ValueError, match="at least 1"):
        brink.run(TUTORIAL, runs=0)
    # The command line's form, or anything but a mapping, is refused by name.
    for wrong in (["actors.south.sensitivity=1.5"], "actors.south.sensitivity=1.5", {1: 0.4}):
        with pytest.raises(TypeError, match="set is a dict of parameter path to value"):
            brink.run(TUTORIAL, runs=10, set=wrong)
        with pytest.raises(TypeError, match="set is a dict of parameter path to value"):
            brink.compare(TUTORIAL, runs=10, set=wrong)
    # Pairs are a dict's items, as dict() reads them.
    r = brink.run(TUTORIAL, runs=10, set=[("actors.south.sensitivity", 1.5)])
    assert r.summary["manifest"]["set"][0]["path"] == "actors.south.sensitivity"


def test_per_run_steps_equal_the_cli(tmp_path):
    r = brink.run(TUTORIAL, runs=300, seed=4, per_run_steps=[26, 13, 26])
    out = cli(tmp_path, "run", TUTORIAL, "--runs", "300", "--seed", "4",
              "--per-run-steps", "26,13,26")
    assert_table_is_csv(r.runs, out / "runs.csv")
    assert "out.rung_at.13" in r.runs and "out.rung_at.26" in r.runs
    with pytest.raises(ValueError, match="per_run_steps asks for step 52"):
        brink.run(TUTORIAL, runs=10, per_run_steps=[52])
    with pytest.raises(TypeError):
        brink.run(TUTORIAL, runs=10, per_run_steps=13)
    with pytest.raises(TypeError):
        brink.run(TUTORIAL, runs=10, per_run_steps=[True])
    with pytest.raises(ValueError, match="from 0"):
        brink.run(TUTORIAL, runs=10, per_run_steps=[-1])
    # Any integer type (NumPy's too) and any iterable; the manifest records the list.
    import numpy
    r = brink.run(TUTORIAL, runs=10, per_run_steps=(s for s in numpy.array([13])))
    assert "out.rung_at.13" in r.runs
    assert r.summary["manifest"]["command"][-1].endswith("per_run_steps=[13])")


def test_per_run_has_one_row_per_run():
    r = brink.run(TUTORIAL, runs=777, seed=2, per_run=True)
    assert r.runs["run"] == list(range(777))
    assert all(len(col) == 777 for col in r.runs.values())
    # Each outcome's true/false column (out.<outcome>) sums to its runs_hit.
    for name, hits in zip(r.outcomes["outcome"], r.outcomes["runs_hit"]):
        assert all(isinstance(x, bool) for x in r.runs["out." + name])
        assert sum(r.runs["out." + name]) == hits
    assert "runs" not in brink.run(TUTORIAL, runs=10).tables


def test_threads_do_not_change_the_numbers():
    a = brink.run(TUTORIAL, runs=1200, seed=9, threads=1, per_run=True)
    b = brink.run(TUTORIAL, runs=1200, seed=9, threads=2, per_run=True)
    assert a.tables == b.tables
    assert without_command(a.summary) == without_command(b.summary)


def test_set_changes_exactly_the_named_number():
    grievance = "relations.south->north.grievance"  # 0.15 in the file
    base = brink.run(TUTORIAL, runs=600, seed=4, per_run=True)
    same = brink.run(TUTORIAL, runs=600, seed=4, per_run=True, set={grievance: 0.15})
    assert same.tables == base.tables
    more = brink.run(TUTORIAL, runs=600, seed=4, set={grievance: 0.5})
    assert more.outcomes["probability"][0] > base.outcomes["probability"][0]
    # A distribution in RON text: the file's own one gives the same draws.
    spec = 'Normal(mean: 0.3, sd: 0.1, source: "assumption")'
    again = brink.run(
        TUTORIAL, runs=600, seed=4, per_run=True,
        set={"relations.north->south.grievance": spec},
    )
    assert again.tables == base.tables


def test_set_is_layered_over_the_variant():
    # pretext sets this grievance to 0.5: setting it to 0.5 again changes nothing, setting it
    # back to the base's 0.15 changes the variant's results.
    grievance = "relations.south->north.grievance"
    pretext = brink.run(TUTORIAL, runs=600, seed=4, variant="pretext")
    same = brink.run(TUTORIAL, runs=600, seed=4, variant="pretext", set={grievance: 0.5})
    assert same.tables == pretext.tables
    back = brink.run(TUTORIAL, runs=600, seed=4, variant="pretext", set={grievance: 0.15})
    assert back.outcomes["probability"][0] < pretext.outcomes["probability"][0]


def test_tables_load_into_pandas():
    pandas = pytest.importorskip("pandas")
    r = brink.run(TUTORIAL, runs=300, seed=0, per_run=True)
    df = r.to_pandas()
    assert list(df.columns) == list(r.outcomes)
    assert df["probability"].dtype == "float64"
    runs = r.to_pandas("runs")
    assert len(runs) == 300 and runs["run"].dtype == "int64"
    # A step that never came is missing, not zero.
    first = runs["out.rupture.first_step"]
    assert first.isna().sum() == 300 - r.outcomes["runs_hit"][0]
    assert isinstance(pandas.DataFrame(r.timeseries), pandas.DataFrame)
    small = brink.run(TUTORIAL, runs=10)
    with pytest.raises(KeyError, match="per_run"):
        small.to_pandas("runs")
    # Read as an attribute, the same hint.
    with pytest.raises(AttributeError, match="per_run=True"):
        small.runs


def dtype_for(column, values):
    """The dtype the data dictionary's type of `column` gives it in pandas (docs/python.md)."""
    kind = column["type"]
    if kind == "int32_nullable":
        return "Int64"
    if kind == "u_int64":
        return "uint64" if column["name"] == "seed" else "int64"
    if kind in ("float64", "float32"):
        return "float64"
    if kind == "bool":
        return "bool"
    assert kind == "category", column
    return "category"


def assert_frame_is_table(df, table, columns):
    """`df` holds `table`'s values, each column of the dtype its dictionary type gives it."""
    assert list(df.columns) == list(table) == [c["name"] for c in columns]
    pandas = pytest.importorskip("pandas")
    for c in columns:
        name, values = c["name"], table[c["name"]]
        assert str(df[name].dtype) == dtype_for(c, values), (name, df[name].dtype, c["type"])
        if c["type"] == "category":
            assert list(df[name].cat.categories) == c["levels"], name
        got = [None if pandas.isna(v) else v for v in df[name].tolist()]
        want = [None if v is None or (isinstance(v, float) and math.isnan(v)) else v
                for v in values]
        assert got == want, name
        # Whole numbers come back as whole numbers (17, not 17.0).
        if c["type"] in ("int32_nullable", "u_int64"):
            assert all(isinstance(v, int) for v in got if v is not None), name


def test_to_pandas_types_columns_by_the_data_dictionary():
    # A nullable whole number (a step that never came) came back as float64 (17.0 and NaN).
    pytest.importorskip("pandas")
    r = brink.run(TUTORIAL, runs=300, seed=0, per_run=True, per_run_steps=[13])
    for name in r.tables:
        assert_frame_is_table(r.to_pandas(name), r.tables[name], r.dictionary[name])
    runs = r.to_pandas("runs")
    first = runs["out.rupture.first_step"]
    assert str(first.dtype) == "Int64"
    assert first.isna().sum() == 300 - r.outcomes["runs_hit"][0] > 0
    assert first.dropna().min() >= 0 and first.dropna().astype(int).tolist() == [
        v for v in r.runs["out.rupture.first_step"] if v is not None]
    assert str(runs["run"].dtype) == "int64" and str(runs["out.rupture"].dtype) == "bool"
    assert list(runs["out.final_rung"].cat.categories) == ["calm", "friction", "confrontation",
                                                           "rupture"]
    # The summary tables: counts int64, reals float64 with NaN where the CSV field is empty.
    outcomes = r.to_pandas()
    assert str(outcomes["runs_hit"].dtype) == "int64"
    assert str(outcomes["outcome"].dtype) == "category"
    never = outcomes[outcomes["runs_hit"] == 0]
    assert len(never) > 0 and never["first_step_median"].isna().all()
    assert str(outcomes["first_step_median"].dtype) == "float64"
    # A comparison: the tornado's lever is missing for the base and variants' rows.
    c = brink.compare(TUTORIAL, runs=40, seed=1, variants=["pretext"], tornado=True, per_run=True)
    for name in c.tables:
        assert_frame_is_table(c.to_pandas(name), c.tables[name], c.dictionary[name])
    comparison = c.to_pandas()
    assert comparison["lever"].isna().sum() == 2 * len(set(c.comparison["outcome"]))
    # pretext has no summit event: the base's rows have a number, its rows NaN.
    probability = c.to_pandas("runs")["in.events.patron_summit.probability"]
    assert str(probability.dtype) == "float64" and 0 < probability.isna().sum() < len(probability)


def test_to_polars_types_columns_by_the_data_dictionary():
    # polars.DataFrame(table) typed a column by the values it held: a step column without a
    # blank came back Int64 here and, with one, the same; but a real column of whole values
    # (0.0) and a name column came back as whatever the first values suggested.
    polars = pytest.importorskip("polars")
    r = brink.run(TUTORIAL, runs=300, seed=0, per_run=True, per_run_steps=[13])
    c = brink.compare(TUTORIAL, runs=40, seed=1, variants=["pretext"], tornado=True, per_run=True)
    for result in (r, c):
        for name in result.tables:
            table, columns = result.tables[name], result.dictionary[name]
            df = result.to_polars(name)
            assert df.columns == list(table) == [col["name"] for col in columns]
            for col in columns:
                key, kind, values = col["name"], col["type"], table[col["name"]]
                dtype = df.schema[key]
                if kind in ("int32_nullable", "u_int64"):
                    want = polars.UInt64 if key == "seed" else polars.Int64
                    assert dtype == want, (name, key, dtype)
                elif kind in ("float64", "float32"):
                    assert dtype == polars.Float64, (name, key, dtype)
                elif kind == "bool":
                    assert dtype == polars.Boolean, (name, key, dtype)
                else:
                    assert dtype == polars.Enum(col["levels"]), (name, key, dtype)
                got = df[key].to_list()
                want = [None if v is None or (isinstance(v, float) and math.isnan(v)) else v
                        for v in values]
                assert [None if isinstance(v, float) and math.isnan(v) else v
                        for v in got] == want, (name, key)
    runs = r.to_polars("runs")
    assert runs["out.rupture.first_step"].null_count() == 300 - r.outcomes["runs_hit"][0] > 0
    assert runs["out.final_rung"].dtype == polars.Enum(
        ["calm", "friction", "confrontation", "rupture"])
    # A result of a seed beyond int64 keeps it; results of any seeds stack.
    big = brink.run(TUTORIAL, runs=2, seed=2**63 + 5, per_run=True).to_polars("runs")
    small = brink.run(TUTORIAL, runs=2, seed=3, per_run=True).to_polars("runs")
    both = polars.concat([big, small])
    assert both["seed"].to_list() == [2**63 + 5] * 2 + [3] * 2


def test_a_nullable_column_stays_nullable_where_nothing_is_missing():
    # The dtype is the dictionary's, not a guess from this result's values: a column with no
    # blank is Int64 too, so that results concatenate without turning it into floats.
    pandas = pytest.importorskip("pandas")
    r = brink.run(TUTORIAL, runs=3, seed=0, per_run=True)
    runs = r.to_pandas("runs")
    nullable = [c["name"] for c in r.dictionary["runs"] if c["type"] == "int32_nullable"]
    full = [n for n in nullable if None not in r.runs[n]]
    blank = [n for n in nullable if None in r.runs[n]]
    assert full and blank, "expected columns with and without blanks in 3 runs"
    for name in nullable:
        assert str(runs[name].dtype) == "Int64", name
    both = pandas.concat([runs, brink.run(TUTORIAL, runs=300, seed=0, per_run=True)
                          .to_pandas("runs")])
    for name in nullable:
        assert str(both[name].dtype) == "Int64", name


def test_a_seed_beyond_int64_keeps_its_value_in_pandas():
    pytest.importorskip("pandas")
    seed = 2**64 - 1
    runs = brink.run(TUTORIAL, runs=3, seed=seed, per_run=True).to_pandas("runs")
    assert str(runs["seed"].dtype) == "uint64" and runs["seed"].tolist() == [seed] * 3
    assert str(runs["run"].dtype) == "int64"


def test_results_of_any_seeds_concatenate_keeping_their_seeds():
    # The seed's dtype was its value's: int64 for seed 5, uint64 for 2**63 + 1, and the two
    # concatenated as float64, in which 2**63 + 1 reads 2**63.
    pandas = pytest.importorskip("pandas")
    small, big = 5, 2**63 + 1
    frames = [brink.run(TUTORIAL, runs=2, seed=s, per_run=True).to_pandas("runs")
              for s in (small, big)]
    assert [str(f["seed"].dtype) for f in frames] == ["uint64", "uint64"]
    both = pandas.concat(frames, ignore_index=True)
    assert str(both["seed"].dtype) == "uint64"
    assert both["seed"].tolist() == [small, small, big, big]
    assert str(both["run"].dtype) == "int64"


RICHARDSON = "scenarios/examples/richardson.ron"


@pytest.mark.parametrize("call", ["run", "compare"])
def test_sigint_interrupts_a_long_call(call):
    # 10**8 runs on one thread would take many minutes; SIGINT from a timer must stop it.
    import signal
    import threading
    import time

    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            if call == "run":
                brink.run(RICHARDSON, runs=10**8, seed=0, threads=1)
            else:
                brink.compare(TUTORIAL, runs=10**8, seed=0, threads=1)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 30
    # The package still works afterwards.
    assert brink.run(TUTORIAL, runs=10).summary["manifest"]["runs"] == 10


def test_threads_and_runs_have_the_command_lines_limits():
    with pytest.raises(ValueError, match="threads must be at most 1024"):
        brink.run(TUTORIAL, runs=10, threads=20000)
    with pytest.raises(ValueError, match="threads must be at most 1024"):
        brink.compare(TUTORIAL, runs=10, threads=1025)
    with pytest.raises(ValueError, match="more than the limit of 100000000"):
        brink.run(TUTORIAL, runs=100_000_001)
    with pytest.raises(ValueError, match="more than the limit of 50"):
        brink.compare(TUTORIAL, runs=51, max_runs=50)
    with pytest.raises(ValueError, match="max_runs"):
        brink.run(TUTORIAL, runs=10, max_runs=0)
    assert brink.run(TUTORIAL, runs=50, max_runs=50).summary["manifest"]["runs"] == 50


def test_a_per_run_table_too_large_for_memory_is_refused_before_it_runs():
    # 2**48 - 1 flagship runs' rows are more bytes than any address space holds: refused at once
    # (playing them would never end), as a MemoryError naming the way that streams.
    with pytest.raises(MemoryError, match="--per-run"):
        brink.run(FLAGSHIP, runs=2**48 - 1, max_runs=2**48 - 1, per_run=True, threads=1)
    # per_run_steps alone keeps the same table, and is told so in the same words.
    with pytest.raises(MemoryError, match=r"the per-run table \(per_run=True or per_run_steps="):
        brink.run(FLAGSHIP, runs=2**48 - 1, max_runs=2**48 - 1, per_run_steps=[4], threads=1)
    # Under a memory limit, a table that would not fit raised nothing: the interpreter
    # aborted when the vector grew, after every run was played. Now a MemoryError, at once.
    code = (
        "import resource, brink\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))\n"
        "try:\n"
        f"    brink.run({FLAGSHIP!r}, runs=3_000_000, per_run=True)\n"
        "except MemoryError as e:\n"
        "    print('MemoryError', e)\n"
    )
    import sys
    import time

    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "MemoryError the per-run table (per_run=True or per_run_steps=) keeps every run's row"
    )
    assert "3000000 rows" in done.stdout
    assert time.monotonic() - start < 60
    # Found by a reviewing helper: a table whose cells just fitted (300,000 runs of two arms,
    # 2.9 GB under a 3 GB limit) aborted the interpreter when the engine, or later Python's
    # lists, could not allocate beside them. The room beside the cells is asked for too.
    code = code.replace(
        f"brink.run({FLAGSHIP!r}, runs=3_000_000, per_run=True)",
        f"brink.compare({FLAGSHIP!r}, runs=300_000, per_run=True, "
        "variants=['missing_leader_contact'])",
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("MemoryError the per-run table"), done.stdout
    assert "as Python lists" in done.stdout, done.stdout


def test_scenario_text_given_for_its_path_is_told_so():
    text = (REPO / RICHARDSON).read_text()
    with pytest.raises(ValueError, match=r"not its text \(this one holds \d+ lines") as e:
        brink.run(text, runs=10)
    assert len(str(e.value)) < 300
    one_line = "Scenario(" + "x" * 5000 + ")"
    with pytest.raises(ValueError, match=r"not its text \(this one holds 1 line, ") as e:
        brink.run(one_line, runs=10)
    assert len(str(e.value)) < 300
    # A one-line record that ends in a comment is text too (it was read as a path).
    commented = '(name: "x", horizon: 2) // a draft'
    with pytest.raises(ValueError, match=r"not its text \(this one holds 1 line, "):
        brink.run(commented, runs=10)


def test_the_manifest_records_max_runs_when_given():
    command = brink.run(TUTORIAL, runs=10, max_runs=50).summary["manifest"]["command"]
    assert command[-1].endswith("max_runs=50)")
    command = brink.run(TUTORIAL, runs=10).summary["manifest"]["command"]
    assert "max_runs" not in command[-1]


def test_a_path_that_is_not_utf8(tmp_path):
    name = os.fsencode(tmp_path) + b"/r\xff.ron"
    with open(name, "wb") as f:
        f.write((REPO / RICHARDSON).read_bytes())
    want = brink.run(RICHARDSON, runs=50, seed=1).tables
    assert brink.run(name, runs=50, seed=1).tables == want
    assert brink.run(os.fsdecode(name), runs=50, seed=1).tables == want
    assert brink.run(Path(os.fsdecode(name)), runs=50, seed=1).tables == want


def test_a_variant_named_twice_is_refused():
    with pytest.raises(ValueError, match="restraint is given twice"):
        brink.compare(TUTORIAL, runs=10, variants=["restraint", "restraint"])


@pytest.mark.parametrize("kw", ["runs", "seed", "threads", "max_runs"])
def test_booleans_are_not_numbers(kw):
    with pytest.raises(TypeError):
        brink.run(TUTORIAL, **{"runs": 10, kw: True})
    with pytest.raises(TypeError):
        brink.compare(TUTORIAL, **{"runs": 10, kw: True})


@pytest.mark.parametrize("kw", ["runs", "seed", "threads", "max_runs"])
def test_negative_or_huge_numbers_are_refused_by_name(kw):
    # The binding raised OverflowError("can't convert negative int to unsigned"), naming none.
    for value in [-1, 2**64]:
        for call in (brink.run, brink.compare):
            with pytest.raises(ValueError, match=f"{kw}={value}: expected a whole number"):
                call(TUTORIAL, **{"runs": 10, kw: value})
    # The largest seed is a seed.
    assert brink.run(TUTORIAL, runs=10, seed=2**64 - 1).summary["manifest"]["seed"] == 2**64 - 1


def test_per_run_is_true_or_false():
    # A string was taken by its truth: "no" asked for the per-run table.
    for value in ["no", 1, "False"]:
        with pytest.raises(TypeError, match="per_run is True or False"):
            brink.run(TUTORIAL, runs=10, per_run=value)
        with pytest.raises(TypeError, match="per_run is True or False"):
            brink.compare(TUTORIAL, runs=10, per_run=value)
    assert "runs" not in brink.run(TUTORIAL, runs=10, per_run=None).tables
    np = pytest.importorskip("numpy")
    assert "runs" in brink.run(TUTORIAL, runs=10, per_run=np.bool_(True)).tables


def test_tornado_refuses_a_number():
    with pytest.raises(TypeError):
        brink.compare(TUTORIAL, runs=10, tornado=1)
    # An empty name read as True: the first outcome's tornado, which nobody named.
    with pytest.raises(ValueError, match="tornado is True, False or an outcome's name"):
        brink.compare(TUTORIAL, runs=10, tornado="")


def test_max_file_size_is_a_keyword_and_the_refusal_names_it(tmp_path):
    # The refusal said "raise the limit with --max-file-size", a flag Python does not have.
    big = tmp_path / "big.ron"
    text = (REPO / TUTORIAL).read_text()
    big.write_text(text + "\n//" + "x" * brink.MAX_FILE_SIZE + "\n")
    for call in (brink.run, brink.compare):
        with pytest.raises(ValueError, match=r"raise the limit with max_file_size=") as e:
            call(big, runs=10)
        assert "--max-file-size" not in str(e.value)
    r = brink.run(big, runs=10, seed=3, max_file_size=2 * brink.MAX_FILE_SIZE)
    assert r.tables == brink.run(TUTORIAL, runs=10, seed=3).tables
    assert r.summary["manifest"]["command"][-1].endswith(f"max_file_size={2 * brink.MAX_FILE_SIZE})")
    with pytest.raises(ValueError, match="larger than the limit of 100 bytes"):
        brink.compare(TUTORIAL, runs=10, max_file_size=100)


def test_a_set_number_is_recorded_as_it_is_typed(tmp_path):
    # 1e-7 was recorded as "0.0000001", where the command line's --set records "1e-7".
    path = "actors.north.hawkishness"
    for value, text in [(1e-7, "1e-7"), (2.5e-5, "2.5e-5"), (0.4, "0.4"), (1, "1"), ("1e-07", "1e-07")]:
        r = brink.run(TUTORIAL, runs=10, set={path: value})
        assert r.summary["manifest"]["set"][0]["value"] == text
    r = brink.run(TUTORIAL, runs=30, seed=2, set={path: 1e-7})
    out = cli(tmp_path, "run", TUTORIAL, "--runs", "30", "--seed", "2", "--set", f"{path}=1e-7")
    with open(out / "summary.json") as f:
        assert without_command(r.summary) == without_command(json.load(f))


def test_set_keeps_the_dicts_order(tmp_path):
    a, b = "relations.south->north.grievance", "relations.north->south.grievance"
    # Not alphabetical (b sorts before a): the manifest keeps the order given.
    r = brink.run(TUTORIAL, runs=20, seed=2, set={a: 0.3, b: 0.2})
    assert [s["path"] for s in r.summary["manifest"]["set"]] == [a, b]
    out = cli(tmp_path, "run", TUTORIAL, "--runs", "20", "--seed", "2",
              "--set", f"{a}=0.3", "--set", f"{b}=0.2")
    with open(out / "summary.json") as f:
        assert without_command(r.summary) == without_command(json.load(f))


def test_compiled_models_over_their_budget_are_refused(tmp_path):
    # 512 measures of 32 levels (about 26 MiB a compiled model): the tornado's 1,025 arms would
    # take 26 GB; refused before they are compiled, as the command line refuses them.
    levels = ", ".join(f'Level(name: "l{j}", weight: -1.0)' for j in range(32))
    measures = ",\n".join(
        f'Measure(name: "m{k}", owner: "a", target: "b", levels: [{levels}], source: "x")'
        for k in range(512)
    )
    path = tmp_path / "wide.ron"
    path.write_text(
        'Scenario(name: "wide", horizon: 52, focal: ("a", "b"),\n'
        '  actors: [Actor(name: "a"), Actor(name: "b")],\n'
        '  relations: [Relation(from: "a", to: "b"), Relation(from: "b", to: "a")],\n'
        '  ladder: [Rung(name: "calm", threshold: -10), Rung(name: "tense", threshold: 2)],\n'
        f"  levers: [{measures}],\n"
        '  outcomes: [Outcome(name: "t", when: RungAtLeast("tense"))],\n)\n'
    )
    with pytest.raises(ValueError, match="budget of 2048 MiB for models in memory") as e:
        brink.compare(path, runs=2, tornado=True)
    # Told in Python's words, not the command line's.
    assert "no tornado (tornado=False)" in str(e.value) and "--no-tornado" not in str(e.value)
    assert brink.compare(path, runs=2).tables["comparison"]


def test_a_path_that_only_starts_like_scenario_text_is_read_as_a_path():
    # "//tmp/x.ron" is a path, and "(draft) x.ron" a file name: both were told they were a
    # scenario's text (found by a reviewing helper).
    for path in ("//tmp/no_such_brink_file.ron", "(draft) no_such_brink_file.ron"):
        with pytest.raises(ValueError) as e:
            brink.run(path, runs=10)
        assert "not its text" not in str(e.value), str(e.value)
        assert "no_such_brink_file.ron" in str(e.value)


def test_names_that_are_not_text_are_refused_by_their_argument():
    # A lone surrogate raised the codec's own error, naming no argument.
    with pytest.raises(ValueError, match="variant holds"):
        brink.run(TUTORIAL, runs=10, variant="\udcff")
    with pytest.raises(ValueError, match="variants holds"):
        brink.compare(TUTORIAL, runs=10, variants=["\udcff"])
    with pytest.raises(ValueError, match="tornado holds"):
        brink.compare(TUTORIAL, runs=10, variants=["restraint"], tornado="\udcff")
    # Bytes were read byte by byte ("'int' object cannot be cast as 'str'").
    with pytest.raises(TypeError, match="variants is a list of variant names"):
        brink.compare(TUTORIAL, runs=10, variants=b"restraint")


def test_tornado_takes_numpys_true_as_per_run_does():
    np = pytest.importorskip("numpy")
    a = brink.compare(TUTORIAL, runs=20, variants=["restraint"], tornado=np.bool_(True))
    b = brink.compare(TUTORIAL, runs=20, variants=["restraint"], tornado=True)
    assert a.tables["comparison"] == b.tables["comparison"]


def test_set_as_a_list_of_strings_is_quoted_as_given():
    # The message showed the string split into characters.
    with pytest.raises(TypeError) as e:
        brink.run(TUTORIAL, runs=10, set=["actors.north.hawkishness=0.4"])
    assert "['actors.north.hawkishness=0.4']" in str(e.value), str(e.value)


def test_a_count_below_one_is_not_told_a_wrong_most():
    # "at least 1 and at most 18446744073709551615": runs stop at max_runs, threads at 1024.
    for kw in ({"runs": 0}, {"threads": 0}):
        with pytest.raises(ValueError) as e:
            brink.run(TUTORIAL, **kw)
        assert "at least 1" in str(e.value) and "18446744073709551615" not in str(e.value)


def test_a_wrong_type_is_refused_naming_the_argument_and_what_it_takes():
    # Found attacking the binding: None for a path or a seed, a number for variants or set,
    # a float for a count were refused in words naming no argument ("'int' object is not
    # iterable", "expected str, bytes or os.PathLike object, not NoneType") or not what it
    # takes ("'float' object cannot be interpreted as an integer").
    cases = [
        (dict(path=None), "path is a scenario file's path (str, bytes or os.PathLike), not None"),
        (dict(path=123), "path is a scenario file's path"),
        (dict(runs=1.5), "runs is a whole number, not 1.5"),
        (dict(runs="10"), "runs is a whole number, not '10'"),
        (dict(seed=None), "seed is a whole number, not None"),
        (dict(seed=1.0), "seed is a whole number, not 1.0"),
        (dict(threads=2.0), "threads is a whole number, not 2.0"),
        (dict(max_runs=None), "max_runs is a whole number, not None"),
        (dict(max_file_size="4 MiB"), "max_file_size is a whole number, not '4 MiB'"),
        (dict(set=1), "set is a dict of parameter path to value"),
    ]
    for kw, said in cases:
        for call in (brink.run, brink.compare):
            args = {"path": TUTORIAL, "runs": 10, **kw}
            with pytest.raises(TypeError) as e:
                call(args.pop("path"), **args)
            assert str(e.value).startswith(said), (call.__name__, kw, str(e.value))
    with pytest.raises(TypeError, match="variants is a list of variant names"):
        brink.compare(TUTORIAL, runs=10, variants=1)
    r = brink.run(TUTORIAL, runs=10)
    for table in ([], 5):
        with pytest.raises(TypeError, match="table is a table's name"):
            r.to_pandas(table)


def test_a_hostile_string_is_quoted_cut_short():
    # Found attacking the binding: a megabyte given for a name, a path or a set entry came
    # back whole in the message refusing it (twice for a path and a set path: 2 MB).
    big = "x" * 1_000_000
    calls = [
        lambda: brink.run(TUTORIAL, runs=10, variant=big),
        lambda: brink.compare(TUTORIAL, runs=10, variants=[big]),
        lambda: brink.compare(TUTORIAL, runs=10, variants=[big, big]),
        lambda: brink.compare(TUTORIAL, runs=10, variants=["restraint"], tornado=big),
        lambda: brink.run(TUTORIAL, runs=10, set={big: 1}),
        lambda: brink.run(TUTORIAL, runs=10, set={"actors.north.hawkishness": big}),
        lambda: brink.run(TUTORIAL, runs=10, set=[(big, 1), (big, 2)]),
        lambda: brink.run("/tmp/" + big, runs=10),
        lambda: brink.run(TUTORIAL, runs=10, per_run=big),
        lambda: brink.run(TUTORIAL, runs=10, set=big),
        lambda: brink.compare(TUTORIAL, runs=10, variants={big: 1}),
    ]
    # (The set path's "did you mean" compared it with every path: half a minute before the
    # refusal. Speed is not asserted here; tests are never timed on these shared machines.)
    for i, call in enumerate(calls):
        with pytest.raises((ValueError, TypeError)) as e:
            call()
        text = str(e.value)
        assert len(text) < 1_000, (i, len(text), text[:200])
        assert "characters)" in text, (i, text)
    # A string of ordinary length is quoted whole.
    with pytest.raises(ValueError, match='unknown variant "nope_nope"'):
        brink.run(TUTORIAL, runs=10, variant="nope_nope")


def test_a_damaged_or_wrong_file_is_a_value_error_saying_what_was_expected(tmp_path):
    text = (REPO / TUTORIAL).read_bytes()
    damaged = {
        "empty.ron": (b"", "the file is empty"),
        "truncated.ron": (text[: len(text) // 2], "expected"),
        "truncated_end.ron": (text[:text.rindex(b"Variant(") + 8], "is the file truncated?"),
        "latin1.ron": (text[:2000] + b"\xff\xfe" + text[2000:], "expected a UTF-8 text file"),
        "cut_utf8.ron": (text + "é".encode()[:1], "expected a UTF-8 text file"),
        "utf16.ron": (text.decode().encode("utf-16"), "expected a UTF-8 text file"),
        "nul.ron": (text[:3000] + b"\0\0" + text[3000:], "control character U+0000"),
        "zeros.ron": (b"\0" * 4096, "expected `Scenario(...)"),
        "nested.ron": (b"(" * 200_000, "nest more than 64 deep"),
        "image.ron": ((REPO / "docs/images/index_fan.png").read_bytes(), "UTF-8"),
    }
    for name, (data, said) in damaged.items():
        path = tmp_path / name
        path.write_bytes(data)
        for call in (brink.run, brink.compare):
            with pytest.raises(ValueError) as e:
                call(path, runs=10)
            # Located: the file (its name, cut short when long) and where in it.
            assert re.search(r"\.ron:\d+:\d+", str(e.value)), (name, str(e.value))
            assert said in str(e.value), (name, str(e.value))
            assert len(str(e.value)) < 2_000, (name, len(str(e.value)))
    # Not a plain file: a folder, a device.
    for path in (tmp_path, "/dev/zero"):
        with pytest.raises(ValueError, match=r"expected a plain scenario file \(not a folder"):
            brink.run(path, runs=10)
    # A scenario with a name of a megabyte: refused in a message of ordinary length.
    long = tmp_path / "long_name.ron"
    long.write_text(text.decode().replace('name: "restraint"', 'name: "' + "r" * 1_000_000 + '"'))
    with pytest.raises(ValueError, match=r"variant name \"r+\"… \(1000000 characters\)") as e:
        brink.run(long, runs=10)
    assert len(str(e.value)) < 2_000
