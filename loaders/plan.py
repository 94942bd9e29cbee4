"""A file plan: how one file becomes rows of one canonical kind — which source
column feeds each field, how it is parsed, constants, and row filters. Canonical
files get the identity plan; a mapping file (loaders/mapping.py) builds others."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from casegraph.errors import LoadError
from casegraph.loaders import fields as conv
from casegraph.loaders.kinds import Kind
from casegraph.loaders.sources import ReadOptions, check_whole, columns


@dataclass(frozen=True)
class FieldPlan:
    name: str
    column: str | None          # source column, or None when the value is a constant
    convert: Callable[[Any], Any]
    required: bool
    constant: Any = None
    value_map: dict | None = None

    def describe(self) -> str:
        if self.column is None or self.column == self.name:
            return f"field {self.name}"
        return f"field {self.name} (column {self.column!r})"


@dataclass(frozen=True)
class Condition:
    column: str
    test: Callable[[Any], bool]
    text: str


@dataclass
class RowError:
    field: str
    message: str


@dataclass
class FilePlan:
    path: Path
    fmt: str
    kind: Kind
    read: ReadOptions
    fields: list[FieldPlan]
    where: list[Condition] = field(default_factory=list)
    spec: dict = field(default_factory=dict)  # what the plan was built from, for the load id

    @property
    def name(self) -> str:
        return self.path.name

    def digest(self) -> str:
        return hashlib.sha256(json.dumps({"kind": self.kind.name, "spec": self.spec},
                                         sort_keys=True, default=str).encode()).hexdigest()

    def check_columns(self) -> None:
        """The file can be read to its end (compressed files), and every source column the
        plan reads exists in it."""
        check_whole(self.path)
        present = set(columns(self.path, self.fmt, self.read))
        needed = [f for f in self.fields if f.column is not None]
        missing = [f for f in needed if f.column not in present and f.required]
        if missing:
            names = ", ".join(repr(f.column) for f in missing)
            raise LoadError(f"{self.name}: required column(s) {names} missing for {self.kind.name} "
                            f"(the file has {', '.join(sorted(present)) or 'no columns'})")
        for c in self.where:
            if c.column not in present:
                raise LoadError(f"{self.name}: filter column {c.column!r} is not in the file")

    def convert(self, raw: dict[str, Any]) -> tuple[dict[str, Any] | None, RowError | None]:
        """A row -> (typed row, None), (None, error), or (None, None) when a filter drops it."""
        if "__error__" in raw:
            return None, RowError("(row)", raw["__error__"])
        for c in self.where:
            if not c.test(raw.get(c.column)):
                return None, None
        out: dict[str, Any] = {}
        for f in self.fields:
            v = f.constant if f.column is None else raw.get(f.column)
            if v is None or (isinstance(v, str) and not v.strip()):
                if f.required:
                    return None, RowError(f.describe(), "is empty but required")
                out[f.name] = None
                continue
            if f.value_map is not None:
                key = str(v).strip()
                if key in f.value_map:
                    v = f.value_map[key]
                    if v is None:
                        out[f.name] = None
                        continue
            try:
                out[f.name] = f.convert(v)
            except ValueError as e:
                return None, RowError(f.describe(), str(e))
            if out[f.name] is None and f.required:
                return None, RowError(f.describe(), "is empty but required")
        for group in ([self.kind.require_one] if self.kind.require_one else []):
            if all(out.get(g) is None for g in group):
                return None, RowError(" / ".join(group), "one of these must be given")
        return out, None


def canonical_plan(path: Path, fmt: str, kind: Kind) -> FilePlan:
    """The identity plan: source columns named exactly like the kind's columns."""
    opts = ReadOptions()
    present = set(columns(path, fmt, opts))
    plan_fields = [FieldPlan(c.name, c.name, conv.for_type(c.type), c.required) for c in kind.columns]
    plan = FilePlan(path, fmt, kind, opts, plan_fields, spec={"canonical": True})
    unknown = sorted(present - {c.name for c in kind.columns})
    if unknown and not (present & {c.name for c in kind.columns if c.required}):
        raise LoadError(f"{path.name}: looks like {kind.name} by name but has none of its required "
                        f"columns; map it with --mapping (columns found: {', '.join(sorted(present))})")
    return plan


def _linear_regex(pattern: Any, where: str, col: str):
    """A `matches` pattern compiled by RE2, whose matching time is linear in the text: with
    Python's backtracking engine, `(a+)+$` on a long cell ran for hours."""
    import re2
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(str(pattern), options=options)
    except re2.error as e:
        why = e.args[0].decode() if e.args and isinstance(e.args[0], bytes) else str(e)
        raise LoadError(f"{where}: bad regular expression for {col!r}: {why} (RE2 syntax: no "
                        "backreferences or lookarounds)") from None


def condition(spec: dict, where: str) -> Condition:
    """One row filter from a mapping: {column: c, equals|not_equals|in|not_in|matches|not_empty: ...}."""
    if not isinstance(spec, dict) or "column" not in spec:
        raise LoadError(f"{where}: each `where` entry needs a column and one test")
    col = str(spec["column"])
    tests = {k: v for k, v in spec.items() if k != "column"}
    if len(tests) != 1:
        raise LoadError(f"{where}: filter on {col!r} needs exactly one of equals, not_equals, in, "
                        "not_in, matches, not_empty")
    (op, arg), = tests.items()

    def text(v: Any) -> str:
        return "" if v is None else str(v).strip()
    if op == "equals":
        fn = lambda v: text(v) == str(arg)  # noqa: E731
    elif op == "not_equals":
        fn = lambda v: text(v) != str(arg)  # noqa: E731
    elif op in ("in", "not_in"):
        if not isinstance(arg, list):
            raise LoadError(f"{where}: `{op}` on {col!r} needs a list")
        allowed = {str(a) for a in arg}
        fn = (lambda v: text(v) in allowed) if op == "in" else (lambda v: text(v) not in allowed)
    elif op == "matches":
        rx = _linear_regex(arg, where, col)
        fn = lambda v: bool(rx.search(text(v)))  # noqa: E731
    elif op == "not_empty":
        fn = (lambda v: text(v) != "") if arg else (lambda v: text(v) == "")
    else:
        raise LoadError(f"{where}: unknown filter test {op!r}")
    return Condition(col, fn, f"{col} {op} {arg}")
