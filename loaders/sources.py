"""Source formats: each yields (position, row) where position is the number a
person finds the row by (CSV/JSONL line, Parquet row) and row maps column -> raw value.
All three stream: memory does not grow with file size."""
from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from casegraph.errors import LoadError

# Far above the longest text a field may hold (fields.TEXT_MAX): a longer cell is a rejected row
# with a clear reason, not a file the reader gives up on.
csv.field_size_limit(64 * 1024 * 1024)
# What a damaged or cut-short .gz raises while it is read (gzip.BadGzipFile is an OSError).
DAMAGED = (EOFError, zlib.error)


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


def check_whole(path: Path) -> None:
    """A compressed file is read to its end once before anything is loaded from it: a .gz cut
    short would otherwise load the rows before the damage (on the MERGE path) and then fail."""
    if path.suffix.lower() != ".gz":
        return
    try:
        with gzip.open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass
    except (OSError, *DAMAGED) as e:
        raise LoadError(f"{path.name}: the file is damaged or cut short ({_short(e)}); nothing was loaded "
                        "from it") from e


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
    except RecursionError:
        raise LoadError(f"{path.name}: cannot read the file's columns: its first JSON object is nested too "
                        "deeply to read") from None
    except (OSError, UnicodeDecodeError, ValueError, *DAMAGED) as e:
        raise LoadError(f"{path.name}: cannot read the file's columns: {_short(e)}") from e
    raise LoadError(f"{path.name}: unknown format {fmt}")


def sniff_delimiter(path: Path, fmt: str, opts: ReadOptions) -> str | None:
    """The delimiter of a CSV file whose mapping does not give one: the one of comma,
    semicolon, pipe and tab that the header line holds most often (outside quotes);
    a comma when none is there (a one-column file). A .tsv file is tab-separated."""
    if fmt != "csv" or opts.delimiter or opts.names:
        return opts.delimiter
    default = _delimiter(path, opts)
    try:
        with _open_text(path, opts.encoding) as fh:
            header = fh.readline(1 << 16)
    except (OSError, UnicodeDecodeError, *DAMAGED):
        return None     # reading the file again reports this properly
    outside, quoted = [], False
    for ch in header:
        if ch == opts.quotechar:
            quoted = not quoted
        elif not quoted:
            outside.append(ch)
    text = "".join(outside)
    counts = {d: text.count(d) for d in (",", ";", "|", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == default))
    return best if counts[best] else None


def all_columns(path: Path, fmt: str, opts: ReadOptions) -> list[str]:
    """Every column name the file has. JSON Lines objects need not all have the same keys, so
    the whole file is read for them (once, before loading); CSV and Parquet have a header."""
    first = columns(path, fmt, opts)
    if fmt != "jsonl":
        return first
    seen: dict[str, None] = dict.fromkeys(first)
    for _, row in _jsonl_rows(path, opts):
        seen.update(dict.fromkeys(k for k in row if k != "__error__"))
    return list(seen)


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
    reader = None
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
        raise LoadError(f"{path.name} line {reader.line_num if reader else 0}: malformed CSV ({_short(e)}); nothing after "
                        "this line was read") from e
    except UnicodeDecodeError as e:
        raise LoadError(f"{path.name}: not {opts.encoding} text ({_short(e)}); set `encoding` in the mapping") from e
    except (OSError, *DAMAGED) as e:
        raise LoadError(f"{path.name}: the file is damaged or cut short ({_short(e)}); nothing after line "
                        f"{reader.line_num if reader else 0} was read") from e


def _short(e: BaseException, most: int = 200) -> str:
    """An error's text, cut: a reader's message may quote a whole binary field."""
    text = str(e)
    return text if len(text) <= most else f"{text[:most]}... ({len(text):,} characters)"


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
    line_no = 0
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
                except RecursionError:
                    yield line_no, {"__error__": "is nested too deeply to read"}
                    continue
                if not isinstance(obj, dict):
                    yield line_no, {"__error__": "is not a JSON object"}
                    continue
                yield line_no, obj
    except UnicodeDecodeError as e:
        raise LoadError(f"{path.name}: not {opts.encoding} text ({_short(e)}); set `encoding` in the mapping") from e
    except (OSError, *DAMAGED) as e:
        raise LoadError(f"{path.name}: the file is damaged or cut short ({_short(e)}); nothing after line "
                        f"{line_no} was read") from e
