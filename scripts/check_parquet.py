#!/usr/bin/env python3
"""Reads a runs.parquet brink wrote with pandas (pyarrow) and checks it as an analyst would
load it: the row count, one dtype per column type, nulls only where weeks never came, and the
columns' dictionary in the file's metadata.

Usage: check_parquet.py RUNS_PARQUET EXPECTED_ROWS
"""

import json
import sys

import pandas as pd
import pyarrow.parquet as pq


def main() -> int:
    path, expected_rows = sys.argv[1], int(sys.argv[2])
    meta = pq.read_metadata(path)
    columns = json.loads(meta.metadata[b"brink.columns"])
    # Nullable dtypes: whole numbers stay whole numbers next to their nulls.
    df = pd.read_parquet(path, dtype_backend="numpy_nullable")
    problems = []
    if len(df) != expected_rows:
        problems.append(f"{len(df)} rows, expected {expected_rows}")
    if list(df.columns) != [c["name"] for c in columns]:
        problems.append("the columns differ from the dictionary in brink.columns")
    expected = {
        "u_int64": "UInt64",
        "uint64": "UInt64",
        "int32_nullable": "Int32",
        "float64": "Float64",
        "float32": "Float32",
        "bool": "boolean",
        "category": "string",
    }
    for c in columns:
        name, kind = c["name"], c["type"]
        want = expected.get(kind)
        got = str(df[name].dtype)
        if want is None:
            problems.append(f"{name}: unknown type {kind!r} in the dictionary")
        elif got != want:
            problems.append(f"{name}: dtype {got}, expected {want} for {kind}")
        if kind != "int32_nullable" and df[name].isna().any():
            problems.append(f"{name}: nulls in a column of type {kind}")
        if kind == "category":
            extra = set(df[name].dropna()) - set(c["levels"])
            if extra:
                problems.append(f"{name}: values not among its levels: {sorted(extra)[:3]}")
    for p in problems:
        print(f"check_parquet: {path}: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_parquet: {path}: {len(df)} rows, {len(df.columns)} columns, dtypes as stated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
