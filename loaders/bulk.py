"""First loads into an empty graph through the backend's bulk insert (FalkorDB's GRAPH.BULK).

MERGE statements slow down as the graph grows (about 14k rows/s at millions of nodes);
building a new graph from binary node and edge tables is an order of magnitude faster.
This module computes, from all files of one load, exactly the graph the MERGE templates
in cypher/load/ would build, then hands it to the backend's bulk writer, which builds it
under a temporary name and renames it onto the target only when complete (an interrupted
bulk load leaves the target untouched).

The MERGE templates are described as data in WRITES below: which nodes a row merges
(label, key field, properties and how repeated rows combine them), and which relationship.
A digest of each template's text guards the description: when a template changes and
WRITES does not, the bulk path is refused and the MERGE path loads instead.

How repeated rows combine (the MERGE templates' ON CREATE / ON MATCH rules, row by row):
  last   `x = coalesce(row.x, x)`  - the latest non-empty value wins
  first  `x = coalesce(x, row.x)`  - the earliest non-empty value stays
  min / max                        - first_seen / last_seen of identifier links
Provenance (`source`, `load_id`, `loaded_at`) comes from the file that first names a
node or relationship, as ON CREATE sets it. Rows with the same kind key are combined
first (Kind.merge), as the MERGE path does within a batch.

Memory: rows are held as typed columns (Arrow strings, nullable ints and floats) of all
files until the graph is built, and node keys as one pandas index per label; the
encoded binary goes out in commands of at most MAX_COMMAND bytes."""
from __future__ import annotations

import hashlib
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders.plan import FilePlan

MAX_TOKEN = 64 * 2**20      # Redis: a bulk string is at most 512 MB
MAX_COMMAND = 192 * 2**20   # Redis: a client's query buffer is at most 1 GB
CHUNK_ROWS = 500_000        # rows encoded at a time


# -- the MERGE templates as data ------------------------------------------------------------

@dataclass(frozen=True)
class NodeRef:
    label: str
    key: str                      # key property
    field: str                    # row field holding the key
    props: tuple[tuple[str, str, str], ...] = ()   # (property, row field, rule)


@dataclass(frozen=True)
class RelRef:
    type: str
    src: int                      # index into the write's nodes
    dst: int
    ident: tuple[tuple[str, str], ...] = ()        # MERGE pattern properties: (property, row field)
    props: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class WriteSpec:
    nodes: tuple[NodeRef, ...]
    rel: RelRef | None
    digest: str                   # sha256 of the template text this describes


def _acc(field: str = "account_id") -> NodeRef:
    return NodeRef("Account", "account_id", field)


def _wallet(field: str, chain: bool = False) -> NodeRef:
    return NodeRef("Wallet", "address", field, (("chain", "chain", "first"),) if chain else ())


def _last(*names: str) -> tuple[tuple[str, str, str], ...]:
    return tuple((n, n, "last") for n in names)


_SEEN = (("first_seen", "first_seen", "min"), ("last_seen", "last_seen", "max"), ("count", "count", "last"))
_MONEY = _last("amount", "amount_usd", "asset", "at")
_LISTED = _last("list_source", "reason", "listed_at")

WRITES: dict[str, WriteSpec] = {
    "load_accounts": WriteSpec((NodeRef("Account", "account_id", "account_id", _last(
        "registered_at", "country", "kyc_level", "status", "referral_code")),), None,
        "f68adc176b31cc01"),
    "load_referrals": WriteSpec((_acc(), _acc("referred_by")), RelRef("REFERRED", 1, 0), "790e50fe91ef3755"),
    "load_wallets": WriteSpec((NodeRef("Wallet", "address", "address", _last("chain", "label")),), None,
                              "2e72f37d5c3f306c"),
    "load_account_devices": WriteSpec((_acc(), NodeRef("Device", "device_id", "device_id")),
                                      RelRef("USED_DEVICE", 0, 1, (), _SEEN), "f71367679fec7893"),
    "load_account_ips": WriteSpec((_acc(), NodeRef("IP", "ip", "ip")),
                                  RelRef("USED_IP", 0, 1, (), _SEEN), "c3df5f7a360f16af"),
    "load_account_phones": WriteSpec((_acc(), NodeRef("Phone", "phone", "phone")), RelRef("HAS_PHONE", 0, 1),
                                     "ae8e468bca64e75d"),
    "load_account_emails": WriteSpec((_acc(), NodeRef("Email", "email", "email")), RelRef("HAS_EMAIL", 0, 1),
                                     "8c1909777ccc8b5c"),
    "load_account_documents": WriteSpec((_acc(), NodeRef("Document", "doc_id", "doc_id", _last("doc_type"))),
                                        RelRef("HAS_DOCUMENT", 0, 1), "e1b33c07aa68d19b"),
    "load_transfers": WriteSpec((_acc("from_account"), _acc("to_account")),
                                RelRef("TRANSFERRED", 0, 1, (("tx_id", "tx_id"),), _MONEY), "fe8215ada7c489eb"),
    "load_deposits": WriteSpec((_wallet("address", True), _acc()),
                               RelRef("DEPOSITED", 0, 1, (("tx_id", "tx_id"),), _MONEY + _last("tx_hash")),
                               "439201341e2f3f93"),
    "load_withdrawals": WriteSpec((_acc(), _wallet("address", True)),
                                  RelRef("WITHDREW", 0, 1, (("tx_id", "tx_id"),), _MONEY + _last("tx_hash")),
                                  "d05555c8ab735553"),
    "load_onchain": WriteSpec((_wallet("from_address", True), _wallet("to_address", True)),
                              RelRef("SENT", 0, 1, (("tx_hash", "tx_hash"),), _MONEY), "adb1de248882bf58"),
    "load_scam_reports": WriteSpec((_acc("reporter_id"), NodeRef("ScamReport", "report_id", "report_id", _last(
        "reported_at", "amount", "amount_usd", "asset", "status"))), RelRef("FILED", 0, 1), "fa70b9a4ba9305ad"),
    "load_scam_reports_against_account": WriteSpec((NodeRef("ScamReport", "report_id", "report_id"),
                                                    _acc("against_account")), RelRef("AGAINST", 0, 1),
                                                   "314ca6a0f476b55f"),
    "load_scam_reports_against_wallet": WriteSpec((NodeRef("ScamReport", "report_id", "report_id"),
                                                   _wallet("against_address")), RelRef("AGAINST", 0, 1),
                                                  "eef3771e38e32a91"),
    "load_watchlist_accounts": WriteSpec((NodeRef("Watchlist", "name", "watchlist"), _acc()),
                                         RelRef("LISTED_ON", 1, 0, (), _LISTED), "581461b7b1776634"),
    "load_watchlist_wallets": WriteSpec((NodeRef("Watchlist", "name", "watchlist"), _wallet("address")),
                                        RelRef("LISTED_ON", 1, 0, (), _LISTED), "6b2d42df34381d8c"),
    "load_groups": WriteSpec((NodeRef("Group", "group_id", "group_id", _last("model", "score", "flagged_at")),
                              _acc()), RelRef("IN_GROUP", 1, 0), "0782c034867b4605"),
}


def template_digest(text: str) -> str:
    """The digest WRITES records for a template: its statement without comments and spacing."""
    body = " ".join(line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("//"))
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def stale_templates(queries, dialect: str) -> list[str]:
    """Write templates whose text no longer matches what WRITES describes."""
    from loaders.kinds import kinds
    stale = []
    for kind in kinds().values():
        for w in kind.writes:
            spec = WRITES.get(w.query)
            if spec is None or template_digest(queries.get(w.query).text_for(dialect)) != spec.digest:
                stale.append(w.query)
    return stale


# -- reading files into typed columns ------------------------------------------------------

_INT = re.compile(r"^[+-]?\d{1,15}$")
_FLOAT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_ISO_Z = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
_DIGITS = r"^[+-]?\d{1,15}$"
EPOCH_MS_MIN = 10 ** 11


class SlowPath(Exception):
    """The fast reader cannot vouch for this file; read it row by row."""


def _pandas(arr: pa.Array, typ: str) -> pd.Series:
    if typ == "string":
        return pd.Series(arr, dtype=pd.StringDtype("pyarrow"))
    if typ in ("int", "time"):
        return pd.Series(pd.array(arr.to_numpy(zero_copy_only=False), dtype="Int64")
                         if arr.null_count == 0 else arr.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get))
    if typ == "float":
        return pd.Series(arr.to_pandas(types_mapper={pa.float64(): pd.Float64Dtype()}.get))
    return pd.Series(arr.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get))


def _fast_column(raw: pa.ChunkedArray, typ: str, convert: Callable[[Any], Any]) -> pa.Array:
    """Convert a text column the way the plan's converter would; cells that are not in
    the plain shapes below go through the converter itself."""
    s = pc.utf8_trim_whitespace(raw.combine_chunks())
    empty = pc.equal(pc.utf8_length(s), 0)
    if typ == "string":
        return pc.if_else(empty, pa.scalar(None, pa.string()), s)
    if typ == "int":
        plain = pc.match_substring_regex(s, _DIGITS)
        out = pc.cast(pc.if_else(plain, s, pa.scalar(None, pa.string())), pa.int64())
    elif typ == "float":
        plain = pc.match_substring_regex(s, _FLOAT)
        out = pc.cast(pc.if_else(plain, s, pa.scalar(None, pa.string())), pa.float64())
    elif typ == "time":
        iso = pc.match_substring_regex(s, _ISO_Z)
        digits = pc.match_substring_regex(s, _DIGITS)
        ts = pc.strptime(pc.if_else(iso, s, pa.scalar(None, pa.string())), format="%Y-%m-%dT%H:%M:%SZ",
                         unit="s", error_is_null=True)
        ms = pc.multiply(pc.cast(ts, pa.int64()), 1000)
        n = pc.cast(pc.if_else(digits, s, pa.scalar(None, pa.string())), pa.int64())
        n = pc.if_else(pc.less(pc.abs(n), EPOCH_MS_MIN), pc.multiply(n, 1000), n)
        out = pc.coalesce(ms, n)
        plain = pc.or_(iso, digits)
    else:
        raise SlowPath(typ)
    odd = pc.and_not(pc.invert(empty), pc.fill_null(plain, False))
    if pc.any(odd).as_py():
        # unusual cells (1.0, 1e3, dates with offsets...): the plan's own converter decides
        idx = np.flatnonzero(odd.to_numpy(zero_copy_only=False))
        vals = out.to_pylist()
        texts = s.take(pa.array(idx)).to_pylist()
        for i, t in zip(idx, texts):
            try:
                vals[i] = convert(t)
            except ValueError:
                raise SlowPath("a bad value") from None
        out = pa.array(vals, out.type)
    return pc.if_else(empty, pa.scalar(None, out.type), out)


def read_fast(plan: FilePlan) -> tuple[pd.DataFrame, int]:
    """A canonical CSV file as typed columns, or SlowPath when any row would be rejected
    or the file is not plain (then the row-by-row reader reports exactly as MERGE does)."""
    import pyarrow.csv as pacsv
    if plan.fmt != "csv" or plan.spec != {"canonical": True} or plan.where or plan.read.names:
        raise SlowPath("not a canonical CSV file")
    delim = "\t" if ".tsv" in [x.lower() for x in plan.path.suffixes] else ","
    from loaders.sources import columns
    present = columns(plan.path, plan.fmt, plan.read)
    if len(set(present)) != len(present):
        raise SlowPath("repeated column names")
    try:
        table = pacsv.read_csv(
            plan.path, read_options=pacsv.ReadOptions(block_size=16 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in present},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, UnicodeDecodeError) as e:
        raise SlowPath(str(e)) from None
    n = table.num_rows
    cols: dict[str, pd.Series] = {}
    for f in plan.fields:
        col = plan.kind.column(f.name)
        if f.column not in present:
            arr = pa.nulls(n, _ARROW[col.type])
        else:
            arr = _fast_column(table.column(f.column), col.type, f.convert)
        if f.required and arr.null_count:
            raise SlowPath("a required field is empty")
        cols[f.name] = _pandas(arr, col.type)
    df = pd.DataFrame(cols)
    for group in ([plan.kind.require_one] if plan.kind.require_one else []):
        if (~df[list(group)].notna().any(axis=1)).any():
            raise SlowPath("require_one")
    return df, n


_ARROW = {"string": pa.string(), "int": pa.int64(), "time": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}


def frame_from_rows(plan: FilePlan, rows: dict[str, list]) -> pd.DataFrame:
    """Typed columns from rows converted one by one (the slow path)."""
    cols = {}
    for c in plan.kind.columns:
        cols[c.name] = _pandas(pa.array(rows[c.name], _ARROW[c.type]), c.type)
    return pd.DataFrame(cols)


def combine_by_key(df: pd.DataFrame, plan: FilePlan) -> pd.DataFrame:
    """Rows with the same kind key as one (Kind.merge for the whole file), in first-seen order."""
    key = list(plan.kind.key)
    if not df.duplicated(key).any():
        return df
    rules = {c: plan.kind.combine.get(c, "last") for c in df.columns if c not in key}
    out = df.groupby(key, sort=False, dropna=False).agg(rules).reset_index()
    return out[list(df.columns)]


# -- building the graph ------------------------------------------------------------------

@dataclass
class FileInput:
    index: int
    plan: FilePlan
    rows: pd.DataFrame
    source: str
    load_id: str
    loaded_at: int


@dataclass
class Built:
    """The graph to bulk-insert: per label a node table, per type an edge table."""
    nodes: dict[str, pd.DataFrame] = field(default_factory=dict)   # key prop first, props, _file
    edges: dict[str, pd.DataFrame] = field(default_factory=dict)   # _src, _dst, props, _file
    node_counts: dict[int, int] = field(default_factory=dict)
    edge_counts: dict[int, int] = field(default_factory=dict)

    @property
    def node_total(self) -> int:
        return sum(len(t) for t in self.nodes.values())

    @property
    def edge_total(self) -> int:
        return sum(len(t) for t in self.edges.values())


_AGG = {"last": "last", "first": "first", "min": "min", "max": "max"}


def _fold(state: pd.DataFrame | None, new: pd.DataFrame, keys: list[str], rules: dict[str, str],
          file_index: int) -> pd.DataFrame:
    """Apply one file's mentions (`new`, keyed by `keys`) to the elements so far."""
    props = [p for p in rules]
    if new.duplicated(keys).any():
        new = new.groupby(keys, sort=False, dropna=False).agg({p: _AGG[rules[p]] for p in props}).reset_index()
    new = new.set_index(keys)
    if state is None or state.empty:
        new["_file"] = file_index
        return new
    for p in props:
        if p not in state.columns:
            state[p] = pd.Series(pd.NA, index=state.index, dtype=new[p].dtype)
    for p in state.columns:
        if p not in new.columns and p != "_file":
            new[p] = pd.Series(pd.NA, index=new.index, dtype=state[p].dtype)
    seen = new.index.isin(state.index)
    if seen.any():
        upd = new[seen]
        cur = state.loc[upd.index]
        for p in props:
            rule, old, val = rules[p], cur[p], upd[p]
            if rule == "last":
                merged = val.where(val.notna(), old)
            elif rule == "first":
                merged = old.where(old.notna(), val)
            elif rule == "min":
                merged = old.where(val.isna() | (old.notna() & (old <= val)), val)
            else:
                merged = old.where(val.isna() | (old.notna() & (old >= val)), val)
            state.loc[upd.index, p] = merged
    fresh = new[~seen].copy()
    fresh["_file"] = file_index
    return pd.concat([state, fresh[state.columns]])


def build(files: list[FileInput]) -> Built:
    """Nodes and relationships with their final properties and the file that created each."""
    node_state: dict[str, pd.DataFrame] = {}
    node_key: dict[str, str] = {}
    for fi in files:
        mentions: dict[str, list[tuple[pd.DataFrame, dict[str, str]]]] = {}
        for w in fi.plan.kind.writes:
            spec = WRITES[w.query]
            rows = fi.rows if not w.when else fi.rows[fi.rows[w.when].notna()]
            for ref in spec.nodes:
                cols = {ref.key: rows[ref.field]}
                for prop, fld, _ in ref.props:
                    cols[prop] = rows[fld]
                m = pd.DataFrame(cols)
                m = m[m[ref.key].notna()]
                mentions.setdefault(ref.label, []).append((m, {p: r for p, _, r in ref.props}))
                node_key[ref.label] = ref.key
        for label, parts in mentions.items():
            rules: dict[str, str] = {}
            for _, r in parts:
                for p, rule in r.items():
                    if rules.setdefault(p, rule) != rule:
                        raise SlowPath(f"{label}.{p} is combined two ways in one file")
            frame = pd.concat([m for m, _ in parts], ignore_index=True) if len(parts) > 1 else parts[0][0]
            if not rules:
                frame = frame.drop_duplicates()
            node_state[label] = _fold(node_state.get(label), frame, [node_key[label]], rules, fi.index)
    out = Built()
    ids: dict[str, pd.Index] = {}
    offset = 0
    offsets: dict[str, int] = {}
    for label in sorted(node_state):
        t = node_state[label]
        ids[label] = t.index
        offsets[label] = offset
        offset += len(t)
        out.nodes[label] = t.reset_index()
        for f, n in t["_file"].value_counts().items():
            out.node_counts[int(f)] = out.node_counts.get(int(f), 0) + int(n)

    def node_ids(label: str, keys: pd.Series) -> np.ndarray:
        pos = ids[label].get_indexer(keys)
        assert (pos >= 0).all()
        return pos.astype(np.uint64) + np.uint64(offsets[label])

    edge_state: dict[str, pd.DataFrame] = {}
    for fi in files:
        parts: dict[str, list[tuple[pd.DataFrame, dict[str, str], list[str]]]] = {}
        for w in fi.plan.kind.writes:
            spec = WRITES[w.query]
            if spec.rel is None:
                continue
            rel = spec.rel
            rows = fi.rows if not w.when else fi.rows[fi.rows[w.when].notna()]
            src, dst = spec.nodes[rel.src], spec.nodes[rel.dst]
            cols: dict[str, Any] = {"_src": node_ids(src.label, rows[src.field]),
                                    "_dst": node_ids(dst.label, rows[dst.field])}
            for prop, fld in rel.ident:
                cols[prop] = rows[fld].values
            for prop, fld, _ in rel.props:
                cols[prop] = rows[fld].values
            parts.setdefault(rel.type, []).append((pd.DataFrame(cols), {p: r for p, _, r in rel.props},
                                                   ["_src", "_dst", *(p for p, _ in rel.ident)]))
        for typ, ps in parts.items():
            frame = pd.concat([m for m, _, _ in ps], ignore_index=True) if len(ps) > 1 else ps[0][0]
            rules = {}
            for _, r, _ in ps:
                rules.update(r)
            edge_state[typ] = _fold(edge_state.get(typ), frame, ps[0][2], rules, fi.index)
    for typ in sorted(edge_state):
        t = edge_state[typ].reset_index()
        out.edges[typ] = t
        for f, n in t["_file"].value_counts().items():
            out.edge_counts[int(f)] = out.edge_counts.get(int(f), 0) + int(n)
    return out


# -- binary encoding (FalkorDB's bulk insert format) ----------------------------------------
# A token: entity name\0, property count (uint32), property names\0 ..., then per entity
# (edges: source and destination node ids as uint64 first) one value per property:
# a type byte (0 null, 1 bool, 2 double, 3 string, 4 long) and its payload.

_NULL = pa.scalar(b"\x00", pa.binary())
_EMPTY = pa.scalar(b"", pa.binary())


def _fixed(values: np.ndarray, code: int, fmt: str) -> pa.Array:
    buf = np.empty(len(values), dtype=[("t", "u1"), ("v", fmt)])
    buf["t"] = code
    buf["v"] = values
    width = buf.dtype.itemsize
    arr = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), len(values), [None, pa.py_buffer(buf)])
    return arr.cast(pa.binary())


def _encode(col: pd.Series) -> pa.Array:
    """One column as encoded values (binary, one per row)."""
    arr = pa.array(col, from_pandas=True) if not isinstance(col, pa.Array) else col
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    mask = arr.is_null()
    t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        if pc.any(pc.match_substring(arr, "\x00")).as_py():
            raise SlowPath("a text value holds a NUL character")
        b = pc.cast(pc.cast(arr, pa.string()), pa.binary())
        enc = pc.binary_join_element_wise(pa.scalar(b"\x03", pa.binary()), b, _NULL, _EMPTY)
    elif pa.types.is_integer(t):
        enc = _fixed(pc.fill_null(arr, 0).to_numpy().astype(np.int64), 4, "<i8")
    elif pa.types.is_floating(t):
        enc = _fixed(pc.fill_null(arr, 0.0).to_numpy().astype(np.float64), 2, "<f8")
    elif pa.types.is_boolean(t):
        enc = _fixed(pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(np.bool_), 1, "?")
    elif pa.types.is_null(t):
        return pa.array([b"\x00"] * len(arr), pa.binary())
    else:
        raise SlowPath(f"cannot encode {t}")
    return pc.if_else(mask, _NULL, enc) if arr.null_count else enc


def _header(name: str, props: list[str]) -> bytes:
    out = name.encode() + b"\x00" + len(props).to_bytes(4, "little")
    return out + b"".join(p.encode() + b"\x00" for p in props)


@dataclass
class Token:
    data: bytes
    count: int
    is_node: bool


def _rows_bytes(parts: list[pa.Array]) -> tuple[memoryview, np.ndarray]:
    joined = pc.binary_join_element_wise(*parts, _EMPTY) if len(parts) > 1 else parts[0]
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32, count=len(joined) + 1, offset=joined.offset * 4)
    data = joined.buffers()[2]
    return memoryview(data), offsets


def tokens(built: Built, provenance: dict[int, tuple[str, str, int]]) -> Iterator[Token]:
    """Node tokens (every label) then edge tokens (every type), each at most MAX_TOKEN bytes."""
    for is_node, tables in ((True, built.nodes), (False, built.edges)):
        for name, table in tables.items():
            props = [c for c in table.columns if not c.startswith("_")]
            header = _header(name, props + ["source", "load_id", "loaded_at"])
            files = table["_file"].to_numpy()
            lookups = {k: np.array([provenance[f][k] for f in range(max(provenance) + 1)], dtype=object)
                       for k in (0, 1)}
            at = np.array([provenance[f][2] for f in range(max(provenance) + 1)], dtype=np.int64)
            for start in range(0, len(table), CHUNK_ROWS):
                part = table.iloc[start:start + CHUNK_ROWS]
                f = files[start:start + CHUNK_ROWS]
                cols = []
                if not is_node:
                    ids = np.empty(len(part), dtype=[("s", "<u8"), ("d", "<u8")])
                    ids["s"] = part["_src"].to_numpy()
                    ids["d"] = part["_dst"].to_numpy()
                    cols.append(pa.FixedSizeBinaryArray.from_buffers(pa.binary(16), len(part),
                                                                     [None, pa.py_buffer(ids)]).cast(pa.binary()))
                cols += [_encode(part[p]) for p in props]
                cols += [_encode(pa.array(lookups[0][f], pa.string())), _encode(pa.array(lookups[1][f], pa.string())),
                         _encode(pa.array(at[f], pa.int64()))]
                data, offs = _rows_bytes(cols)
                i, n = 0, len(part)
                budget = MAX_TOKEN - len(header)
                while i < n:
                    j = int(np.searchsorted(offs, offs[i] + budget, side="right")) - 1
                    j = max(min(j, n), i + 1)
                    yield Token(header + bytes(data[offs[i]:offs[j]]), j - i, is_node)
                    i = j


def commands(toks: Iterator[Token]) -> Iterator[tuple[int, int, list[bytes], list[bytes]]]:
    """Tokens grouped into GRAPH.BULK commands of at most MAX_COMMAND bytes:
    (node count, edge count, node tokens, edge tokens)."""
    nodes: list[bytes] = []
    edges: list[bytes] = []
    nn = ne = size = 0
    for t in toks:
        if size + len(t.data) > MAX_COMMAND and (nodes or edges):
            yield nn, ne, nodes, edges
            nodes, edges, nn, ne, size = [], [], 0, 0, 0
        (nodes if t.is_node else edges).append(t.data)
        nn += t.count if t.is_node else 0
        ne += 0 if t.is_node else t.count
        size += len(t.data)
    if nodes or edges:
        yield nn, ne, nodes, edges


class Sender(threading.Thread):
    """Sends commands while the next ones are encoded; records the time spent in them."""

    def __init__(self, writer, depth: int = 2):
        super().__init__(daemon=True, name="casegraph-bulk")
        self.writer = writer
        self.jobs: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.seconds = 0.0
        self.bytes = 0
        self.commands = 0
        self.cancelled = threading.Event()

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            if self.error is not None or self.cancelled.is_set():
                continue
            try:
                t0 = time.perf_counter()
                self.writer.send(*job)
                self.seconds += time.perf_counter() - t0
                self.bytes += sum(map(len, job[2])) + sum(map(len, job[3]))
                self.commands += 1
            except BaseException as e:  # noqa: BLE001 - handed to the main thread
                self.error = e

    def put(self, job) -> None:
        while True:
            if self.error is not None:
                raise self.error
            try:
                self.jobs.put(job, timeout=0.2)
                return
            except queue.Full:
                continue

    def finish(self, cancel: bool = False) -> None:
        if cancel:
            self.cancelled.set()
        self.jobs.put(None)
        self.join()
        if self.error is not None:
            raise self.error
