"""The query catalogue: one Cypher statement per .cypher file, found by file name.

A file opens with a comment header::

    // title: Accounts sharing a device
    // purpose: one line saying what the query is for
    // mode: read                       (read | write)
    // param account_id: string — the account to start from
    // param limit: int = 100 in 1..1000 — most rows returned
    // example: :params {account_id: "A000000001", limit: 100}

A parameter may be bounded after its default: `in 1..5`, `in 2..` (at least 2), `in ..9`,
`in >0..720` (more than 0, at most 720), or limited to words: `in forward|backward`.

Dialect differences live in same-named files under cypher/<dialect>/ (falkordb,
neo4j) and replace the shared file on that engine only."""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from casegraph.cyphertext import labels_used, rel_types_used, write_clauses
from casegraph.errors import ModelError, ParameterError, QueryError
from casegraph.model import model
from casegraph.times import to_epoch_ms

DIALECTS = ("falkordb", "neo4j")
PARAM_TYPES = {"string", "int", "float", "bool", "time", "list", "map", "any"}
_HEADER = re.compile(r"^//\s*(title|purpose|mode|example):\s*(.*)$")
_NUM = r"-?\d+(?:\.\d+)?"
_SPEC = rf"(>?{_NUM}\.\.(?:{_NUM})?|\.\.{_NUM}|[a-z0-9_]+(?:\|[a-z0-9_]+)+)"
_PARAM = re.compile(r"^//\s*param\s+([a-z_][a-z0-9_]*)\s*:\s*([a-z]+)\s*(?:=\s*(.*?))?\s*"
                    rf"(?:\bin\s+{_SPEC})?\s*(?:—\s*(.*))?$")
_REQUIRED = object()
# what a value of each type must be, as an error message says it
TYPE_WORDS = {"string": "text", "int": "a whole number", "float": "a number", "bool": "true or false",
              "time": "a time (ISO 8601 or epoch seconds/ms)", "list": "a list (a JSON array)",
              "map": "a map (a JSON object)", "any": "anything"}


@dataclass(frozen=True)
class Param:
    """One parameter of a query or a detection: its type (PARAM_TYPES), default (none:
    required), help, and optional bounds (numbers: lo..hi, lo excluded when lo_open) or
    choices (strings)."""
    name: str
    type: str
    default: Any = _REQUIRED
    help: str = ""
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    choices: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    @property
    def allowed(self) -> str:
        """The bounds or choices in words ("between 1 and 5", "forward or backward"); "" for none."""
        if self.choices:
            return " or ".join(self.choices) if len(self.choices) <= 2 else "one of " + ", ".join(self.choices)
        if self.lo is not None and self.hi is not None and not self.lo_open:
            return f"between {_num(self.lo)} and {_num(self.hi)}"
        parts = [f"{'>' if self.lo_open else '>='} {_num(self.lo)}"] if self.lo is not None else []
        parts += [f"<= {_num(self.hi)}"] if self.hi is not None else []
        return " and ".join(parts)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def check_param(p: Param, where: str) -> None:
    """A declared parameter must make sense: a known type, bounds on numbers only, choices on
    text only, and a default its own checks accept. QueryError otherwise (a bug in the
    declaration, not a user's mistake)."""
    if p.type not in PARAM_TYPES:
        raise QueryError(f"{where}: parameter {p.name} has unknown type {p.type!r}")
    if (p.lo is not None or p.hi is not None) and p.type not in ("int", "float"):
        raise QueryError(f"{where}: parameter {p.name} is {p.type}; only int and float take bounds")
    if p.choices and p.type != "string":
        raise QueryError(f"{where}: parameter {p.name} is {p.type}; only string takes choices")
    if p.lo is not None and p.hi is not None and p.hi < p.lo:
        raise QueryError(f"{where}: parameter {p.name} has bounds {_num(p.lo)}..{_num(p.hi)}, an empty range")
    if not p.required and p.default is not None:
        try:
            coerce(p, p.default, where)
        except ParameterError as e:
            raise QueryError(f"{e} (its own default)") from None


@dataclass(frozen=True)
class Query:
    """One catalogue entry: its header and its text per dialect."""
    name: str
    title: str
    purpose: str
    mode: str
    params: tuple[Param, ...]
    example: str
    text: str
    path: str
    overrides: dict[str, str] = field(default_factory=dict)
    builtin: bool = True

    def text_for(self, dialect: str) -> str:
        return self.overrides.get(dialect, self.text)

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """Check `given` against the header (see bind)."""
        return bind(self.params, given, f"query {self.name}")


def bind(params: Iterable[Param], given: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Check `given` against declared parameters: unknown names, missing required values,
    wrong types and values out of bounds are ParameterErrors starting with `where` (e.g.
    "query find_account"); None is no value; defaults fill the rest."""
    params = tuple(params)
    known = [p.name for p in params]
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ParameterError(f"{where}: unknown parameter(s) {', '.join(unknown)}; "
                             f"it takes {', '.join(known) or 'none'}")
    out: dict[str, Any] = {}
    for p in params:
        if given.get(p.name) is not None:
            out[p.name] = coerce(p, given[p.name], where)
        elif p.required:
            raise ParameterError(f"{where}: parameter {p.name} ({p.type}) is required")
        else:
            out[p.name] = p.default
    return out


def coerce(p: Param, value: Any, where: str) -> Any:
    """Convert a value (possibly a string from a CLI or a form) to the declared type and check
    its bounds or choices; a ParameterError starting with `where` says what was expected."""
    def bad(what: str) -> ParameterError:
        return ParameterError(f"{where}: parameter {p.name} must be {what}, got {value!r}")

    try:
        out = _convert(p.type, value)
    except (ValueError, TypeError, OverflowError, json.JSONDecodeError):
        raise bad(TYPE_WORDS.get(p.type, p.type)) from None
    if p.choices:
        match = [c for c in p.choices if c.lower() == out.strip().lower()]
        if not match:
            raise bad(p.allowed)
        return match[0]
    if p.type == "float" and not math.isfinite(out):
        raise bad(" ".join(("a finite number", p.allowed)).strip())
    if (p.lo is not None and (out <= p.lo if p.lo_open else out < p.lo)) or (p.hi is not None and out > p.hi):
        raise bad(("a finite number " if p.type == "float" else "") + p.allowed)
    return out


def _convert(type_: str, value: Any) -> Any:
    """`value` as a `type_`; ValueError (or TypeError) when it is not one."""
    if type_ == "any":
        return value
    if type_ == "string":
        if isinstance(value, (dict, list)):
            raise ValueError
        return str(value)
    if type_ == "int":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        return int(value)
    if type_ == "float":
        if isinstance(value, bool):
            raise ValueError
        return float(value)
    if type_ == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        raise ValueError
    if type_ == "time":
        return to_epoch_ms(value)
    if type_ in ("list", "map"):
        if isinstance(value, str):
            value = json.loads(value)
        if not isinstance(value, list if type_ == "list" else dict):
            raise ValueError
        return value
    raise ValueError


def parse(text: str, name: str, path: str, builtin: bool = True) -> Query:
    """Parse one .cypher file. The header is every leading `//` line."""
    head: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if not line.startswith("//"):
            break
        if m := _PARAM.match(line):
            pname, ptype, default, spec, help_ = m.groups()
            if ptype not in PARAM_TYPES:
                raise QueryError(f"{path}: parameter {pname} has unknown type {ptype!r}")
            value = _REQUIRED if default is None else yaml.safe_load(default)
            param = Param(pname, ptype, value, (help_ or "").strip(), **_limits(spec))
            check_param(param, path)
            params.append(param)
        elif m := _HEADER.match(line):
            head[m.group(1)] = m.group(2).strip()
    for key in ("title", "purpose", "mode"):
        if not head.get(key):
            raise QueryError(f"{path}: header has no '// {key}:' line")
    if head["mode"] not in ("read", "write"):
        raise QueryError(f"{path}: mode must be read or write, not {head['mode']!r}")
    if head["mode"] == "read" and write_clauses(text):
        raise QueryError(f"{path}: declared read but contains {', '.join(write_clauses(text))}")
    return Query(name, head["title"], head["purpose"], head["mode"], tuple(params),
                 head.get("example", ""), text, path, builtin=builtin)


def _limits(spec: str | None) -> dict[str, Any]:
    """A header's `in ...` text as Param fields: `1..5`, `2..`, `..9`, `>0..720`, `a|b|c`."""
    if not spec:
        return {}
    if ".." not in spec:
        return {"choices": tuple(spec.split("|"))}
    lo, hi = spec.split("..", 1)
    return {"lo": _number(lo.lstrip(">")), "hi": _number(hi), "lo_open": lo.startswith(">")}


def _number(text: str) -> int | float | None:
    if not text:
        return None
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def check_model_names(q: Query) -> None:
    """Labels and relationship types in a query must come from the model."""
    m = model()
    for dialect_text in (q.text, *q.overrides.values()):
        bad = sorted((labels_used(dialect_text) - set(m.nodes))
                     | (rel_types_used(dialect_text) - set(m.relationships)))
        if bad:
            raise ModelError(f"{q.path}: names {', '.join(bad)}, which the graph model does not declare")


class Catalogue:
    """All queries by name: the built-in cypher/ folder plus an optional user folder.

    User queries live beside the built-ins but can never replace one: a user file named
    like a built-in, a user dialect override of a built-in and a user query that writes are
    each refused, for that file only (`broken`, shown by `query list`); the built-in keeps
    working. The loader, the detections and the UI run only built-in queries."""

    def __init__(self, roots: list[tuple[Path, bool]]):
        self._queries: dict[str, Query] = {}
        self.broken: dict[str, str] = {}  # user files that failed their checks: name (or path) -> why
        for root, builtin in roots:
            self._add_root(root, builtin)

    def _refuse(self, path: Path, name: str, why: str) -> None:
        """Set a user file aside; keyed by its name unless that names a query that works."""
        self.broken[str(path) if name in self._queries else name] = why

    def _add_root(self, root: Path, builtin: bool) -> None:
        if not root.is_dir():
            raise QueryError(f"query folder {root} does not exist")
        overrides: dict[str, dict[str, tuple[Path, str]]] = {}
        for path in sorted(root.rglob("*.cypher")):
            rel = path.relative_to(root)
            text = path.read_text(encoding="utf-8")
            if rel.parts[0] in DIALECTS:
                overrides.setdefault(path.stem, {})[rel.parts[0]] = (path, text)
                continue
            if path.stem in self._queries:
                why = f"two queries named {path.stem}: {self._queries[path.stem].path} and {path}"
                if builtin:
                    raise QueryError(why)
                self._refuse(path, path.stem, f"{path}: named like the built-in query {path.stem}; a user "
                                              "query never replaces a built-in one (rename the file)")
                continue
            try:
                q = parse(text, path.stem, str(path), builtin)
                _check_user(q)
                check_model_names(q)
            except (QueryError, ModelError) as e:
                if builtin:
                    raise
                # One bad file in a user's folder must not stop every other command.
                self._refuse(path, path.stem, str(e))
                continue
            self._queries[path.stem] = q
        for name, by_dialect in overrides.items():
            self._add_overrides(root, builtin, name, by_dialect)

    def _add_overrides(self, root: Path, builtin: bool, name: str, by_dialect: dict[str, tuple[Path, str]]) -> None:
        base = self._queries.get(name)
        for dialect, (path, text) in by_dialect.items():
            if base is None or base.builtin != builtin:
                why = (f"{path}: a dialect override of the built-in query {name}; a user query never "
                       "replaces a built-in one" if base is not None else
                       f"{root}: dialect override {name}.cypher has no shared file to override")
                if builtin:
                    raise QueryError(why)
                self._refuse(path, name, why)
                return
            try:
                _check_user(parse(text, name, str(path), builtin))      # its header must hold too
            except QueryError as e:
                if builtin:
                    raise
                del self._queries[name]
                self._refuse(path, name, str(e))
                return
        q = Query(**{**base.__dict__, "overrides": {d: text for d, (_, text) in by_dialect.items()}})
        try:
            check_model_names(q)
        except ModelError as e:
            if builtin:
                raise
            del self._queries[name]
            self._refuse(Path(q.path), name, str(e))
            return
        self._queries[name] = q

    def get(self, name: str) -> Query:
        if name in self.broken and name not in self._queries:
            raise QueryError(self.broken[name])
        try:
            return self._queries[name]
        except KeyError:
            raise QueryError(f"no query named {name!r} (see `casegraph query list`)") from None

    def __iter__(self):
        return iter(sorted(self._queries.values(), key=lambda q: q.name))

    def __contains__(self, name: str) -> bool:
        return name in self._queries


def _check_user(q: Query) -> None:
    """User queries are read-only, whatever their header says."""
    if not q.builtin and q.mode != "read":
        raise QueryError(f"{q.path}: user queries are read-only; 'mode: {q.mode}' is not allowed")


def builtin_root() -> Path:
    return Path(str(resources.files("casegraph.cypher")))


@lru_cache(maxsize=8)
def catalogue(user_dir: str = "") -> Catalogue:
    """The built-in catalogue, plus the user's folder when one is configured."""
    roots = [(builtin_root(), True)]
    if user_dir:
        roots.append((Path(user_dir), False))
    return Catalogue(roots)
