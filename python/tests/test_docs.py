"""The outputs docs/python.md shows are what its session prints today.

The guide's Python blocks are one session: each printed output sits in the guide as comment
lines right under the expression that prints it. Here the blocks are run in order, in one
namespace, as Python's interactive prompt runs them (an expression's value is shown as its
repr, after whatever it printed), and every output the guide shows must be, character for
character, what the expression above it prints. Nothing in the guide is typed by hand: when a
change of the model, of its statistics or of pandas moves an output, regenerate the guide's
outputs with

    python python/tests/test_docs.py --write

(from the repository, with the package and pandas installed), read the diff, and commit it.

A statement that needs an optional package that is not installed (polars, matplotlib) is
skipped, with every later statement that uses a name it would have made; an output under a
skipped statement fails the check.
"""

import ast
import contextlib
import io
import os
import re
import sys
from pathlib import Path

import pytest

import brink

REPO = Path(__file__).resolve().parents[2]
GUIDE_PATH = REPO / "docs" / "python.md"
GUIDE = GUIDE_PATH.read_text(encoding="utf-8")

pd = pytest.importorskip("pandas")


@pytest.fixture(autouse=True)
def at_repo(monkeypatch):
    monkeypatch.chdir(REPO)


class Shown:
    """An expression of the guide and the output shown under it."""

    def __init__(self, source, first, last, lines):
        self.source = source  # the expression's text
        self.first = first  # the guide's index (0-based) of the output's first line
        self.last = last  # one past its last line
        self.lines = lines  # the output as shown, the "# " prefix removed
        self.printed = None  # what the session printed, once run

    def __repr__(self):
        return f"docs/python.md line {self.first}: {self.source.splitlines()[0]}"


def python_blocks(text):
    """Each ```python block of `text`: (index of its first code line, its lines)."""
    lines = text.splitlines()
    blocks, start = [], None
    for i, line in enumerate(lines):
        if start is None and line.strip() == "```python":
            start = i + 1
        elif start is not None and line.strip() == "```":
            blocks.append((start, lines[start:i]))
            start = None
    assert start is None, "docs/python.md: a ```python block is never closed"
    return blocks


def uncommented(line):
    """A shown output line without its "# " (a blank output line is a lone "#")."""
    return line[2:] if line.startswith("# ") else line[1:]


def statements(text=GUIDE):
    """The guide's top-level statements in order, each as (source, Shown or None): the
    comment lines right under an expression are its shown output."""
    out = []
    for start, lines in python_blocks(text):
        tree = ast.parse("\n".join(lines))
        for stmt in tree.body:
            source = ast.get_source_segment("\n".join(lines), stmt)
            end = stmt.end_lineno  # 1-based, so the index of the line after it
            shown = []
            while end + len(shown) < len(lines) and lines[end + len(shown)].startswith("#"):
                shown.append(uncommented(lines[end + len(shown)]))
            if not shown:
                out.append((stmt, source, None))
                continue
            assert isinstance(stmt, ast.Expr), (
                f"docs/python.md line {start + end + 1}: comment lines under a statement that "
                f"prints nothing ({source.splitlines()[0]!r}); an output belongs under an "
                "expression"
            )
            out.append((stmt, source, Shown(source, start + end, start + end + len(shown), shown)))
    return out


def names_used(stmt):
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)}


def names_made(stmt):
    made = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for node in ast.walk(stmt):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            made |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return made


def run_session(text=GUIDE):
    """Runs the guide's statements in one namespace; returns every Shown with `printed` set
    (None where its statement was skipped for want of an optional package)."""
    os.environ.setdefault("MPLBACKEND", "Agg")  # a plot is drawn off screen
    namespace = {"__name__": "__docs__"}
    missing = set()  # names an optional package would have made
    shown = []
    for stmt, source, out in statements(text):
        if out is not None:
            shown.append(out)
        if names_used(stmt) & missing:
            missing |= names_made(stmt)
            continue
        buffer = io.StringIO()
        try:
            with contextlib.redirect_stdout(buffer):
                if isinstance(stmt, ast.Expr):
                    value = eval(compile(ast.Expression(stmt.value), "docs/python.md", "eval"),
                                 namespace)
                    if value is not None:
                        print(repr(value))
                else:
                    exec(compile(ast.Module([stmt], []), "docs/python.md", "exec"), namespace)
        except ImportError as e:
            if e.name and e.name.split(".")[0] in ("brink", "pandas"):
                raise
            missing |= names_made(stmt)
            continue
        if out is not None:
            out.printed = [line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n")]
    return shown


def test_the_guide_shows_what_its_session_prints():
    shown = run_session()
    assert len(shown) >= 5, "docs/python.md shows fewer outputs than it did"
    for out in shown:
        assert out.printed is not None, f"{out}: skipped (an optional package is missing)"
        assert [line.rstrip() for line in out.lines] == out.printed, (
            f"{out}: the guide shows\n" + "\n".join(out.lines)
            + "\nbut the session prints\n" + "\n".join(out.printed)
            + "\n(regenerate with: python python/tests/test_docs.py --write)"
        )


def test_a_hand_typed_output_fails_the_check():
    # The check compares text: one figure changed by hand in the guide is caught.
    text = GUIDE.replace("# <brink run result: outcomes: 18 rows", "# <brink run result: outcomes: 17 rows")
    assert text != GUIDE
    shown = run_session(text)
    assert any([line.rstrip() for line in out.lines] != out.printed for out in shown)


def test_the_flagships_per_run_columns_are_as_many_as_the_guide_says():
    """The guide's count of a flagship run's per-run columns (it said 302 of 303)."""
    said = re.search(r"flagship run has (\d+) columns", GUIDE)
    assert said, "docs/python.md no longer counts the flagship's columns"
    r = brink.run("scenarios/russia_azerbaijan_2025.ron", runs=2, per_run=True, threads=1)
    assert int(said.group(1)) == len(r.tables["runs"])


def write():
    """Rewrites every output the guide shows with what the session prints."""
    os.chdir(REPO)
    lines = GUIDE.splitlines()
    for out in reversed(run_session()):
        if out.printed is None:
            sys.exit(f"{out}: skipped (install the optional package it needs)")
        lines[out.first:out.last] = [("# " + line).rstrip() for line in out.printed]
    GUIDE_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python python/tests/test_docs.py --write")
    write()
