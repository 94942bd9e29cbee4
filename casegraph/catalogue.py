"""The query catalogue: one Cypher statement per .cypher file, found by file name.

A file opens with a comment header::

    // title: Accounts sharing a device
    // purpose: one line saying what the query is for
    // mode: read                       (read | write)
    // param account_id: string — the account to start from
    // param limit: int = 100 — most rows returned
    // example: :params {account_id: "A000000001", limit: 100}

Dialect differences live in same-named files under cypher/<dialect>/ (falkordb,
neo4j) and replace the shared file on that engine only."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from casegraph.cyphertext import labels_used, rel_types_used, write_clauses
from casegraph.errors import ModelError, ParameterError, QueryError
from casegraph.model import model
from casegraph.times import to_epoch_ms

DIALECTS = ("falkordb", "neo4j")
PARAM_TYPES = {"string", "int", "float", "bool", "time", "list", "map", "any"}
_HEADER = re.compile(r"^//\s*(title|purpose|mode|example):\s*(.*)$")
_PARAM = re.compile(r"^//\s*param\s+([a-z_][a-z0-9_]*)\s*:\s*([a-z]+)\s*(?:=\s*(.*?))?\s*(?:—\s*(.*))?$")
_REQUIRED = object()


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any = _REQUIRED
    help: str = ""

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED


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
        """Check `given` against the header: unknown names, missing required
        values and wrong types are ParameterErrors; defaults fill the rest."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise ParameterError(f"query {self.name}: unknown parameter(s) {', '.join(unknown)}; "
                                 f"it takes {', '.join(known) or 'none'}")
        out: dict[str, Any] = {}
        for p in self.params:
            if p.name in given and given[p.name] is not None:
                out[p.name] = coerce(p, given[p.name], self.name)
            elif p.required:
                raise ParameterError(f"query {self.name}: parameter {p.name} ({p.type}) is required")
            else:
                out[p.name] = p.default
        return out


def coerce(p: Param, value: Any, query: str) -> Any:
    """Convert a value (possibly a string from a CLI or a form) to the declared type."""
    where = f"query {query}: parameter {p.name} must be {p.type}, got {value!r}"
    try:
        if p.type == "any":
            return value
        if p.type == "string":
            if isinstance(value, (dict, list)):
                raise ValueError
            return str(value)
        if p.type == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        if p.type == "float":
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if p.type == "bool":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "1", "yes"):
                return True
            if str(value).lower() in ("false", "0", "no"):
                return False
            raise ValueError
        if p.type == "time":
            return to_epoch_ms(value)
        if p.type in ("list", "map"):
            if isinstance(value, str):
                value = json.loads(value)
            if not isinstance(value, list if p.type == "list" else dict):
                raise ValueError
            return value
    except (ValueError, TypeError, OverflowError, json.JSONDecodeError):
        raise ParameterError(where) from None
    raise ParameterError(where)


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
            pname, ptype, default, help_ = m.groups()
            if ptype not in PARAM_TYPES:
                raise QueryError(f"{path}: parameter {pname} has unknown type {ptype!r}")
            value = _REQUIRED if default is None else yaml.safe_load(default)
            params.append(Param(pname, ptype, value, (help_ or "").strip()))
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


def check_model_names(q: Query) -> None:
    """Labels and relationship types in a query must come from the model."""
    m = model()
    for dialect_text in (q.text, *q.overrides.values()):
        bad = sorted((labels_used(dialect_text) - set(m.nodes))
                     | (rel_types_used(dialect_text) - set(m.relationships)))
        if bad:
            raise ModelError(f"{q.path}: names {', '.join(bad)}, which the graph model does not declare")


class Catalogue:
    """All queries by name: the built-in cypher/ folder plus an optional user folder."""

    def __init__(self, roots: list[tuple[Path, bool]]):
        self._queries: dict[str, Query] = {}
        self.broken: dict[str, str] = {}  # user queries that failed their checks: name -> why
        for root, builtin in roots:
            self._add_root(root, builtin)

    def _add_root(self, root: Path, builtin: bool) -> None:
        if not root.is_dir():
            raise QueryError(f"query folder {root} does not exist")
        overrides: dict[str, dict[str, str]] = {}
        for path in sorted(root.rglob("*.cypher")):
            rel = path.relative_to(root)
            text = path.read_text(encoding="utf-8")
            if rel.parts[0] in DIALECTS:
                overrides.setdefault(path.stem, {})[rel.parts[0]] = text
                continue
            if path.stem in self._queries:
                raise QueryError(f"two queries named {path.stem}: {self._queries[path.stem].path} and {path}")
            try:
                q = parse(text, path.stem, str(path), builtin)
                check_model_names(q)
            except (QueryError, ModelError) as e:
                if builtin:
                    raise
                # One bad file in a user's folder must not stop every other command.
                self.broken[path.stem] = str(e)
                continue
            self._queries[path.stem] = q
        for name, by_dialect in overrides.items():
            if name not in self._queries:
                raise QueryError(f"{root}: dialect override {name}.cypher has no shared file to override")
            base = self._queries[name]
            for dialect, text in by_dialect.items():
                parse(text, name, f"{root}/{dialect}/{name}.cypher", builtin)  # header must hold too
            self._queries[name] = Query(**{**base.__dict__, "overrides": by_dialect})
        for q in self._queries.values():
            check_model_names(q)

    def get(self, name: str) -> Query:
        if name in self.broken:
            raise QueryError(self.broken[name])
        try:
            return self._queries[name]
        except KeyError:
            raise QueryError(f"no query named {name!r} (see `casegraph query list`)") from None

    def __iter__(self):
        return iter(sorted(self._queries.values(), key=lambda q: q.name))

    def __contains__(self, name: str) -> bool:
        return name in self._queries


def builtin_root() -> Path:
    return Path(str(resources.files("casegraph.cypher")))


@lru_cache(maxsize=8)
def catalogue(user_dir: str = "") -> Catalogue:
    """The built-in catalogue, plus the user's folder when one is configured."""
    roots = [(builtin_root(), True)]
    if user_dir:
        roots.append((Path(user_dir), False))
    return Catalogue(roots)
