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
  =y     `x = CASE WHEN row.y IS NULL THEN x ELSE row.x END` - x comes from the row whose y
         was kept (usd_rate_day follows amount_usd: a USD value a file gives clears the mark
         of one computed from a rate)
Provenance (`source`, `load_id`, `loaded_at`) comes from the file that first names a
node or relationship, as ON CREATE sets it. Rows with the same kind key are combined
first (Kind.merge), as the MERGE path does within a batch.

Memory: rows are held as typed columns (Arrow strings, nullable ints and floats) of all
files until the graph is built, and node keys as one pandas index per label; the
encoded binary goes out in commands of at most MAX_COMMAND bytes."""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casegraph import times
from casegraph.loaders.fields import FALSY, TEXT_MAX, TRUTHY
from casegraph.loaders.plan import FilePlan
from casegraph.loaders.worker import Worker

MAX_TOKEN = 64 * 2**20      # Redis: a bulk string is at most 512 MB
MAX_COMMAND = 64 * 2**20    # Redis allows 1 GB; up to 4 are in memory at once (queued, sending, being built)
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
_USD = (("amount_usd", "amount_usd", "last"), ("usd_rate_day", "usd_rate_day", "=amount_usd"))
_MONEY = _last("amount") + _USD + _last("asset", "at")
_LISTED = _last("list_source", "reason", "listed_at")
# identifier tables: the node's own properties (the link templates set none of these but doc_type)
_IDENT = (("type", "type", "last"), ("blocked", "blocked", "last"), ("first_seen", "first_seen", "min"),
          ("last_seen", "last_seen", "max"))
_DOC = (("doc_type", "doc_type", "last"),) + _IDENT[1:]


def _listed(node: NodeRef, digest: str) -> WriteSpec:
    """A watchlist row listing `node`: (node)-[:LISTED_ON]->(watchlist)."""
    return WriteSpec((NodeRef("Watchlist", "name", "watchlist"), node), RelRef("LISTED_ON", 1, 0, (), _LISTED), digest)

WRITES: dict[str, WriteSpec] = {
    "load_rates": WriteSpec((NodeRef("Rate", "rate_id", "rate_id", _last("asset", "day", "usd")),), None,
                            "4189aaf91d911d08"),
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
                                RelRef("TRANSFERRED", 0, 1, (("tx_id", "tx_id"),), _MONEY), "37fab6051f51a8f2"),
    "load_deposits": WriteSpec((_wallet("address", True), _acc()),
                               RelRef("DEPOSITED", 0, 1, (("tx_id", "tx_id"),), _MONEY + _last("tx_hash")),
                               "5b1f7cc7c4c9b28a"),
    "load_withdrawals": WriteSpec((_acc(), _wallet("address", True)),
                                  RelRef("WITHDREW", 0, 1, (("tx_id", "tx_id"),), _MONEY + _last("tx_hash")),
                                  "acc666c3e13e1ea9"),
    "load_onchain": WriteSpec((_wallet("from_address", True), _wallet("to_address", True)),
                              RelRef("SENT", 0, 1, (("tx_hash", "tx_hash"),), _MONEY), "cd2006854a067a9f"),
    "load_scam_reports": WriteSpec((_acc("reporter_id"), NodeRef("ScamReport", "report_id", "report_id", _last(
        "reported_at", "amount") + _USD + _last("asset", "status"))), RelRef("FILED", 0, 1),
        "a518979d215e1884"),
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
    "load_devices": WriteSpec((NodeRef("Device", "device_id", "device_id", _IDENT),), None, "fada66d4cd342244"),
    "load_ips": WriteSpec((NodeRef("IP", "ip", "ip", _IDENT),), None, "901ce7dc80432242"),
    "load_phones": WriteSpec((NodeRef("Phone", "phone", "phone", _IDENT),), None, "ca1bfb6906794943"),
    "load_emails": WriteSpec((NodeRef("Email", "email", "email", _IDENT),), None, "e121d6589f545554"),
    "load_documents": WriteSpec((NodeRef("Document", "doc_id", "doc_id", _DOC),), None, "b7649c7d811e2b0b"),
    "load_watchlist_devices": _listed(NodeRef("Device", "device_id", "device_id"), "4cf22848c92af6da"),
    "load_watchlist_ips": _listed(NodeRef("IP", "ip", "ip"), "3e0a189f91e0af8e"),
    "load_watchlist_phones": _listed(NodeRef("Phone", "phone", "phone"), "ebfd5bac2e455869"),
    "load_watchlist_emails": _listed(NodeRef("Email", "email", "email"), "06c38f6f32640a7b"),
    "load_watchlist_documents": _listed(NodeRef("Document", "doc_id", "doc_id"), "d5f4ba47ae7fb17b"),
    "load_groups": WriteSpec((NodeRef("Group", "group_id", "group_id", _last("model", "score", "flagged_at")),
                              _acc()), RelRef("IN_GROUP", 1, 0), "0782c034867b4605"),
}


# Write templates the bulk path does not build: a load that uses one goes through MERGE.
# load_vendor_labels makes its watchlist's name from the row ('vendor:' + category) and
# identifies its LISTED_ON by the vendor, which WriteSpec cannot say; vendor exports are small.
MERGE_ONLY = frozenset({"load_vendor_labels"})


def template_digest(text: str) -> str:
    """The digest WRITES records for a template: its statement without comments and spacing."""
    body = " ".join(line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("//"))
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def stale_templates(queries, dialect: str) -> list[str]:
    """Write templates whose text no longer matches what WRITES describes."""
    from casegraph.loaders.kinds import kinds
    stale = []
    for kind in kinds().values():
        for w in kind.writes:
            if w.query in MERGE_ONLY:
                continue
            spec = WRITES.get(w.query)
            if spec is None or template_digest(queries.get(w.query).text_for(dialect)) != spec.digest:
                stale.append(w.query)
    return stale


# -- reading files into typed columns ------------------------------------------------------

_INT = re.compile(r"^[+-]?\d{1,15}$")
_FLOAT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_ISO_Z = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
_DIGITS = r"^[+-]?\d{1,15}$"
EPOCH_MS_MIN, TIME_MS_MIN, TIME_MS_MAX = times.EPOCH_MS_MIN, times.TIME_MS_MIN, times.TIME_MS_MAX
_TRUE, _FALSE = sorted(TRUTHY), sorted(FALSY)     # what fields.boolean() reads (lower case)


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
        longest = pc.max(pc.utf8_length(s)).as_py()
        if longest is not None and longest > TEXT_MAX:
            raise SlowPath("a text over the length limit")     # the converter rejects that row
        return pc.if_else(empty, pa.scalar(None, pa.string()), s)
    if typ == "int":
        plain = pc.match_substring_regex(s, _DIGITS)
        out = pc.cast(pc.if_else(plain, s, pa.scalar(None, pa.string())), pa.int64())
    elif typ == "float":
        plain = pc.match_substring_regex(s, _FLOAT)
        out = pc.cast(pc.if_else(plain, s, pa.scalar(None, pa.string())), pa.float64())
        if pc.any(pc.is_inf(out)).as_py():
            raise SlowPath("a number out of range")       # 1e400 reads as inf here; the converter rejects it
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
        if pc.any(pc.or_(pc.less(out, TIME_MS_MIN), pc.greater(out, TIME_MS_MAX))).as_py():
            raise SlowPath("a time out of range")           # the converter rejects that row
    elif typ == "bool":
        low = pc.utf8_lower(s)
        yes = pc.is_in(low, value_set=pa.array(_TRUE))
        no = pc.is_in(low, value_set=pa.array(_FALSE))
        out = pc.if_else(yes, pa.scalar(True), pc.if_else(no, pa.scalar(False), pa.scalar(None, pa.bool_())))
        plain = pc.or_(yes, no)
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
    if plan.kind.values or plan.kind.range:
        raise SlowPath("a kind with checked values")     # Kind.check runs row by row
    delim = plan.read.delimiter or ("\t" if ".tsv" in [x.lower() for x in plan.path.suffixes] else ",")
    from casegraph.loaders.sources import columns
    present = columns(plan.path, plan.fmt, plan.read)
    if len(set(present)) != len(present):
        raise SlowPath("repeated column names")
    try:
        table = pacsv.read_csv(
            plan.path, read_options=pacsv.ReadOptions(block_size=16 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in present},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as e:     # OSError: a damaged .gz
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
    offsets: dict[str, int] = field(default_factory=dict)          # label -> its first node id (_src, _dst)

    @property
    def node_total(self) -> int:
        return sum(len(t) for t in self.nodes.values())

    @property
    def edge_total(self) -> int:
        return sum(len(t) for t in self.edges.values())


def _arrow(values: Any) -> pa.Array:
    """A column (pandas or numpy) as one Arrow array."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _concat(parts: list[pa.Array]) -> pa.Array:
    types = {a.type for a in parts if not pa.types.is_null(a.type)}
    if len(types) > 1:
        raise SlowPath(f"one property holds values of types {sorted(map(str, types))}")
    typ = types.pop() if types else pa.null()
    return pa.concat_arrays([a if a.type == typ else pa.nulls(len(a), typ) for a in parts])


def _codes(arr: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Each value's position among the distinct values in first-seen order (-1 for null), and those values."""
    enc = pc.dictionary_encode(arr)
    idx = pc.fill_null(pc.cast(enc.indices, pa.int64()), -1).to_numpy()
    return idx, enc.dictionary


def _pick(codes: np.ndarray, rule: str, values: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct code in `codes` (positions given in order), the position the rule keeps."""
    if rule in ("first", "last"):
        rev = rule == "last"
        c = codes[::-1] if rev else codes
        uniq, first = np.unique(c, return_index=True)
        return uniq, (len(codes) - 1 - first) if rev else first
    order = np.lexsort((values, codes))
    c = codes[order]
    bounds = np.flatnonzero(np.r_[True, c[1:] != c[:-1]]) if rule == "min" else \
        np.flatnonzero(np.r_[c[1:] != c[:-1], True])
    return c[bounds], order[bounds]


@dataclass
class _Part:
    """One file's mentions of one label or type: rows [start, stop) of the concatenation."""
    file: int
    start: int
    stop: int
    rules: dict[str, str]


def _fold(codes: np.ndarray, n: int, parts: list[_Part], values: pa.Array, prop: str) -> np.ndarray:
    """A property's final value per element, as positions into `values` (-1: none): the files'
    mentions applied in file order, each file by its own rule (as the MERGE templates' SETs do
    one file after another)."""
    valid = codes >= 0
    if values.null_count:
        valid &= ~values.is_null().to_numpy(zero_copy_only=False)
    num = None
    cur = np.full(n, -1, dtype=np.int64)
    for part in parts:
        rule = part.rules.get(prop)
        if rule is None:
            continue
        pos = part.start + np.flatnonzero(valid[part.start:part.stop])
        if not len(pos):
            continue
        if rule in ("min", "max") and num is None:
            num = pc.fill_null(values, 0).to_numpy(zero_copy_only=False)
        uniq, at = _pick(codes[pos], rule, None if num is None else num[pos])
        new = pos[at]
        old = cur[uniq]
        if rule == "last":
            cur[uniq] = new
        elif rule == "first":
            cur[uniq] = np.where(old >= 0, old, new)
        else:
            better = num[new] < num[old] if rule == "min" else num[new] > num[old]
            cur[uniq] = np.where((old < 0) | better, new, old)
    return cur


def _table(key_cols: dict[str, Any], codes: np.ndarray, n: int, parts: list[_Part],
           props: dict[str, pa.Array]) -> pd.DataFrame:
    """Elements (distinct codes, first-seen order) with their properties and the file that
    first names each (ON CREATE sets provenance)."""
    cols: dict[str, Any] = dict(key_cols)
    kept: dict[str, np.ndarray] = {}
    follows = {p: r[1:] for pt in parts for p, r in pt.rules.items() if r.startswith("=")}
    for p, values in props.items():
        if p not in follows:
            kept[p] = _fold(codes, n, parts, values, p)
    for p, values in props.items():          # "=y": from the row whose y was kept
        cur = kept[follows[p]] if p in follows else kept[p]
        cols[p] = values.take(pa.array(cur, mask=cur < 0))
    file_of = np.repeat(np.array([pt.file for pt in parts], dtype=np.int64),
                        [pt.stop - pt.start for pt in parts])
    seen = codes >= 0
    _, first = np.unique(codes[seen], return_index=True)
    cols["_file"] = file_of[np.flatnonzero(seen)[first]]
    return pd.DataFrame({k: (pd.Series(pd.arrays.ArrowExtensionArray(v)) if isinstance(v, pa.Array) else v)
                         for k, v in cols.items()})


def _rules(label: str, found: list[dict[str, str]]) -> dict[str, str]:
    rules: dict[str, str] = {}
    for r in found:
        for p, rule in r.items():
            if rules.setdefault(p, rule) != rule:
                raise SlowPath(f"{label}.{p} is combined two ways in one file")
    return rules


def build(files: list[FileInput]) -> Built:
    """Nodes and relationships with their final properties and the file that created each.

    Every mention of a label (or type) across all files is concatenated in file order and
    its keys encoded once as integer codes; each property is then folded per file with
    numpy on those codes (no per-row Python, no per-file index lookups)."""
    # node mentions: label -> list of (file, write, ref, keys, {prop: values}, rules)
    node_m: dict[str, list[tuple[int, int, int, pa.Array, dict[str, pa.Array], dict[str, str]]]] = {}
    node_key: dict[str, str] = {}
    rows_of: dict[tuple[int, int], pd.DataFrame] = {}
    for fi in files:
        for wi, w in enumerate(fi.plan.kind.writes):
            spec = WRITES[w.query]
            rows = fi.rows if not w.when else fi.rows[fi.rows[w.when].notna()]
            rows_of[(fi.index, wi)] = rows
            for ri, ref in enumerate(spec.nodes):
                node_key[ref.label] = ref.key
                node_m.setdefault(ref.label, []).append(
                    (fi.index, wi, ri, _arrow(rows[ref.field]),
                     {prop: _arrow(rows[fld]) for prop, fld, _ in ref.props},
                     {prop: rule for prop, _, rule in ref.props}))
    out = Built()
    slices: dict[tuple[int, int, int], np.ndarray] = {}   # node ids of each mention's rows
    offset = 0
    for label in sorted(node_m):
        ms = node_m[label]
        codes, uniques = _codes(_concat([m[3] for m in ms]))
        lengths = [len(m[3]) for m in ms]
        parts, spans = _spans(label, [(m[0], n, m[5]) for m, n in zip(ms, lengths)])
        spans_of = {(m[0], m[1], m[2]): span for m, span in zip(ms, spans)}
        t = _table({node_key[label]: uniques}, codes, len(uniques), parts, _props([m[4] for m in ms], lengths))
        out.nodes[label] = t
        out.offsets[label] = offset
        ids = np.where(codes >= 0, codes + offset, -1)
        for k, (a, b) in spans_of.items():
            slices[k] = ids[a:b]
        offset += len(uniques)
        for f, n in zip(*np.unique(t["_file"].to_numpy(), return_counts=True)):
            out.node_counts[int(f)] = out.node_counts.get(int(f), 0) + int(n)

    edge_m: dict[str, list] = {}
    for fi in files:
        for wi, w in enumerate(fi.plan.kind.writes):
            rel = WRITES[w.query].rel
            if rel is None:
                continue
            rows = rows_of[(fi.index, wi)]
            src, dst = slices[(fi.index, wi, rel.src)], slices[(fi.index, wi, rel.dst)]
            if (src < 0).any() or (dst < 0).any():
                raise SlowPath(f"{rel.type}: an endpoint key is empty")
            edge_m.setdefault(rel.type, []).append(
                (fi.index, src, dst, {p: _arrow(rows[fld]) for p, fld in rel.ident},
                 {p: _arrow(rows[fld]) for p, fld, _ in rel.props}, {p: r for p, _, r in rel.props}))
    for typ in sorted(edge_m):
        ms = edge_m[typ]
        src = np.concatenate([m[1] for m in ms]).astype(np.uint64)
        dst = np.concatenate([m[2] for m in ms]).astype(np.uint64)
        codes = pd.factorize(src * np.uint64(max(offset, 1)) + dst, sort=False)[0].astype(np.int64)
        idents = {p: _concat([m[3][p] for m in ms]) for p in ms[0][3]}
        for values in idents.values():
            c, d = _codes(values)
            if (c < 0).any():
                raise SlowPath(f"{typ}: an identifying property is empty")
            codes = pd.factorize(codes * np.int64(len(d)) + c, sort=False)[0].astype(np.int64)
        n = int(codes.max()) + 1 if len(codes) else 0
        _, first = np.unique(codes, return_index=True)
        lengths = [len(m[1]) for m in ms]
        parts, _ = _spans(typ, [(m[0], k, m[5]) for m, k in zip(ms, lengths)])
        keys = {"_src": src[first], "_dst": dst[first], **{p: v.take(pa.array(first)) for p, v in idents.items()}}
        t = _table(keys, codes, n, parts, _props([m[4] for m in ms], lengths))
        out.edges[typ] = t
        for f, c in zip(*np.unique(t["_file"].to_numpy(), return_counts=True)):
            out.edge_counts[int(f)] = out.edge_counts.get(int(f), 0) + int(c)
    return out


def _spans(name: str, mentions: list[tuple[int, int, dict]]) -> tuple[list["_Part"], list[tuple[int, int]]]:
    """Mentions (file, rows, rules), concatenated in order: each one's row span, and one _Part
    per file (a file's mentions of a label or type are contiguous)."""
    parts, spans, start, by_file = [], [], 0, {}
    for f, n, rules in mentions:
        spans.append((start, start + n))
        by_file.setdefault(f, []).append((start, start + n, rules))
        start += n
    for f, held in by_file.items():
        parts.append(_Part(f, held[0][0], held[-1][1], _rules(name, [h[2] for h in held])))
    return parts, spans


def _props(maps: list[dict[str, pa.Array]], lengths: list[int]) -> dict[str, pa.Array]:
    """Property columns over concatenated mentions; a mention without a property gives nulls."""
    names = dict.fromkeys(p for m in maps for p in m)
    return {p: _concat([m.get(p, pa.nulls(n)) for m, n in zip(maps, lengths)]) for p in names}


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


def tokens(built: Built, provenance: dict[int, tuple[str, str, int]], consume: bool = False) -> Iterator[Token]:
    """Node tokens (every label) then edge tokens (every type), each at most MAX_TOKEN bytes.
    With consume=True each table leaves `built` once encoded, so its memory is freed early."""
    for is_node, tables in ((True, built.nodes), (False, built.edges)):
        for name in list(tables):
            table = tables.pop(name) if consume else tables[name]
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


def send(writer, built: Built, provenance: dict[int, tuple[str, str, int]]) -> None:
    """The built graph through the backend's bulk writer, written while the next part is
    encoded: GRAPH.BULK commands for FalkorDB's writer, batches of rows for a Cypher writer
    (Neo4j's: nodes of every label, then the writer's nodes_done(), then relationships)."""
    cypher = getattr(writer, "takes", "graph.bulk") == "rows"
    sender = Sender(writer)
    sender.start()
    try:
        jobs = row_jobs(built, provenance) if cypher else commands(tokens(built, provenance, consume=True))
        for job in jobs:
            sender.put(job)
    except BaseException:
        sender.stop()
        raise
    sender.finish()


ROWS_PER_STATEMENT = 20_000   # rows per Cypher bulk statement (one transaction each)


def row_jobs(built: Built, provenance: dict[int, tuple[str, str, int]]):
    """("node", label, None, rows) per batch of every label, then ("nodes_done",), then
    ("edge", type, (src label, src key, dst label, dst key), rows) per batch of each type and
    pair of end labels. A row is a map of the element's properties (None where missing),
    provenance included, and for a relationship its end nodes' keys as _src and _dst."""
    files = range(max(provenance) + 1)
    prov = {name: pa.array([provenance[f][i] for f in files])
            for i, name in enumerate(("source", "load_id", "loaded_at"))}
    labels = sorted(built.offsets, key=built.offsets.get)
    starts = np.array([built.offsets[label] for label in labels], dtype=np.int64)
    keys = {label: pa.array(built.nodes[label].iloc[:, 0], from_pandas=True) for label in labels}
    key_prop = {label: built.nodes[label].columns[0] for label in labels}

    def batches(table: pd.DataFrame, ends=None):
        for start in range(0, len(table), ROWS_PER_STATEMENT):
            part = table.iloc[start:start + ROWS_PER_STATEMENT]
            f = pa.array(part["_file"].to_numpy())
            cols = {c: pa.array(part[c], from_pandas=True) for c in part.columns if not c.startswith("_")}
            cols.update({name: values.take(f) for name, values in prov.items()})
            if ends is not None:
                cols["_src"] = keys[ends[0]].take(pa.array(part["_src"].to_numpy().astype(np.int64) - built.offsets[ends[0]]))
                cols["_dst"] = keys[ends[2]].take(pa.array(part["_dst"].to_numpy().astype(np.int64) - built.offsets[ends[2]]))
            yield pa.table(cols).to_pylist()

    for label in labels:
        for rows in batches(built.nodes[label]):
            yield "node", label, None, rows
    yield ("nodes_done",)
    for typ, table in built.edges.items():
        src_l = np.searchsorted(starts, table["_src"].to_numpy().astype(np.int64), "right") - 1
        dst_l = np.searchsorted(starts, table["_dst"].to_numpy().astype(np.int64), "right") - 1
        for a in np.unique(src_l):
            for b in np.unique(dst_l[src_l == a]):
                ends = (labels[a], key_prop[labels[a]], labels[b], key_prop[labels[b]])
                for rows in batches(table.iloc[np.flatnonzero((src_l == a) & (dst_l == b))], ends):
                    yield "edge", typ, ends, rows


class Sender(Worker):
    """Sends commands while the next ones are encoded; records the time spent in them."""

    def __init__(self, writer, depth: int = 2):
        super().__init__("casegraph-bulk", depth)
        self.writer = writer
        self.seconds = 0.0
        self.bytes = 0
        self.commands = 0

    def handle(self, job) -> None:
        t0 = time.perf_counter()
        if job[0] in ("node", "edge"):
            self.writer.create(*job)
        elif job[0] == "nodes_done":
            self.writer.nodes_done()
        else:
            self.writer.send(*job)
            self.bytes += sum(map(len, job[2])) + sum(map(len, job[3]))
        self.seconds += time.perf_counter() - t0
        self.commands += 1
