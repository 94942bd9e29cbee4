"""YAML mapping files: map any export's files and columns onto the canonical kinds.
See docs/mapping.md for the format and two worked examples."""
from __future__ import annotations

import codecs
import fnmatch
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from casegraph.errors import ConfigError, LoadError
from casegraph.loaders import fields as conv
from casegraph.loaders.kinds import file_format, kinds
from casegraph.loaders.plan import FieldPlan, FilePlan, condition
from casegraph.loaders.sources import ReadOptions

ENTRY_KEYS = {"match", "kind", "format", "delimiter", "encoding", "quotechar", "names", "columns",
              "constants", "where", "time_format", "timezone", "decimal", "thousands"}
FIELD_KEYS = {"column", "format", "timezone", "decimal", "thousands", "scale", "map"}
DEFAULT_KEYS = {"delimiter", "encoding", "quotechar", "time_format", "timezone", "decimal", "thousands"}


@dataclass
class Mapping:
    path: Path
    entries: list[dict[str, Any]]
    digest: str

    def plans_for(self, file: Path) -> list[FilePlan]:
        """A plan for every entry whose `match` glob fits the file name."""
        return [_plan(file, e, self._where(i)) for i, e in enumerate(self.entries)
                if fnmatch.fnmatch(file.name, e["match"])]

    def _where(self, i: int) -> str:
        return f"{self.path.name}: files[{i}] ({self.entries[i]['match']})"


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; mistakes are ConfigErrors naming the entry."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        _no_aliases(raw, path)
        doc = yaml.safe_load(raw)
    except OSError as e:
        raise ConfigError(f"cannot read mapping file {path}: {e.strerror}") from e
    except yaml.YAMLError as e:
        raise ConfigError(f"mapping file {path.name} is not valid YAML: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), list) or not doc["files"]:
        raise ConfigError(f"mapping file {path.name} needs a non-empty `files:` list")
    defaults = doc.get("defaults") or {}
    bad = set(defaults) - DEFAULT_KEYS
    if bad:
        raise ConfigError(f"{path.name}: unknown key(s) in defaults: {', '.join(sorted(bad))}")
    entries = []
    for i, entry in enumerate(doc["files"]):
        where = f"{path.name}: files[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a mapping")
        unknown = set(entry) - ENTRY_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: "
                              f"{', '.join(sorted(ENTRY_KEYS))}")
        for key in ("match", "kind"):
            if not entry.get(key):
                raise ConfigError(f"{where}: `{key}` is required")
            if not isinstance(entry[key], str):
                raise ConfigError(f"{where}: `{key}` must be text, not {type(entry[key]).__name__} {entry[key]!r}")
        if entry["kind"] not in kinds():
            raise ConfigError(f"{where}: unknown kind {entry['kind']!r}; kinds are {', '.join(kinds())}")
        merged = {**defaults, **entry}
        _check_reading(merged, where)
        _check_fields(merged, where)
        entries.append(merged)
    return Mapping(path, entries, hashlib.sha256(raw).hexdigest())


def _no_aliases(raw: bytes, path: Path) -> None:
    """Refuse YAML aliases (*name): a 471-byte mapping of nested aliases expanded to 7.4 GB.
    A mapping never needs them. Checked on the parser's events, before anything is built."""
    for event in yaml.parse(raw, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else "?"
            raise ConfigError(f"mapping file {path.name} line {line}: YAML aliases (*{event.anchor}) are not "
                              "allowed in a mapping; write the value out")


def _check_reading(entry: dict, where: str) -> None:
    """How the file is read: one-character delimiter and quote, a known encoding, names as a
    list of column names, `where` as a list."""
    for key in ("delimiter", "quotechar"):
        value = entry.get(key)
        if value is not None and (not isinstance(value, str) or len(value) != 1):
            raise ConfigError(f"{where}: `{key}` must be one character, not {value!r}")
    encoding = entry.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(str(encoding))
        except LookupError:
            raise ConfigError(f"{where}: unknown `encoding` {encoding!r} (e.g. utf-8, latin-1, cp1252)") from None
    names = entry.get("names")
    if names is not None and (not isinstance(names, list) or not all(isinstance(n, (str, int)) for n in names)):
        raise ConfigError(f"{where}: `names` must be a list of column names")
    if entry.get("where") is not None and not isinstance(entry["where"], list):
        raise ConfigError(f"{where}: `where` must be a list of filters")


def _check_fields(entry: dict, where: str) -> None:
    kind = kinds()[entry["kind"]]
    names = {c.name for c in kind.columns}
    for section in ("columns", "constants"):
        spec = entry.get(section) or {}
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: `{section}` must map canonical field -> value")
        unknown = set(spec) - names
        if unknown:
            raise ConfigError(f"{where}: {section} names unknown field(s) {', '.join(sorted(unknown))} "
                              f"of {kind.name}; its fields are {', '.join(sorted(names))}")
    for name, spec in (entry.get("columns") or {}).items():
        if isinstance(spec, dict):
            bad = set(spec) - FIELD_KEYS
            if bad or "column" not in spec:
                raise ConfigError(f"{where}: field {name} needs `column` and may have "
                                  f"{', '.join(sorted(FIELD_KEYS - {'column'}))}")
        elif not isinstance(spec, (str, int)):
            raise ConfigError(f"{where}: field {name} must name a column")


def _plan(file: Path, entry: dict, where: str) -> FilePlan:
    kind = kinds()[entry["kind"]]
    fmt = entry.get("format") or file_format(file)
    if fmt not in ("csv", "parquet", "jsonl"):
        raise LoadError(f"{where}: cannot tell the format of {file.name}; set `format`")
    names = entry.get("names")
    opts = ReadOptions(delimiter=entry.get("delimiter"), encoding=entry.get("encoding", "utf-8-sig"),
                       quotechar=entry.get("quotechar", '"'), names=tuple(names) if names else None)
    columns = entry.get("columns") or {}
    constants = entry.get("constants") or {}
    plan_fields = []
    for col in kind.columns:
        spec = columns.get(col.name)
        spec = {"column": spec} if isinstance(spec, (str, int)) else dict(spec or {})
        options = {
            "format": spec.get("format", entry.get("time_format", "auto")),
            "timezone": spec.get("timezone", entry.get("timezone", "UTC")),
            "decimal": spec.get("decimal", entry.get("decimal", ".")),
            "thousands": spec.get("thousands", entry.get("thousands", "")),
            "scale": spec.get("scale", 1.0),
        }
        converter = conv.for_type(col.type, **options)
        value_map = spec.get("map")
        if value_map is not None and not isinstance(value_map, dict):
            raise ConfigError(f"{where}: `map` of field {col.name} must be a mapping")
        if "column" in spec:
            plan_fields.append(FieldPlan(col.name, str(spec["column"]), converter, col.required,
                                         value_map={_key(k): v for k, v in (value_map or {}).items()} or None))
        elif col.name in constants:
            plan_fields.append(FieldPlan(col.name, None, converter, col.required, constant=constants[col.name]))
        else:
            plan_fields.append(FieldPlan(col.name, col.name, converter, col.required))
    where_conds = [condition(c, where) for c in entry.get("where") or []]
    return FilePlan(file, fmt, kind, opts, plan_fields, where_conds, spec=entry)


def _key(k: Any) -> Any:
    """Mapping keys compare with raw values as text (CSV values are text)."""
    return str(k) if not isinstance(k, str) else k
