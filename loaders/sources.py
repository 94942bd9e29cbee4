"""Source formats: each yields (position, row) where position is the number a
person finds the row by (CSV/JSONL line, Parquet row) and row maps column -> raw value.
All three stream: memory does not grow with file size."""
from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from casegraph.errors import LoadError

csv.field_size_limit(10 * 1024 * 1024)


@dataclass(frozen=True)
class ReadOptions:
    delimiter: str | None = None      # None: ',' (or tab for .tsv)
    encoding: str = "utf-8-sig"       # tolerate a byte-order mark from spreadsheet exports
    quotechar: str = '"'
    names: tuple[str, ...] | None = None  # the file has no header row: these are its columns


def _open_text(path: Path, encoding: str):
    if path.suffix.lower() == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")


def columns(path: Path, fmt: str, opts: ReadOptions) -> list[str]:
    """The file's column names, read without reading the rows."""
    if opts.names:
        return list(opts.names)
    try:
        if fmt == "csv":
            with _open_text(path, opts.encoding) as fh:
                return next(csv.reader(fh, delimiter=_delimiter(path, opts), quotechar=opts.quotechar), [])
        if fmt == "parquet":
            import pyarrow.parquet as pq
            return list(pq.ParquetFile(path).schema_arrow.names)
        if fmt == "jsonl":
            with _open_text(path, opts.encoding) as fh:
                for line in fh:
                    if line.strip():
                        obj = json.loads(line)
                        return list(obj) if isinstance(obj, dict) else []
            return []
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise LoadError(f"{path.name}: cannot read the file's columns: {e}") from e
    raise LoadError(f"{path.name}: unknown format {fmt}")


def _delimiter(path: Path, opts: ReadOptions) -> str:
    if opts.delimiter:
        return opts.delimiter
    return "\t" if ".tsv" in [s.lower() for s in path.suffixes] else ","


def rows(path: Path, fmt: str, opts: ReadOptions) -> Iterator[tuple[int, dict[str, Any]]]:
    if fmt == "csv":
        yield from _csv_rows(path, opts)
    elif fmt == "parquet":
        yield from _parquet_rows(path)
    elif fmt == "jsonl":
        yield from _jsonl_rows(path, opts)
    else:
        raise LoadError(f"{path.name}: unknown format {fmt}")


def _csv_rows(path: Path, opts: ReadOptions):
    try:
        with _open_text(path, opts.encoding) as fh:
            reader = csv.reader(fh, delimiter=_delimiter(path, opts), quotechar=opts.quotechar, strict=True)
            header = list(opts.names) if opts.names else next(reader, None)
            if header is None:
                return
            width = len(header)
            for record in reader:
                if not record:
                    continue  # blank line
                if len(record) != width:
                    # A ragged row cannot be mapped to columns safely; hand it on as an error.
                    yield reader.line_num, {"__error__": f"has {len(record)} fields, the header has {width}",
                                            **dict(zip(header, record))}
                    continue
                yield reader.line_num, dict(zip(header, record))
    except csv.Error as e:
        raise LoadError(f"{path.name} line {reader.line_num}: malformed CSV ({e}); nothing after "
                        "this line was read") from e
    except UnicodeDecodeError as e:
        raise LoadError(f"{path.name}: not {opts.encoding} text ({e}); set `encoding` in the mapping") from e


def _parquet_rows(path: Path):
    import pyarrow.parquet as pq
    try:
        pf = pq.ParquetFile(path)
        n = 0
        for batch in pf.iter_batches(batch_size=10000):
            for row in batch.to_pylist():
                n += 1
                yield n, row
    except OSError as e:
        raise LoadError(f"{path.name}: not a readable Parquet file ({e})") from e


def _jsonl_rows(path: Path, opts: ReadOptions):
    try:
        with _open_text(path, opts.encoding) as fh:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    yield line_no, {"__error__": f"is not valid JSON ({e.msg})"}
                    continue
                if not isinstance(obj, dict):
                    yield line_no, {"__error__": "is not a JSON object"}
                    continue
                yield line_no, obj
    except UnicodeDecodeError as e:
        raise LoadError(f"{path.name}: not {opts.encoding} text ({e}); set `encoding` in the mapping") from e
