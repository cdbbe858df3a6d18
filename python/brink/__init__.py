"""brink from Python: Monte Carlo escalation scenarios, the same bits as the command line.

    import brink
    r = brink.run("scenarios/examples/tutorial.ron", runs=2000, seed=0)
    r.outcomes            # dict of equal-length column lists, as outcomes.csv
    r.to_pandas()         # the same as a pandas DataFrame (pandas is imported only here)
    r.summary             # summary.json, parsed

Every result is computed by the library calls `brink run` and `brink compare` make: the same
scenario, seed and runs give the same numbers as the command line's files, on any number of
threads. See docs/python.md.
"""

import json
import operator
import os
import re

from . import _brink

__all__ = ["run", "compare", "Result"]
__version__ = _brink.__version__


class Result:
    """What a run or a comparison produced: its tables and its summary.

    Each table is a dict of equal-length column lists, named as the command line's CSV file
    names them (docs/data.md), with whole numbers as int, reals as float, names as str and a
    missing value (a step that never came) as None: ready for ``pandas.DataFrame(table)`` or
    ``polars.DataFrame(table)``.

    Attributes:
        summary: the result's JSON (summary.json for a run, compare.json for a comparison),
            parsed into dicts and lists.
        tables: every table by name.
        dictionary: every table's columns by table name, as the data dictionary
            (columns.json) states them: a list of dicts with the column's ``name``, ``role``
            (key, input, output), ``type`` (``u_int64``, ``int32_nullable``, ``float64``,
            ``float32``, ``bool`` or ``category`` with its ``levels``), ``unit`` and
            ``description``.
        kind: "run" or "compare".
    """

    def __init__(self, kind, raw):
        self.kind = kind
        self.summary = json.loads(raw["json"])
        self.tables = dict(raw["tables"])
        self.dictionary = {name: json.loads(text) for name, text in raw["columns"].items()}

    def __getattr__(self, name):
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(
            f"this {self.__dict__.get('kind', '')} result has no {_shown(name)}; "
            f"its tables are: {', '.join(tables)}"
            + (" (the per-run table needs per_run=True)" if name == "runs" else "")
        )

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.tables))

    def _table(self, table):
        return self.tables[self._name(table)]

    def to_pandas(self, table=None):
        """One table as a pandas DataFrame (pandas is imported only when this is called).

        Each column has the dtype its type in the data dictionary (:attr:`dictionary`) gives
        it, whatever values this result happens to hold: a whole number that may be missing
        (a step that never came, ``int32_nullable``) is pandas' nullable ``Int64``, with
        ``<NA>`` for a missing one, even where none is missing; a whole number that is never
        missing (``u_int64``: a run, a count, a level) is ``int64``, but the ``seed`` key
        ``uint64`` (a seed may be 2**63 or more); a real is ``float64``, NaN where missing;
        whether an outcome happened is ``bool``; a name from a fixed list (``category``: a
        variant, an outcome, a rung) is a pandas ``category`` whose categories are the
        dictionary's levels, in its order.

        Args:
            table: the table's name ("outcomes", "timeseries", "runs", "comparison"); None
                for the main one (outcomes of a run, the comparison of a comparison).
        """
        import pandas

        name = self._name(table)
        data = self.tables[name]
        columns = {c["name"]: c for c in self.dictionary[name]}
        return pandas.DataFrame(
            {key: _series(pandas, values, columns[key]) for key, values in data.items()},
            columns=list(data),
        )

    def _name(self, table):
        """The name of the table `table` asks for (None: the main one), refused by name when
        this result has no such table."""
        if table is None:
            table = "comparison" if self.kind == "compare" else "outcomes"
        if not isinstance(table, str):
            raise TypeError(f"table is a table's name (one of: {', '.join(self.tables)}), "
                            f"not {_shown(table)}")
        if table not in self.tables:
            raise KeyError(
                f"no table {_shown(table)} in this result; its tables are: "
                f"{', '.join(self.tables)}"
                + (" (the per-run table needs per_run=True)" if table == "runs" else "")
            )
        return table

    def to_polars(self, table=None):
        """One table as a polars DataFrame (polars is imported only when this is called).

        Each column has the type its type in the data dictionary gives it, as in
        :meth:`to_pandas` (polars left to guess typed a column by the values it happened to
        hold): a whole number, ``Int64``, null where missing (a step that never came); the
        ``seed`` key ``UInt64``; a real ``Float64``, null where missing; whether an outcome
        happened ``Boolean``; a name from a fixed list (a variant, an outcome, a rung) an
        ``Enum`` of the dictionary's levels, in its order.

        Args:
            table: as for ``to_pandas``.
        """
        import polars

        name = self._name(table)
        data = self.tables[name]
        columns = {c["name"]: c for c in self.dictionary[name]}
        return polars.DataFrame(
            [_polars_series(polars, values, columns[key]) for key, values in data.items()])

    def __repr__(self):
        shapes = ", ".join(
            f"{name}: {len(next(iter(t.values()), []))} rows × {len(t)} columns"
            for name, t in self.tables.items()
        )
        return f"<brink {self.kind} result: {shapes}>"


def _series(pandas, values, column):
    """One table column (a list) as a pandas Series of the dtype its dictionary type gives it
    (see :meth:`Result.to_pandas`)."""
    kind = column["type"]
    missing = any(v is None for v in values)
    if kind == "int32_nullable":
        dtype = "Int64"
    elif kind in ("u_int64", "uint64"):
        # Never missing; a run, a count or a level fits int64, in which arithmetic does not
        # wrap around below 0 as uint64's does. The seed key is uint64 whatever its value:
        # typed by its value, a result of seed 2**63 or more (uint64) concatenated with one of
        # a smaller seed (int64) turned the column into floats, which lose the seed.
        seed = column["name"] == "seed" and column.get("role") == "key"
        big = seed or any(v is not None and v > 2**63 - 1 for v in values)
        dtype = ("UInt64" if big else "Int64") if missing else ("uint64" if big else "int64")
    elif kind in ("float64", "float32"):
        # The values are already 64-bit floats (a float32's exactly); None is NaN.
        dtype = "float64"
    elif kind == "bool":
        # Never missing; should one be, bool would read None as False.
        dtype = "boolean" if missing else "bool"
    elif kind == "category":
        # A pandas categorical would turn a stray value into a missing one without a word.
        levels = _levels(values, column)
        return pandas.Series(pandas.Categorical(values, categories=levels), name=column["name"])
    else:
        raise ValueError(f"column {column['name']!r}: unknown type {kind!r} in the data "
                         "dictionary (a bug in brink)")
    return pandas.Series(values, dtype=dtype, name=column["name"])


def _levels(values, column):
    """A category column's levels in the data dictionary, refusing a value not among them."""
    levels = column["levels"]
    known = set(levels)
    stray = next((v for v in values if v is not None and v not in known), None)
    if stray is not None:
        raise ValueError(f"column {column['name']!r}: {_shown(stray)} is not one of its levels "
                         "in the data dictionary (a bug in brink)")
    return levels


def _polars_series(polars, values, column):
    """One table column (a list) as a polars Series of the type its dictionary type gives it
    (see :meth:`Result.to_polars`)."""
    kind, name = column["type"], column["name"]
    if kind in ("int32_nullable", "u_int64", "uint64"):
        seed = name == "seed" and column.get("role") == "key"
        big = seed or any(v is not None and v > 2**63 - 1 for v in values)
        dtype = polars.UInt64 if big else polars.Int64
    elif kind in ("float64", "float32"):
        dtype = polars.Float64
    elif kind == "bool":
        dtype = polars.Boolean
    elif kind == "category":
        dtype = polars.Enum(_levels(values, column))
    else:
        raise ValueError(f"column {name!r}: unknown type {kind!r} in the data dictionary (a "
                         "bug in brink)")
    return polars.Series(name, values, dtype=dtype)


def _shown(value, most=80):
    """`value`'s repr for a message, cut to `most` characters: a hostile argument (a
    megabyte string) was echoed whole in the message that refused it."""
    text = repr(value)
    if len(text) > most:
        text = f"{text[:most - 1]}… ({len(text)} characters)"
    return text


MAX_RUNS = 100_000_000
"""The default ``max_runs``: the command line's ``--max-runs`` default."""

MAX_FILE_SIZE = _brink.MAX_FILE_SIZE
"""The default ``max_file_size`` in bytes: the command line's ``--max-file-size`` default."""

# The largest whole number the binding takes (Rust's u64): seeds run to it.
_U64_MAX = 2**64 - 1


def _whole(name, value, none_ok=True, least=1):
    """`value` as given, refusing True and False (a bool is an int to Python, not a count) and
    a whole number below `least` (1 for a count, 0 for a seed) or above Rust's u64."""
    if value is None and none_ok:
        return None
    if isinstance(value, bool):
        raise TypeError(f"{name} is a whole number, not {value}")
    try:
        n = operator.index(value)  # int, and NumPy's integers
    except TypeError:
        # The binding's TypeError ("'float' object cannot be interpreted as an integer") did
        # not say what the argument takes; None where a number is needed named no argument.
        raise TypeError(f"{name} is a whole number, not {_shown(value)}") from None
    # The binding's OverflowError ("can't convert negative int to unsigned") names no argument.
    # Below the least, only the least is said: the most is the binding's to say (runs at
    # most max_runs, threads at most 1024), and "at most 18446744073709551615" misled.
    if n < least:
        raise ValueError(f"{name}={n}: expected a whole number at least {least}")
    if n > _U64_MAX:
        raise ValueError(f"{name}={n}: expected a whole number at most {_U64_MAX}")
    return n


def _name(arg, value):
    """A name (a variant's, an outcome's) as str, refused by the argument's name when it is not
    text or holds what UTF-8 cannot (a lone surrogate raised the codec's own error, which names
    no argument)."""
    if not isinstance(value, str):
        raise TypeError(f"{arg} holds names (strings), not {_shown(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{arg} holds {_shown(value)}, which is not valid text (UTF-8)") from None
    return value


def _iterable(value):
    """Whether `value` can be iterated over."""
    try:
        iter(value)
    except TypeError:
        return False
    return True


def _is_bool(value):
    """Whether `value` is True or False, Python's or NumPy's."""
    kind = type(value)
    numpy_bool = kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_")
    return isinstance(value, bool) or numpy_bool


def _flag(name, value):
    """`value` as a bool: True, False (NumPy's too) or None for False. Anything else is
    refused, as a string "no" would count as true."""
    if value is None:
        return False
    if _is_bool(value):
        return bool(value)
    raise TypeError(f"{name} is True or False, not {_shown(value)}")


def _steps(steps):
    """`per_run_steps` as a list of whole numbers (a lone number or a string refused: it is a
    list of steps)."""
    if steps is None:
        return []
    if isinstance(steps, (str, bytes, int, float)):
        raise TypeError(f"per_run_steps is a list of steps (whole numbers), not {_shown(steps)}")
    out = []
    for step in steps:
        if isinstance(step, bool):
            raise TypeError(f"per_run_steps holds whole numbers, not {_shown(step)}")
        try:
            step = operator.index(step)  # int, and NumPy's integers
        except TypeError:
            raise TypeError(f"per_run_steps holds whole numbers, not {_shown(step)}") from None
        if step < 0 or step >= 2**32:
            raise ValueError(f"per_run_steps holds step {step}; a step is from 0 to the "
                             "horizon's last")
        out.append(step)
    return out


def _settings(set):
    """`set` as (path, value) pairs in the dict's order. A list of the command line's
    "PATH=VALUE" strings, or a lone string, is refused by name: `dict()` of it said only
    "dictionary update sequence element #0 has length 21; 2 is required"."""
    if set is None:
        return []
    hint = ("set is a dict of parameter path to value, e.g. "
            "{'actors.north.hawkishness': 0.4}")
    if isinstance(set, (str, bytes)):
        raise TypeError(f"{hint}, not the string {_shown(set)}")
    if not isinstance(set, dict):
        # A list of (path, value) pairs naming a path twice kept the last value without a
        # word, while the command line refuses a path set twice. (Read once: a generator
        # is used up by reading it; the message quotes it as given, not as pairs of
        # characters.)
        try:
            given_set = set = list(set) if not isinstance(set, (list, tuple)) else set
        except TypeError:
            # "'int' object is not iterable" named no argument.
            raise TypeError(f"{hint}, not {_shown(set)}") from None
        try:
            set = [tuple(kv) for kv in set]
            given = [k for k, _ in set]
        except (TypeError, ValueError):
            raise TypeError(f"{hint}, not {_shown(given_set)}") from None
        if any(len(kv) != 2 for kv in set):
            raise TypeError(f"{hint}, not {_shown(given_set)}")
        twice = sorted({k for k in given if isinstance(k, str) and given.count(k) > 1})
        if twice:
            raise ValueError(f"set names {_shown(twice[0])} twice; set each path once")
    try:
        pairs = list(dict(set).items())
    except (TypeError, ValueError):
        raise TypeError(f"{hint}, not {_shown(set)}") from None
    for path, value in pairs:
        if not isinstance(path, str):
            raise TypeError(f"{hint}: its keys are paths (strings), not {_shown(path)}")
        if _is_bool(value):
            # NumPy's True passed the compiled half's check for Python's as the number 1.
            raise ValueError(f"set {_shown(path)}: a set value is a number or RON text, not True "
                             "or False")
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            # Passed on, a raw UnicodeEncodeError rose from the compiled half.
            raise ValueError(f"set path {_shown(path)} is not valid Unicode (it holds a lone "
                             "surrogate); `brink describe --paths FILE` lists the paths") from None
    return pairs


def _path(path):
    """The path as str (bytes and os.PathLike too; a name that is not UTF-8 as its surrogate
    escapes, which the compiled half turns back into the same bytes)."""
    try:
        text = os.fsdecode(path)
    except TypeError:
        # os's "expected str, bytes or os.PathLike object, not NoneType" named no argument.
        raise TypeError("path is a scenario file's path (str, bytes or os.PathLike), not "
                        f"{_shown(path)}") from None
    # A scenario's text given for its path would come back quoted whole in the error.
    # On one line, only what no path looks like: "//tmp/x.ron" and "(draft) x.ron" are paths.
    one = text.strip()
    # A bracketed record may end in a comment: "(name: "x", ...) // draft" is text too.
    closed = one.endswith(")") or re.search(r"\)\s*//[^\n]*$", one) is not None
    looks_like_ron = "\n" in text or one.startswith(("/*", "#![", "Scenario(")) or (
        one.startswith("(") and closed and ":" in one
    )
    if looks_like_ron and not os.path.exists(text):
        lines = text.strip().splitlines()
        first = lines[0][:60] if lines else ""
        raise ValueError(
            f"path is a scenario file's path, not its text (this one holds {len(lines)} "
            f"line{'' if len(lines) == 1 else 's'}, "
            f"the first {first!r}); write the text to a .ron file and pass that file's path"
        )
    return text


def _call(name, path, **kw):
    """The call as the manifest records it (the command line records its command)."""
    if kw.get("max_runs") == MAX_RUNS:
        kw["max_runs"] = None
    if kw.get("max_file_size") == MAX_FILE_SIZE:
        kw["max_file_size"] = None
    args = [repr(os.fspath(path))] + [
        f"{k}={_plain(v)!r}" for k, v in kw.items() if v is not None
    ]
    return ["python", f"brink.{name}({', '.join(args)})"]


def _plain(value):
    """A value as plain Python, so that the recorded call reads as one an analyst would type:
    NumPy's and pandas' scalars and arrays (``np.float64(0.3)``, ``np.str_('a')``) as the
    numbers, strings and lists they hold; lists, tuples and dicts item by item."""
    if type(value).__module__.split(".")[0] in ("numpy", "pandas") and hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def run(path, runs=None, seed=0, variant=None, set=None, threads=None, per_run=False,
        max_runs=MAX_RUNS, per_run_steps=None, max_file_size=MAX_FILE_SIZE):
    """Plays a scenario many times, as ``brink run`` does, and returns a :class:`Result`.

    Args:
        path: the scenario file (RON).
        runs: the number of runs; None for the scenario's own ``runs``, else 10,000.
        seed: the master seed. The same seed and runs give the command line's numbers
            (``brink run PATH --runs RUNS --seed SEED``).
        variant: one of the scenario's variants, by name; None for the base scenario.
        set: a dict of parameter path (as ``brink describe --paths`` prints it) to a number or
            a distribution in RON text (``"Uniform(min: 0.2, max: 0.4, source: \\"...\\")"``),
            layered over the variant as the command line's ``--set PATH=VALUE`` is.
        threads: worker threads; None for every core. The numbers do not depend on it.
        per_run: also return the per-run table ``runs`` (runs.csv: one row per run).
        max_runs: the largest number of runs accepted (the command line's ``--max-runs``).
        per_run_steps: steps (a list of whole numbers from 0 to the horizon's last step) at
            whose end the per-run table also records each run's rung and every measure's
            level (the command line's ``--per-run-steps``); implies ``per_run``.
        max_file_size: the largest scenario file read, in bytes (the command line's
            ``--max-file-size``; 4 MiB by default).

    Returns:
        A Result with the tables ``outcomes`` and ``timeseries`` (outcomes.csv and
        timeseries.csv), with ``per_run`` also ``runs``, and ``summary`` (summary.json).

    Raises:
        ValueError: brink's located message, for a missing or invalid scenario, an unknown
            variant, an unknown path or an invalid value in ``set``, ``runs`` above
            ``max_runs`` or ``threads`` above 1024.
        TypeError: True or False for ``runs``, ``seed``, ``threads`` or ``max_runs``; a
            ``per_run_steps`` that is not a list of whole numbers; a ``per_run`` that is not
            True or False (a string "no" would count as true).
        MemoryError: with ``per_run``, a per-run table larger than this process can hold
            (raised before any run is played when its cells do not fit).
        KeyboardInterrupt: on Ctrl-C; the runs stop after the run in progress, nothing is
            returned.
    """
    given_path = _path(path)
    runs, threads = _whole("runs", runs), _whole("threads", threads)
    seed = _whole("seed", seed, none_ok=False, least=0)
    max_runs = _whole("max_runs", max_runs, none_ok=False)
    max_file_size = _whole("max_file_size", max_file_size, none_ok=False)
    steps = _steps(per_run_steps)
    per_run = _flag("per_run", per_run)
    if variant is not None:
        _name("variant", variant)
    # The pairs as read (an iterator's repr, "<list_iterator object at 0x...>", was
    # recorded, and an iterator is used up by reading it).
    settings = _settings(set)
    command = _call("run", path, runs=runs, seed=seed, variant=variant,
                    set=dict(settings) or None, per_run=per_run or None,
                    per_run_steps=steps or None, max_runs=max_runs, max_file_size=max_file_size)
    raw = _brink.run(given_path, runs, seed, variant, settings, threads,
                     bool(per_run) or bool(steps), command, max_runs, steps, max_file_size)
    return Result("run", raw)


def compare(path, runs=None, seed=0, variants=None, set=None, threads=None, tornado=False,
            max_runs=MAX_RUNS, per_run=False, max_file_size=MAX_FILE_SIZE):
    """Compares the base scenario with variants on common random numbers, as ``brink compare``
    does, and returns a :class:`Result`.

    Args:
        path: the scenario file (RON).
        runs: runs per arm (every arm plays the same runs); None for the scenario's own.
        seed: the master seed (``brink compare PATH --all --runs RUNS --seed SEED
            --no-tornado`` gives the same numbers; ``--variants A,B`` in place of ``--all``
            for ``variants=["A", "B"]``).
        variants: the variants' names (a list); None for every variant of the scenario.
        set: as for :func:`run`, layered over every arm (the base and each variant).
        threads: worker threads; None for every core. The numbers do not depend on it.
        tornado: False for none (``--no-tornado``); True to add the tornado of every lever
            forced and frozen, ranked by the first outcome (the command line's default); an
            outcome's name to rank by it (``--outcome NAME``).
        max_runs: as for :func:`run`.
        per_run: also return the per-run table ``runs`` (``brink compare --per-run``'s
            runs.csv: for each run, the base's row then each variant's, on the same random
            numbers, so that paired differences can be taken run by run).
        max_file_size: as for :func:`run`.

    Returns:
        A Result with the table ``comparison`` (compare.csv: one row per arm and outcome,
        with the paired difference from the base), with ``per_run`` also ``runs``, and
        ``summary`` (compare.json; the means of the command line's compare_means.csv are its
        ``quantities``).

    Raises:
        ValueError: brink's located message, as for :func:`run`; a variant named twice; arms
            whose compiled models would take more than brink's 2 GiB budget for them (the
            message says how many fit; ``tornado=True`` adds two arms a measure).
        TypeError: as for :func:`run`; a number for ``tornado``; a ``per_run`` that is not True
            or False.
        MemoryError: as for :func:`run`.
        KeyboardInterrupt: as for :func:`run`.
    """
    given_path = _path(path)
    runs, threads = _whole("runs", runs), _whole("threads", threads)
    seed = _whole("seed", seed, none_ok=False, least=0)
    max_runs = _whole("max_runs", max_runs, none_ok=False)
    max_file_size = _whole("max_file_size", max_file_size, none_ok=False)
    per_run = _flag("per_run", per_run)
    if _is_bool(tornado):
        tornado = bool(tornado)  # NumPy's True, as per_run takes it
    if not (tornado is None or isinstance(tornado, (bool, str))):
        raise TypeError(f"tornado is True, False or an outcome's name, not {_shown(tornado)}")
    if isinstance(tornado, str) and not tornado.strip():
        # "" read as True: the tornado of the first outcome, which nobody asked for by name.
        raise ValueError(f"tornado is True, False or an outcome's name, not {_shown(tornado)}")
    if isinstance(tornado, str):
        _name("tornado", tornado)
    if isinstance(variants, str):
        variants = [variants]
    if variants is not None and not isinstance(variants, str) and not _iterable(variants):
        raise TypeError(f"variants is a list of variant names (strings), not {_shown(variants)}")
    if isinstance(variants, (bytes, bytearray, dict)):
        # Bytes were read byte by byte (as numbers), a dict by its keys without a word.
        raise TypeError(f"variants is a list of variant names (strings), not {_shown(variants)}")
    if variants is not None:
        # A generator recorded as itself put a memory address in the manifest's command, and
        # was used up before the call: the names, as a list, once.
        variants = [_name("variants", v) for v in variants]
        if not variants:
            # None compares every variant; an empty list compared the base with nothing, while
            # the command line refuses `--variants ""`.
            raise ValueError("variants is empty: name at least one variant, or give None "
                             "(the default) to compare every variant of the scenario")
    if tornado is True:
        tornado_arg = ""
    elif tornado is False or tornado is None:
        tornado_arg = None
    else:
        tornado_arg = str(tornado)
    settings = _settings(set)
    command = _call("compare", path, runs=runs, seed=seed, variants=variants,
                    set=dict(settings) or None, tornado=tornado or None,
                    per_run=per_run or None, max_runs=max_runs, max_file_size=max_file_size)
    raw = _brink.compare(given_path, runs, seed,
                         variants,
                         settings, threads, tornado_arg, command, max_runs,
                         bool(per_run), max_file_size)
    return Result("compare", raw)
