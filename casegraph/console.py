"""Terminal output: tables, JSON and CSV renderings of rows, and progress bars
that show only on a terminal."""
from __future__ import annotations

import io
import json
import sys
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from casegraph.exports import write_csv
from casegraph.store.result import plain

FORMATS = ("table", "json", "csv")
console = Console(stderr=True, soft_wrap=True)


def render(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None, title: str | None = None) -> str:
    """Rows as a table (for people), a JSON array of objects, or CSV (for machines)."""
    if fmt == "json" and columns is None:
        # rows of different shapes (e.g. `detect --all`) keep every field of their own
        return json.dumps([plain(r) for r in rows], indent=2, ensure_ascii=False, default=str)
    columns = columns or list(dict.fromkeys(c for r in rows for c in r))
    data = [{c: plain(r.get(c)) for c in columns} for r in rows]
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if fmt == "csv":
        return write_csv(({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                           for k, v in r.items()} for r in data), columns, extrasaction="ignore",
                         lineterminator="\n").rstrip("\n")
    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in data:
        table.add_row(*(_cell(r[c]) for c in columns))
    out = Console(file=io.StringIO(), width=max(160, Console().width), force_terminal=False)
    out.print(table)
    return out.file.getvalue().rstrip("\n")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)


class RowProgress:
    """A per-file progress line with rows and rows/s; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        self._progress = Progress(TextColumn("{task.description:<32}"), BarColumn(bar_width=None),
                                  TextColumn("{task.completed:>12,.0f} rows"),
                                  TextColumn("{task.fields[rate]:>10}"), TimeElapsedColumn(),
                                  console=console, disable=not console.is_terminal, transient=False)
        self._task = None

    def __enter__(self) -> "RowProgress":
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()

    def start(self, name: str, kind: str) -> None:
        self._task = self._progress.add_task(f"{name} [{kind}]", total=None, rate="")

    def advance(self, rows: int) -> None:
        if self._task is None:
            return
        self._progress.advance(self._task, rows)
        task = self._progress.tasks[self._task]
        if task.elapsed:
            self._progress.update(self._task, rate=f"{task.completed / task.elapsed:,.0f}/s")

    def finish(self) -> None:
        if self._task is not None:
            self._progress.update(self._task, total=self._progress.tasks[self._task].completed)
        self._task = None


def echo(text: str = "") -> None:
    sys.stdout.write(text + "\n")
