"""The outputs docs/python.md shows are what its session prints today.

The figures sit in the guide as comments under each example (pandas prints them); they are
kept by hand, so each is read back from the guide here and compared with the package's result,
to the decimals the guide prints. A change of the model or of its statistics that moves one
fails here until the guide is regenerated.
"""

import re
from pathlib import Path

import pytest

import brink

REPO = Path(__file__).resolve().parents[2]
GUIDE = (REPO / "docs" / "python.md").read_text(encoding="utf-8")
TUTORIAL = "scenarios/examples/tutorial.ron"
NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")

pd = pytest.importorskip("pandas")


@pytest.fixture(autouse=True)
def at_repo(monkeypatch):
    monkeypatch.chdir(REPO)


def printed(header):
    """The comment lines under the comment line `header` (its text after "# ", stripped), up
    to the first line that is not a comment: each as its words."""
    lines = GUIDE.splitlines()
    starts = [i for i, line in enumerate(lines) if line.lstrip("# ").strip() == header]
    assert len(starts) == 1, f"docs/python.md shows {header!r} {len(starts)} times"
    rows = []
    for line in lines[starts[0] + 1:]:
        if not line.startswith("#"):
            break
        rows.append(line[1:].split())
    assert rows, f"nothing printed under {header!r}"
    return rows


def agrees(shown, value):
    """`shown` (a number as the guide prints it) is `value` to the decimals shown."""
    assert NUMBER.match(shown), f"{shown!r} is not a number"
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return abs(float(shown) - value) <= 0.5 * 10 ** -decimals + 1e-12


def check_rows(header, table, key, columns):
    """Every row the guide prints under `header` is the row of `table` (a DataFrame) whose
    `key` column is its first word, with `columns` as its numbers."""
    for words in printed(header):
        row = table[table[key] == words[0]]
        assert len(row) == 1, f"{words[0]!r}: no single row of that {key}"
        assert len(words) == 1 + len(columns), f"{words}: expected {columns}"
        for shown, column in zip(words[1:], columns):
            value = float(row[column].iloc[0])
            assert agrees(shown, value), (
                f"docs/python.md shows {column} {shown} for {words[0]}; the package gives {value}"
            )


def test_the_session_prints_what_the_guide_shows():
    r = brink.run(TUTORIAL, runs=2000, seed=0)
    assert f"# {r!r}" in GUIDE
    check_rows(
        "outcome  probability  ci95_low  ci95_high",
        r.to_pandas(),
        "outcome",
        ["probability", "ci95_low", "ci95_high"],
    )


def test_the_per_run_grouping_prints_what_the_guide_shows():
    runs = brink.run(TUTORIAL, runs=2000, seed=0, per_run=True).to_pandas("runs")
    means = runs.groupby(pd.cut(runs["in.actors.north.hawkishness"], 3), observed=True)[
        "out.rupture"
    ].mean()
    # The three bins are printed right under the call, as pandas prints a Series.
    lines = GUIDE.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("runs.groupby(pd.cut("))
    shown = [line[1:].split() for line in lines[at + 1:at + 4]]
    assert len(shown) == len(means) == 3
    for (interval, mean), words in zip(means.items(), shown):
        assert words[0] + " " + words[1] == str(interval), (words, interval)
        assert agrees(words[2], mean), (words, mean)


def test_the_comparison_prints_what_the_guide_shows():
    c = brink.compare(TUTORIAL, runs=2000, seed=0, variants=["visa_now", "restraint"])
    cd = c.to_pandas()
    check_rows(
        "variant  probability  difference_points  difference_points_ci95_low  "
        "difference_points_ci95_high",
        cd[cd.outcome == "rupture"],
        "variant",
        [
            "probability",
            "difference_points",
            "difference_points_ci95_low",
            "difference_points_ci95_high",
        ],
    )


def test_the_what_if_prints_what_the_guide_shows():
    p = brink.run(TUTORIAL, runs=2000, seed=0, set={
        "relations.south->north.grievance": 0.3,
        "actors.south.sensitivity": 'Uniform(min: 1.5, max: 2.5, source: "what if South is touchier")',
    }).outcomes["probability"][0]
    base = brink.run(TUTORIAL, runs=2000, seed=0).outcomes["probability"][0]
    words = re.search(r"^# (\S+)  \((\S+) without\)$", GUIDE, re.M)
    assert words, "the what-if's figure is not in docs/python.md"
    assert agrees(words[1], p) and agrees(words[2], base), (words.groups(), p, base)


def test_the_flagships_per_run_columns_are_as_many_as_the_guide_says():
    """The guide's count of a flagship run's per-run columns (it said 302 of 303)."""
    said = re.search(r"flagship run has (\d+) columns", GUIDE)
    assert said, "docs/python.md no longer counts the flagship's columns"
    r = brink.run("scenarios/russia_azerbaijan_2025.ron", runs=2, per_run=True, threads=1)
    assert int(said.group(1)) == len(r.tables["runs"])
