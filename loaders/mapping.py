"""YAML mapping files: map any export's files and columns onto the canonical kinds.
See docs/mapping.md for the format and two worked examples."""
from __future__ import annotations

import codecs
import fnmatch
import hashlib
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from casegraph.errors import ConfigError, LoadError
from casegraph.loaders import fields as conv
from casegraph.loaders.kinds import file_format, kinds
from casegraph.loaders.plan import FieldPlan, FilePlan, Keep, condition, text_of, yes_no
from casegraph.loaders.sources import ReadOptions, sniff_delimiter

ENTRY_KEYS = {"match", "kind", "format", "delimiter", "encoding", "quotechar", "names", "columns",
              "constants", "where", "time_format", "timezone", "decimal", "thousands", "id", "keep",
              "on_conflict", "time_origin", "time_step"}
SOURCE_KEYS = {"column", "template", "hash", "row_number"}
OPTION_KEYS = {   # per field type, the options a field spec may have besides its source
    "string": {"map"},
    "bool": {"map"},
    "int": {"map", "decimal", "thousands"},
    "float": {"map", "decimal", "thousands", "scale"},
    "time": {"map", "format", "timezone", "origin", "step"},
}
DEFAULT_KEYS = {"delimiter", "encoding", "quotechar", "time_format", "timezone", "decimal", "thousands",
                "constants", "on_conflict", "time_origin", "time_step"}
KEEP_TYPES = {"string", "int", "float", "time", "bool"}
PROPERTY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


class _TextLoader(yaml.SafeLoader):
    """YAML as text: plain scalars stay the text written (`true`, `yes`, `0123`, `1.0`,
    `2024-01-01`), because a mapping compares them with the text a file holds; YAML 1.1
    would read `{true: blocked}` as a boolean key that no cell ever equals, and `0123` as
    the octal number 83. Only `~`/`null`/nothing is read as empty. Options that are numbers
    (scale, step) are parsed where they are used, with a message naming them."""


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


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
        doc = yaml.load(raw, Loader=_TextLoader)  # noqa: S506 - a SafeLoader with fewer resolvers
    except OSError as e:
        raise ConfigError(f"cannot read mapping file {path}: {e.strerror}") from e
    except yaml.YAMLError as e:
        raise ConfigError(f"mapping file {path.name} is not valid YAML: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), list) or not doc["files"]:
        raise ConfigError(f"mapping file {path.name} needs a non-empty `files:` list")
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError(f"{path.name}: `defaults` must be a mapping")
    bad = set(defaults) - DEFAULT_KEYS
    if bad:
        raise ConfigError(f"{path.name}: unknown key(s) in defaults: {', '.join(sorted(map(str, bad)))}; "
                          f"allowed: {', '.join(sorted(DEFAULT_KEYS))}")
    default_constants = defaults.get("constants") or {}
    if not isinstance(default_constants, dict):
        raise ConfigError(f"{path.name}: `constants` in defaults must map field -> value")
    used_defaults: set = set()
    entries = []
    for i, entry in enumerate(doc["files"]):
        where = f"{path.name}: files[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a mapping")
        unknown = set(entry) - ENTRY_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; allowed: "
                              f"{', '.join(sorted(ENTRY_KEYS))}")
        for key in ("match", "kind"):
            if not entry.get(key):
                raise ConfigError(f"{where}: `{key}` is required")
            if not isinstance(entry[key], str):
                raise ConfigError(f"{where}: `{key}` must be text, not {type(entry[key]).__name__} {entry[key]!r}")
        if entry["kind"] not in kinds():
            raise ConfigError(f"{where}: unknown kind {entry['kind']!r}; kinds are {', '.join(kinds())}")
        merged = {**defaults, **entry}
        fields = {c.name for c in kinds()[entry["kind"]].columns}
        inherited = {k: v for k, v in default_constants.items() if k in fields}
        used_defaults |= set(inherited)
        merged["constants"] = {**inherited, **(entry.get("constants") or {})} \
            if isinstance(entry.get("constants") or {}, dict) else entry["constants"]
        _check_reading(merged, where)
        _check_fields(merged, where)
        entries.append(merged)
    unused = set(default_constants) - used_defaults
    if unused:
        raise ConfigError(f"{path.name}: defaults.constants names field(s) {', '.join(sorted(map(str, unused)))} "
                          "that no entry's kind has")
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
    """Every field, option, id, kept column and conflict rule of an entry, before any row is read."""
    kind = kinds()[entry["kind"]]
    names = {c.name for c in kind.columns}
    for section in ("columns", "constants"):
        spec = entry.get(section) or {}
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: `{section}` must map canonical field -> value")
        unknown = set(spec) - names
        if unknown:
            raise ConfigError(f"{where}: {section} names unknown field(s) {', '.join(sorted(map(str, unknown)))} "
                              f"of {kind.name}; its fields are {', '.join(sorted(names))}")
    columns = dict(entry.get("columns") or {})
    if entry.get("id") is not None:
        if not kind.id:
            raise ConfigError(f"{where}: {kind.name} rows have no id of their own (their key is "
                              f"{', '.join(kind.key)}); `id` applies to transfers, deposits, withdrawals, "
                              "onchain, scam_reports and groups")
        if kind.id in columns:
            raise ConfigError(f"{where}: `id` and columns.{kind.id} both say where {kind.id} comes from; keep one")
    for name, spec in columns.items():
        _field_spec(spec, kind.column(name).type, f"{where}: field {name}")
    for name, value in (entry.get("constants") or {}).items():
        _constant(kind.column(name), value, where)
    if entry.get("id") is not None:
        _field_spec(_id_spec(entry["id"], where), "string", f"{where}: `id`")
    _keeps(entry, kind, where)
    for c in entry.get("where") or []:
        try:
            condition(c, where)
        except LoadError as e:
            raise ConfigError(str(e)) from None
    rule = str(entry.get("on_conflict", "reject"))
    if rule not in ("reject", "keep"):
        raise ConfigError(f"{where}: `on_conflict` is reject or keep, not {rule!r}")
    if rule == "keep" and not kind.id:
        raise ConfigError(f"{where}: `on_conflict: keep` gives a conflicting row an id of its own; {kind.name} "
                          "rows have no id")


def _id_spec(spec: Any, where: str) -> dict:
    """`id: row_number`, `id: {template: ...}`, `id: {hash: [...]}` or `id: {column: ...}`."""
    if spec == "row_number":
        return {"row_number": "true"}
    if isinstance(spec, dict):
        return spec
    raise ConfigError(f"{where}: `id` is row_number, {{template: \"...\"}}, {{hash: [columns]}} or "
                      f"{{column: name}}, not {spec!r}")


def _field_spec(spec: Any, typ: str, where: str) -> dict:
    """A field's spec as a dict with exactly one source; its options checked for the field's type."""
    if spec is None or isinstance(spec, (list, bool)):
        raise ConfigError(f"{where} must name a column or be a map with `column`")
    if not isinstance(spec, dict):
        return {"column": str(spec)}
    sources = [k for k in SOURCE_KEYS if k in spec]
    allowed = OPTION_KEYS[typ]
    bad = set(spec) - SOURCE_KEYS - allowed
    if len(sources) != 1 or bad:
        what = f"unknown or misplaced option(s) {', '.join(sorted(map(str, bad)))}; " if bad else ""
        raise ConfigError(f"{where}: {what}a field needs one of `column`, `template`, `hash`, `row_number` "
                          f"and, for a {typ} field, may have {', '.join(sorted(allowed))}")
    if sources[0] != "column" and typ != "string":
        raise ConfigError(f"{where}: `{sources[0]}` makes text ids; it applies to text fields only")
    if "template" in spec:
        _template_columns(spec["template"], where)
    if "hash" in spec and (not isinstance(spec["hash"], list) or not spec["hash"]
                           or not all(isinstance(c, str) for c in spec["hash"])):
        raise ConfigError(f"{where}: `hash` needs a list of column names")
    if "row_number" in spec:
        yes_no(spec["row_number"], f"{where}: `row_number`")
    if "map" in spec:
        _value_map(spec["map"], where)
    if "scale" in spec:
        _number(spec["scale"], f"{where}: `scale`")
    return spec


def _number(value: Any, where: str) -> float:
    try:
        f = float(str(value).strip())
    except ValueError:
        raise ConfigError(f"{where} must be a number, not {value!r}") from None
    if f != f or f in (float("inf"), float("-inf")):
        raise ConfigError(f"{where} must be a finite number, not {value!r}")
    return f


def _value_map(value_map: Any, where: str) -> dict:
    if not isinstance(value_map, dict):
        raise ConfigError(f"{where}: `map` must be a mapping of file value -> value")
    for k, v in value_map.items():
        if k is None:
            raise ConfigError(f"{where}: `map` has an empty key (`~` or `null`); quote it if the file holds "
                              "that text (empty cells are never mapped)")
        if isinstance(k, (list, dict)) or isinstance(v, (list, dict)):
            raise ConfigError(f"{where}: `map` keys and values are single values, not {k!r}: {v!r}")
    return {text_of(k): v for k, v in value_map.items()}


def _template_columns(template: Any, where: str) -> list[str]:
    """The columns a `template` names: {name} only (no format specs)."""
    if not isinstance(template, str) or not template:
        raise ConfigError(f"{where}: `template` must be text like \"{{fromId}}-{{toId}}-{{createTime}}\"")
    cols = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as e:
        raise ConfigError(f"{where}: bad `template` {template!r}: {e} (write a literal brace as {{{{ or }}}})") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name or spec or conversion:
            raise ConfigError(f"{where}: `template` {template!r}: each {{...}} names one column, with no "
                              "format (e.g. {fromId})")
        cols.append(name)
    if not cols:
        raise ConfigError(f"{where}: `template` {template!r} names no column; every row would get the same id")
    return cols


def _constant(col, value: Any, where: str) -> Any:
    """A constant, typed once: times are ISO 8601 or epoch and numbers use '.', whatever the
    entry's own time_format, decimal or thousands options say about the file's cells."""
    if value is None:
        return None
    try:
        return conv.for_type(col.type)(value)
    except ValueError as e:
        hint = " (constants are ISO 8601, e.g. 2024-01-01T00:00:00Z, or epoch numbers)" if col.type == "time" else ""
        raise ConfigError(f"{where}: constant {col.name}: {e}{hint}") from None


def _keeps(entry: dict, kind, where: str) -> list[tuple[str, str, str]]:
    """`keep:` as (column, property, type): a list of column names or {column, as, type} maps,
    or a map column -> type. Properties never shadow the model's or provenance."""
    spec = entry.get("keep")
    if spec is None:
        return []
    if not kind.extras:
        raise ConfigError(f"{where}: {kind.name} rows cannot keep extra columns (kinds that can: "
                          f"{', '.join(k.name for k in kinds().values() if k.extras)})")
    items = []
    if isinstance(spec, dict):
        items = [{"column": c, "type": t} for c, t in spec.items()]
    elif isinstance(spec, list):
        items = [{"column": c} if isinstance(c, str) else c for c in spec]
    if not items or not all(isinstance(i, dict) and isinstance(i.get("column"), str) for i in items):
        raise ConfigError(f"{where}: `keep` is a list of column names (or {{column, as, type}} maps), or a map "
                          "column -> type")
    from casegraph.model import model
    taken = set(model().provenance) | {"extra"} | set(_target_properties(kind, model()))
    out = []
    for i in items:
        bad = set(i) - {"column", "as", "type"}
        if bad:
            raise ConfigError(f"{where}: `keep` entry {i['column']!r}: unknown key(s) {', '.join(sorted(bad))}")
        prop, typ = str(i.get("as") or i["column"]), str(i.get("type") or "string")
        if not PROPERTY_NAME.match(prop):
            raise ConfigError(f"{where}: kept column {i['column']!r} needs a property name of letters, digits and "
                              f"_ (starting with a letter): add `as: name`")
        if prop in taken:
            raise ConfigError(f"{where}: kept column {i['column']!r} would overwrite the property {prop!r} that "
                              f"casegraph itself sets; name it otherwise with `as:`")
        if typ not in KEEP_TYPES:
            raise ConfigError(f"{where}: kept column {i['column']!r}: unknown type {typ!r}; types are "
                              f"{', '.join(sorted(KEEP_TYPES))}")
        taken.add(prop)
        out.append((i["column"], prop, typ))
    return out


def _target_properties(kind, m) -> list[str]:
    """The model's properties of the element a kind's extras go onto."""
    label = kind.extras_on
    if label in m.nodes:
        return list(m.nodes[label].properties)
    if label in m.relationships:
        return list(m.relationships[label].properties)
    return []


def _plan(file: Path, entry: dict, where: str) -> FilePlan:
    kind = kinds()[entry["kind"]]
    fmt = entry.get("format") or file_format(file)
    if fmt not in ("csv", "parquet", "jsonl"):
        raise LoadError(f"{where}: cannot tell the format of {file.name}; set `format`")
    names = entry.get("names")
    opts = ReadOptions(delimiter=entry.get("delimiter"), encoding=entry.get("encoding", "utf-8-sig"),
                       quotechar=entry.get("quotechar", '"'), names=tuple(names) if names else None)
    opts = ReadOptions(delimiter=sniff_delimiter(file, fmt, opts), encoding=opts.encoding,
                       quotechar=opts.quotechar, names=opts.names)
    columns = dict(entry.get("columns") or {})
    if entry.get("id") is not None:
        columns[kind.id] = _id_spec(entry["id"], where)
    constants = entry.get("constants") or {}
    plan_fields = []
    for col in kind.columns:
        here = f"{where}: field {col.name}"
        if col.name in columns:
            spec = _field_spec(columns[col.name], col.type, here)
        elif col.name in constants:
            plan_fields.append(FieldPlan(col.name, None, _same, col.required,
                                         constant=_constant(col, constants[col.name], where)))
            continue
        else:
            spec = {"column": col.name}
        fmt_of = spec.get("format", entry.get("time_format", "auto"))
        stepped = fmt_of == "step"
        options = {
            "format": fmt_of,
            "timezone": spec.get("timezone", entry.get("timezone", "UTC")),
            "decimal": spec.get("decimal", entry.get("decimal", ".")),
            "thousands": spec.get("thousands", entry.get("thousands", "")),
            "scale": _number(spec.get("scale", 1.0), f"{here}: `scale`"),
            "origin": spec.get("origin", entry.get("time_origin") if stepped else None),
            "step": spec.get("step", entry.get("time_step") if stepped else None),
        }
        try:
            converter = conv.for_type(col.type, **options)
        except ConfigError as e:
            raise ConfigError(f"{here}: {e}") from None
        value_map = _value_map(spec["map"], here) if spec.get("map") is not None else None
        if "column" in spec:
            plan_fields.append(FieldPlan(col.name, str(spec["column"]), converter, col.required,
                                         value_map=value_map, explicit=col.name in columns))
        else:
            derive, how = _generated(spec, file, here)
            plan_fields.append(FieldPlan(col.name, None, converter, col.required, value_map=value_map,
                                         derive=derive, explicit=True, how=how))
    where_conds = [condition(c, where) for c in entry.get("where") or []]
    keep = [Keep(c, p, t, conv.for_type(t)) for c, p, t in _keeps(entry, kind, where)]
    return FilePlan(file, fmt, kind, opts, plan_fields, where_conds, spec=entry, keep=keep,
                    on_conflict=str(entry.get("on_conflict", "reject")))


def _same(v: Any) -> Any:
    return v


class _Derived:
    """A generated id: a function of the raw row and its position, with the columns it reads."""

    def __init__(self, fn, columns: list[str]):
        self.fn, self.columns = fn, columns

    def __call__(self, raw: dict, position: int) -> Any:
        return self.fn(raw, position)


def _generated(spec: dict, file: Path, where: str) -> tuple[_Derived, str]:
    """template: the cells put into the text; hash: a SHA-256 of the cells (stable across
    reloads of the same rows); row_number: file name and line (or Parquet row) number, which
    changes when rows are added above or the file is renamed."""
    if "template" in spec:
        template = spec["template"]
        cols = _template_columns(template, where)

        def render(raw: dict, position: int) -> str:
            values = {}
            for c in cols:
                values[c] = text_of(raw.get(c))
                if not values[c]:
                    raise ValueError(f"column {c!r} is empty, so the id cannot be made")
            return template.format_map(values)
        return _Derived(render, cols), f"template {template!r}"
    if "hash" in spec:
        cols = [str(c) for c in spec["hash"]]

        def digest(raw: dict, position: int) -> str:
            values = [text_of(raw.get(c)) for c in cols]
            if not any(values):
                raise ValueError(f"column(s) {', '.join(map(repr, cols))} are all empty, so the id cannot be made")
            return hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:24]
        return _Derived(digest, cols), f"hash of {', '.join(cols)}"
    name = file.name
    return _Derived(lambda raw, position: f"{name}:{position}", []), "row number"
