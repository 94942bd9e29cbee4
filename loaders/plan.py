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
from casegraph.loaders.sources import ReadOptions, all_columns, check_whole, columns, sniff_delimiter


@dataclass(frozen=True)
class FieldPlan:
    name: str
    column: str | None          # source column, or None when the value is a constant or generated
    convert: Callable[[Any], Any]
    required: bool
    constant: Any = None
    value_map: dict | None = None
    derive: Callable[[dict, int], Any] | None = None   # a generated value: (raw row, position) -> text
    explicit: bool = False      # the mapping names the column: it must be in the file
    how: str = ""               # how a generated value is made, for messages

    def describe(self) -> str:
        if self.derive is not None:
            return f"field {self.name} ({self.how})"
        if self.column is None or self.column == self.name:
            return f"field {self.name}"
        return f"field {self.name} (column {self.column!r})"

    def columns(self) -> list[str]:
        """The source columns this field reads."""
        if self.derive is not None:
            return list(getattr(self.derive, "columns", ()))
        return [] if self.column is None else [self.column]


@dataclass(frozen=True)
class Keep:
    """A source column kept as an extra property (`keep:` in a mapping)."""
    column: str
    prop: str
    type: str
    convert: Callable[[Any], Any]


@dataclass
class Condition:
    column: str
    test: Callable[[Any], bool]
    text: str
    seen: dict = field(default_factory=dict)   # a few values of rows the test dropped, for messages

    def passes(self, v: Any) -> bool:
        if self.test(v):
            return True
        if len(self.seen) < 5:
            self.seen[text_of(v)] = True
        return False


def text_of(v: Any) -> str:
    """A raw value as the text a filter or value map compares: CSV cells are text already;
    JSON and Parquet booleans read as true/false, as they are written in those files."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v).strip()


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
    keep: list[Keep] = field(default_factory=list)
    on_conflict: str = "reject"               # or "keep": a conflicting row becomes an event of its own

    @property
    def name(self) -> str:
        return self.path.name

    def digest(self) -> str:
        return hashlib.sha256(json.dumps({"kind": self.kind.name, "spec": self.spec},
                                         sort_keys=True, default=str).encode()).hexdigest()

    def check_columns(self) -> None:
        """The file can be read to its end (compressed files), and every source column the
        plan names exists in it (with a suggestion when one is misspelt)."""
        check_whole(self.path)
        present = all_columns(self.path, self.fmt, self.read)
        named: dict[str, str] = {}
        for f in self.fields:
            if f.derive is not None or f.explicit or (f.required and f.column is not None):
                for c in f.columns():
                    named.setdefault(c, f"field {f.name}")
        for k in self.keep:
            named.setdefault(k.column, "keep")
        for c in self.where:
            named.setdefault(c.column, "a `where` filter")
        missing = [c for c in named if c not in present]
        if missing:
            raise LoadError(missing_columns(self.name, self.kind.name, missing, named, present,
                                            self.read.delimiter))

    def sources(self) -> str:
        """Where each field comes from, in one line (`load --check`)."""
        parts = []
        for f in self.fields:
            if f.derive is not None:
                parts.append(f"{f.name} <- {f.how}")
            elif f.column is None:
                if f.constant is not None:
                    parts.append(f"{f.name} = {f.constant!r}")
            elif f.explicit or f.required or f.column != f.name:
                parts.append(f"{f.name} <- {f.column!r}")
        parts += [f"+{k.prop} ({k.type}) <- {k.column!r}" for k in self.keep]
        parts += [f"where {c.text}" for c in self.where]
        return "; ".join(parts)

    def convert(self, raw: dict[str, Any], position: int = 0) -> tuple[dict[str, Any] | None, RowError | None]:
        """A row -> (typed row, None), (None, error), or (None, None) when a filter drops it."""
        if "__error__" in raw:
            return None, RowError("(row)", raw["__error__"])
        for c in self.where:
            if not c.passes(raw.get(c.column)):
                return None, None
        out: dict[str, Any] = {}
        for f in self.fields:
            if f.derive is not None:
                try:
                    v = f.derive(raw, position)
                except ValueError as e:
                    return None, RowError(f.describe(), str(e))
            else:
                v = f.constant if f.column is None else raw.get(f.column)
            if v is None or (isinstance(v, str) and not v.strip()):
                if f.required:
                    return None, RowError(f.describe(), "is empty but required")
                out[f.name] = None
                continue
            if f.value_map is not None:
                key = text_of(v)
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
        if self.kind.values or self.kind.range:
            bad = self.kind.check(out)
            if bad is not None:
                f = next((f for f in self.fields if f.name == bad[0]), None)
                return None, RowError(f.describe() if f else f"field {bad[0]}", bad[1])
        if self.keep:
            extra = {}
            for k in self.keep:
                v = raw.get(k.column)
                if v is None or (isinstance(v, str) and not v.strip()):
                    continue
                try:
                    extra[k.prop] = k.convert(v)
                except ValueError as e:
                    return None, RowError(f"kept column {k.column!r}", str(e))
            out["extra"] = extra
        return out, None


DELIMITERS = {",": "comma", ";": "semicolon", "|": "pipe", "\t": "tab"}


def missing_columns(file: str, kind: str, missing: list[str], named: dict[str, str], present: list[str],
                    delimiter: str | None) -> str:
    """The message for source columns a plan names that the file does not have: each with what
    needs it and the nearest column name, plus a hint when the header looks split wrongly."""
    import difflib
    parts = []
    for c in dict.fromkeys(missing):
        near = difflib.get_close_matches(c, present, n=1, cutoff=0.75)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        parts.append(f"{c!r} ({named[c]}{hint})")
    shown = ", ".join(present[:30]) + (f" ... ({len(present)} columns)" if len(present) > 30 else "")
    text = (f"{file}: column(s) {', '.join(parts)} missing for {kind} "
            f"(the file has {shown or 'no columns'})")
    if len(present) == 1:
        used = delimiter or ","
        for d, word in DELIMITERS.items():
            if d != used and d in present[0]:
                shown_d = "\\t" if d == "\t" else d
                text += (f". The header was split on {DELIMITERS.get(used, repr(used))} ({used!r}) but looks "
                         f"{word}-delimited: set `delimiter: \"{shown_d}\"` in the mapping")
                break
    return text


def yes_no(value: Any, where: str) -> bool:
    """A mapping's yes/no option (the mapping's YAML is read as text: true, false, yes, no)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise LoadError(f"{where} must be true or false, not {value!r}")


def canonical_plan(path: Path, fmt: str, kind: Kind) -> FilePlan:
    """The identity plan: source columns named exactly like the kind's columns."""
    opts = ReadOptions(delimiter=sniff_delimiter(path, fmt, ReadOptions()))
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
    if arg is None:
        raise LoadError(f"{where}: filter on {col!r}: `{op}` has no value (for empty cells use "
                        "`not_empty: false`)")
    text = text_of
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
        fn = (lambda v: text(v) != "") if yes_no(arg, f"{where}: `not_empty` on {col!r}") else \
            (lambda v: text(v) == "")
    else:
        raise LoadError(f"{where}: unknown filter test {op!r}; tests are equals, not_equals, in, not_in, matches, "
                        "not_empty")
    return Condition(col, fn, f"{col} {op} {arg}")
