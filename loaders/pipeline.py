"""The load pipeline: plan files, validate rows, write batches through the graph
store while the next batch is parsed, stamp provenance, report every rejected row.

Loads are idempotent (every write is a MERGE on a key) and the load id is derived
from the file's content and plan, so an interrupted load is finished by running
the same command again: the result is the graph of one clean load."""
from __future__ import annotations

import csv
import hashlib
import operator
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Protocol

import pandas as pd

from casegraph.errors import LoadError
from casegraph.state import StateStore, now_ms
from casegraph.store import GraphStore
from casegraph.loaders import bulk as bulk_mod
from casegraph.loaders import rates as rates_mod
from casegraph.loaders.conflicts import Conflicts
from casegraph.loaders.kinds import file_format, kind_of
from casegraph.loaders.mapping import Mapping
from casegraph.loaders.plan import FilePlan, RowError, canonical_plan
from casegraph.loaders.sources import columns, rows
from casegraph.loaders.worker import Worker

MAX_ERRORS_SHOWN = 10


class Progress(Protocol):
    def start(self, name: str, kind: str) -> None: ...
    def advance(self, rows: int) -> None: ...
    def finish(self) -> None: ...


class _Silent:
    def start(self, name: str, kind: str) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class FileReport:
    file: str
    kind: str
    load_id: str = ""
    status: str = "pending"   # complete, rejected (strict), failed, interrupted, skipped
    rows_read: int = 0
    rows_written: int = 0
    rows_rejected: int = 0
    rows_filtered: int = 0
    rows_conflicting: int = 0  # rows that repeat a key with different values, set aside (rejects file)
    rows_kept_apart: int = 0   # ... or loaded under an id of their own (on_conflict: keep)
    nodes_created: int = 0
    relationships_created: int = 0
    seconds: float = 0.0
    rejects_file: str | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # what a person must know although no row failed
    message: str = ""

    @property
    def rows_per_s(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    path: str = "merge"          # how the graph was written: "bulk" (a first load built in one go) or "merge"

    @property
    def ok_to_load(self) -> bool:
        """No row was rejected or conflicted (whatever was or was not written)."""
        return not any(f.rows_rejected or f.rows_conflicting for f in self.files)

    @property
    def ok(self) -> bool:
        return all(f.status == "complete" and not f.rows_rejected and not f.rows_conflicting for f in self.files)


def discover(paths: list[str | Path]) -> list[Path]:
    """Files named, and data files inside folders named (recursively, sorted)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(f for f in p.rglob("*") if f.is_file() and file_format(f)
                            and ".rejects." not in f.name)
        elif p.is_file():
            found.append(p)
        else:
            raise LoadError(f"{p}: no such file or folder")
    return found


def plan_files(files: list[Path], mapping: Mapping | None) -> tuple[list[FilePlan], list[str]]:
    """Plans in load order (nodes before the links to them) and the files skipped, with why."""
    plans: list[FilePlan] = []
    skipped: list[str] = []
    for f in files:
        mapped = mapping.plans_for(f) if mapping else []
        if mapped:
            plans += mapped
            continue
        fmt, kind = file_format(f), kind_of(f)
        if fmt and kind:
            plans.append(canonical_plan(f, fmt, kind))
        else:
            why = "not a CSV, Parquet or JSON Lines file" if not fmt else "its name is not a canonical kind"
            skipped.append(f"{f.name}: {why}" + (" and no mapping entry matches it" if mapping else
                                                  " (use --mapping for other exports)"))
    plans.sort(key=lambda p: (p.kind.order, p.kind.name, str(p.path)))
    return plans, skipped


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class _Rejects:
    """The rejects file of one plan, opened at the first rejected row."""

    def __init__(self, plan: FilePlan, folder: Path, load_id: str):
        self.plan, self.folder, self.load_id = plan, folder, load_id
        self.path: Path | None = None
        self._fh = None
        self._writer = None
        self._cols: list[str] = []

    def add(self, position: int, raw: dict[str, Any], err: RowError) -> None:
        if self._writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.path = self.folder / f"{self.plan.name}.{self.plan.kind.name}.{self.load_id}.rejects.csv"
            self._fh = open(self.path, "w", newline="", encoding="utf-8")
            self._cols = columns(self.plan.path, self.plan.fmt, self.plan.read)
            self._writer = csv.writer(self._fh)
            self._writer.writerow([_position_word(self.plan), "field", "error", *self._cols])
        self._writer.writerow([position, err.field, err.message, *(_cell(raw.get(c)) for c in self._cols)])

    def close(self) -> None:
        if self._fh:
            self._fh.close()


def _cell(v: Any) -> str:
    return "" if v is None else str(v)


def _position_word(plan: FilePlan) -> str:
    return "row" if plan.fmt == "parquet" else "line"


def _describe(plan: FilePlan, position: int, err: RowError) -> str:
    return f"{plan.name} {_position_word(plan)} {position}, {err.field}: {err.message}"


def _valid_rows(plan: FilePlan, report: FileReport, rejects: _Rejects | None,
                conflicts: dict[str, Conflicts]) -> Iterator[dict[str, Any]]:
    """Typed valid rows; rejected and conflicting rows counted, described and written to the
    rejects file; a filter that leaves out every row is noted."""
    tracker = conflicts.setdefault(plan.kind.name, Conflicts(plan.kind, kept=bool(plan.keep)))
    for position, raw in rows(plan.path, plan.fmt, plan.read):
        report.rows_read += 1
        row, err = plan.convert(raw, position)
        if err is None and row is not None:
            clash = _clash(plan, tracker, row, position, report)
            if clash is not None:
                err = RowError("(key) " + ", ".join(plan.kind.key), clash)
                report.rows_conflicting += 1
        elif err is not None:
            report.rows_rejected += 1
        if err is not None:
            if len(report.errors) < MAX_ERRORS_SHOWN:
                report.errors.append(_describe(plan, position, err))
            if rejects is not None:
                rejects.add(position, raw, err)
            continue
        if row is None:
            report.rows_filtered += 1
            continue
        yield row
    report.notes += _notes(plan, report)


def _clash(plan: FilePlan, tracker: Conflicts, row: dict[str, Any], position: int, report: FileReport
           ) -> str | None:
    """How the row conflicts with an earlier row of its key, or None. With on_conflict: keep a
    conflicting row takes an id of its own (its id + ~file:line) and is no conflict."""
    clash = tracker.check(row, plan.name, position)
    if clash is not None and plan.on_conflict == "keep":
        row[plan.kind.id] = f"{row[plan.kind.id]}~{plan.name}:{position}"
        if tracker.check(row, plan.name, position) is None:
            report.rows_kept_apart += 1
            return None
    return clash


def _notes(plan: FilePlan, report: FileReport) -> list[str]:
    notes = []
    if report.rows_read and report.rows_filtered == report.rows_read:
        seen = "; ".join(f"{c.column!r} held {', '.join(repr(v) for v in c.seen)}" for c in plan.where if c.seen)
        notes.append(f"{plan.name} ({plan.kind.name}): `where` left out every one of its {report.rows_read:,} rows "
                     f"({'; '.join(c.text for c in plan.where)}){': ' + seen if seen else ''}")
    if report.rows_kept_apart:
        notes.append(f"{plan.name} ({plan.kind.name}): {report.rows_kept_apart:,} row(s) repeated an id with "
                     f"different values and were kept as events of their own ({plan.kind.id} + ~file:line)")
    return notes


def _batches(plan: FilePlan, size: int, report: FileReport, rejects: _Rejects | None,
             conflicts: dict[str, Conflicts]) -> Iterator[tuple[list[dict[str, Any]], int]]:
    """Valid rows in batches, with the number of source rows each holds. Rows with the same key
    are combined within a batch: FalkorDB applies an UNWIND's SETs together, so a second row
    for the same element would not see the first."""
    batch: dict[tuple, dict[str, Any]] = {}
    n = 0
    key_of = operator.itemgetter(*plan.kind.key)
    for row in _valid_rows(plan, report, rejects, conflicts):
        k = key_of(row)
        batch[k] = plan.kind.merge(batch[k], row) if k in batch else row
        n += 1
        if len(batch) >= size:
            yield list(batch.values()), n
            batch, n = {}, 0
    if batch:
        yield list(batch.values()), n


class _Writer(Worker):
    """Sends batches to the graph while the main thread parses the next ones."""

    def __init__(self, store: GraphStore, progress: Progress, depth: int = 3):
        super().__init__("casegraph-writer", depth)
        self.store = store
        self.progress = progress

    def handle(self, job) -> None:
        plan, batch, n, params, report = job
        for w in plan.kind.writes:
            subset = batch if not w.when else [r for r in batch if r.get(w.when) is not None]
            if subset:
                res = self.store.write(w.query, {"rows": subset, **params})
                report.nodes_created += res.stats.get("nodes_created", 0)
                report.relationships_created += res.stats.get("relationships_created", 0)
        kept = [r for r in batch if r.get("extra")] if plan.keep else []
        if kept:
            self.store.write(plan.kind.extras, {"rows": kept, **params})
        report.rows_written += n
        self.progress.advance(n)  # rows/s on screen = rows written, not parsed


def load(store: GraphStore, state: StateStore, paths: list[str | Path], *, mapping: Mapping | None = None,
         strict: bool = False, rejects_dir: str | Path = "casegraph-rejects", batch_size: int | None = None,
         progress: Progress | None = None, bulk: bool = False) -> LoadReport:
    """Load files into the graph. Valid rows load and rejected rows go to a rejects
    file; with strict=True every file is validated first and nothing at all is
    written if any row is bad. With bulk=True, a first load into an empty graph goes
    through the backend's bulk insert when it has one (loaders/bulk.py); the graph is
    the same either way. `casegraph load` passes bulk=True unless told --merge (1M
    accounts: 48 s against about 10 minutes, bench/RESULTS.md); here it stays opt-in so
    that library callers keep MERGE's per-batch behaviour unless they ask."""
    from casegraph.detections.transfer_risk import forget_fingerprint
    try:
        return _load(store, state, paths, mapping, strict, rejects_dir, batch_size, progress, bulk)
    finally:
        forget_fingerprint(store)      # this process's transfer checks see loaded watchlists at once


def _load(store: GraphStore, state: StateStore, paths: list[str | Path], mapping: Mapping | None, strict: bool,
          rejects_dir: str | Path, batch_size: int | None, progress: Progress | None, bulk: bool) -> LoadReport:
    progress = progress or _Silent()
    batch_size = batch_size or store.settings.batch_size
    plans, report = _checked_plans(paths, mapping)
    if strict and not _validate_all(plans, report, progress):
        for f in report.files:
            f.status = "rejected" if f.rows_rejected or f.rows_conflicting else "not loaded"
            f.rows_written = 0
        return report
    report.files = []
    rejects_root = Path(rejects_dir)
    rates = rates_mod.Rates.from_store(store)   # rates of earlier loads value this load's money rows
    writer = _bulk_writer(store, plans) if bulk else None
    if writer is not None:
        try:
            report.files = _load_bulk(store, state, plans, writer, rejects_root, progress, rates)
            report.path = "bulk"
            return report
        except bulk_mod.SlowPath:
            report.files = []   # something the bulk path cannot encode: MERGE loads it instead
    store.ensure_schema()
    store.refresh_statistics()      # what an interrupted load left may be unknown to the planner
    conflicts: dict[str, Conflicts] = {}
    for plan in plans:
        report.files.append(_load_one(store, state, plan, batch_size, rejects_root, progress, conflicts, rates))
    store.refresh_statistics()      # the queries after the load plan for what it wrote
    return report


def _checked_plans(paths: list[str | Path], mapping: Mapping | None) -> tuple[list[FilePlan], LoadReport]:
    """The plans of a load or a --check, every source column they name found in its file, and
    a report that lists the files skipped; LoadError when nothing is loadable."""
    plans, skipped = plan_files(discover(paths), mapping)
    if not plans:
        raise LoadError("no loadable files: " + ("; ".join(skipped) if skipped else "the folder is empty"))
    for plan in plans:
        plan.check_columns()
    return plans, LoadReport(skipped=skipped)


def check(paths: list[str | Path], *, mapping: Mapping | None = None, progress: Progress | None = None
          ) -> tuple[LoadReport, list[FilePlan]]:
    """What a load would do, without a database and without writing anything: the files'
    plans (mapping checked against every file's columns) and every row run through them,
    counted as load() counts it (loaded, rejected, filtered, conflicts)."""
    plans, report = _checked_plans(paths, mapping)
    _validate_all(plans, report, progress or _Silent())
    for f in report.files:
        f.status = "checked"
    return report, plans


def _bulk_writer(store: GraphStore, plans: list[FilePlan]):
    """The backend's bulk writer when this load can use it: the input fits the memory
    budget (bulk_max_mb: the bulk path holds the whole graph, the MERGE path streams),
    the graph is empty and every write template is still the one loaders/bulk.py describes."""
    if sum(p.path.stat().st_size for p in plans) > store.settings.bulk_max_mb * 1024 * 1024:
        return None
    if any(p.keep for p in plans):
        return None     # kept columns are set by their own write queries, on the MERGE path
    if any(w.query in bulk_mod.MERGE_ONLY for p in plans for w in p.kind.writes):
        return None
    writer = store.backend.bulk_writer()
    if writer is None or not writer.target_is_empty():
        return None
    if bulk_mod.stale_templates(store.queries, store.dialect):
        return None
    return writer


def _load_bulk(store: GraphStore, state: StateStore, plans: list[FilePlan], writer, rejects_root: Path,
               progress: Progress, rates: rates_mod.Rates) -> list[FileReport]:
    """Read every file into typed columns, build the graph the MERGE path would build, and
    write it in one go. Per-file records, rejects and progress work as in the MERGE path."""
    from casegraph.model import model
    reports: list[FileReport] = []
    records: list[int] = []
    inputs: list[bulk_mod.FileInput] = []
    read: dict[str, list[pd.DataFrame]] = {}     # per kind, every file's rows before combining
    conflicts: dict[str, Conflicts] = {}
    t_all = time.perf_counter()
    try:
        for i, plan in enumerate(plans):
            sha = file_sha256(plan.path)
            load_id = hashlib.sha256(f"{sha}:{plan.digest()}".encode()).hexdigest()[:16]
            fr = FileReport(plan.name, plan.kind.name, load_id)
            reports.append(fr)
            records.append(state.start_load(load_id=load_id, file=str(plan.path.resolve()), kind=plan.kind.name,
                                            sha256=sha, db=store.backend.describe()))
            progress.start(plan.name, plan.kind.name)
            t0 = time.perf_counter()
            rejects = _Rejects(plan, rejects_root, load_id)
            try:
                try:
                    df, fr.rows_read = bulk_mod.read_fast(plan)
                except bulk_mod.SlowPath:
                    df = bulk_mod.frame_from_rows(plan, _columns_of(_valid_rows(plan, fr, rejects, conflicts),
                                                                    plan))
                if fr.rows_conflicting or fr.rows_kept_apart:
                    raise bulk_mod.SlowPath("rows that repeat a key with different values")
                read.setdefault(plan.kind.name, []).append(df)
                fr.rows_written = len(df)
                df = bulk_mod.combine_by_key(df, plan)
                df = rates_mod.apply_frame(rates, plan.kind.name, df)
            finally:
                rejects.close()
                fr.rejects_file = str(rejects.path) if rejects.path else None
            inputs.append(bulk_mod.FileInput(i, plan, df, plan.name, load_id, now_ms()))
            progress.advance(fr.rows_written)
            progress.finish()
            fr.seconds = time.perf_counter() - t0
        _no_conflicts(read)
        read.clear()
        t_read = time.perf_counter() - t_all
        built = bulk_mod.build(inputs)
        provenance = {fi.index: (fi.source, fi.load_id, fi.loaded_at) for fi in inputs}
        for fi in inputs:
            fi.rows = None   # built holds what is written; the rows' memory goes before encoding
        writer.begin()
        bulk_mod.send(writer, built, provenance)
        writer.commit(model())
        # the build and write time, shared out over the files by rows
        t_rest = time.perf_counter() - t_all - t_read
        total_rows = sum(f.rows_read for f in reports) or 1
        for i, fr in enumerate(reports):
            fr.seconds += t_rest * fr.rows_read / total_rows
            fr.nodes_created = built.node_counts.get(i, 0)
            fr.relationships_created = built.edge_counts.get(i, 0)
            fr.status = "complete"
    except bulk_mod.SlowPath:
        writer.abort()
        for fr in reports:
            fr.status, fr.message = "failed", "the bulk path could not encode this load; loaded through MERGE"
        raise
    except KeyboardInterrupt:
        writer.abort()
        for fr in reports:
            fr.status, fr.message = "interrupted", "interrupted; run the same load again to finish it"
        raise
    except BaseException as e:
        writer.abort()
        for fr in reports:
            fr.status, fr.message = "failed", str(e)
        raise
    finally:
        for fr, record in zip(reports, records):
            state.update_load(record, status=fr.status if fr.status != "pending" else "interrupted",
                              finished_at=now_ms(), rows_read=fr.rows_read, rows_written=fr.rows_written
                              if fr.status == "complete" else 0, rows_rejected=fr.rows_rejected,
                              rows_filtered=fr.rows_filtered, rejects_file=fr.rejects_file,
                              message=fr.message or None)
    return reports


def _no_conflicts(read: dict[str, list[pd.DataFrame]]) -> None:
    """SlowPath when rows of one kind repeat a key with different values, in one file or across
    files: the MERGE path reports each such row with its file and line. Only the rows whose key
    repeats are compared one by one (none, in most loads)."""
    from casegraph.loaders.kinds import kinds
    for name, frames in read.items():
        kind = kinds()[name]
        tracker = Conflicts(kind)
        if not tracker.fields:
            continue
        keys = pd.concat([f[list(kind.key)] for f in frames], ignore_index=True)
        repeated = keys.duplicated(keep=False).to_numpy()
        if not repeated.any():
            continue
        whole = pd.concat(frames, ignore_index=True).loc[repeated]
        for row in whole.astype(object).where(whole.notna(), None).to_dict("records"):
            if tracker.check(row, name, 0) is not None:
                raise bulk_mod.SlowPath("rows that repeat a key with different values")


def _columns_of(rows: Iterator[dict[str, Any]], plan: FilePlan) -> dict[str, list]:
    cols: dict[str, list] = {c.name: [] for c in plan.kind.columns}
    for row in rows:
        for name, values in cols.items():
            values.append(row.get(name))
    return cols


def _validate_all(plans: list[FilePlan], report: LoadReport, progress: Progress) -> bool:
    conflicts: dict[str, Conflicts] = {}
    for plan in plans:
        fr = FileReport(plan.name, plan.kind.name)
        progress.start(f"checking {plan.name}", plan.kind.name)
        t0 = time.perf_counter()
        for batch, n in _batches(plan, 10000, fr, None, conflicts):
            fr.rows_written += n
            progress.advance(n)
        fr.seconds = time.perf_counter() - t0
        progress.finish()
        report.files.append(fr)
    return not any(f.rows_rejected or f.rows_conflicting for f in report.files)


def _load_one(store: GraphStore, state: StateStore, plan: FilePlan, batch_size: int,
              rejects_root: Path, progress: Progress, conflicts: dict[str, Conflicts],
              rates: rates_mod.Rates) -> FileReport:
    sha = file_sha256(plan.path)
    load_id = hashlib.sha256(f"{sha}:{plan.digest()}".encode()).hexdigest()[:16]
    fr = FileReport(plan.name, plan.kind.name, load_id)
    params = {"source": plan.name, "load_id": load_id, "loaded_at": now_ms()}
    record = state.start_load(load_id=load_id, file=str(plan.path.resolve()), kind=plan.kind.name,
                              sha256=sha, db=store.backend.describe())
    rejects = _Rejects(plan, rejects_root, load_id)
    writer = _Writer(store, progress)
    writer.start()
    progress.start(plan.name, plan.kind.name)
    t0 = time.perf_counter()
    try:
        for batch, n in _batches(plan, batch_size, fr, rejects, conflicts):
            writer.put((plan, rates_mod.apply(rates, plan.kind.name, batch), n, params, fr))
        writer.finish()
        fr.status = "complete"
    except KeyboardInterrupt:
        writer.stop()
        fr.status, fr.message = "interrupted", "interrupted; run the same load again to finish it"
        raise
    except BaseException as e:
        writer.stop()
        fr.status, fr.message = "failed", str(e)
        raise
    finally:
        fr.seconds = time.perf_counter() - t0
        progress.finish()
        rejects.close()
        fr.rejects_file = str(rejects.path) if rejects.path else None
        state.update_load(record, status=fr.status, finished_at=now_ms(), rows_read=fr.rows_read,
                          rows_written=fr.rows_written, rows_rejected=fr.rows_rejected,
                          rows_filtered=fr.rows_filtered, rejects_file=fr.rejects_file,
                          message=fr.message or None)
    return fr


def load_audited(store: GraphStore, state: StateStore, actor: str, paths: list[str | Path], *,
                 mapping: Mapping | None = None, strict: bool = False, **options: Any) -> LoadReport:
    """A load a person asked for (`casegraph load`, `casegraph demo`): load(), then one `load`
    audit entry by `actor` naming the store, the mapping file and each file's outcome.
    `options` are load()'s (rejects_dir, batch_size, progress, bulk)."""
    from casegraph import audit
    report = load(store, state, paths, mapping=mapping, strict=strict, **options)
    audit.record(state, actor, "load", {
        "db": store.settings.db, "graph": store.settings.graph, "strict": strict,
        "mapping": str(mapping.path) if mapping else None,
        "files": [{"file": f.file, "kind": f.kind, "status": f.status, "rows": f.rows_read,
                   "loaded": f.rows_written, "rejected": f.rows_rejected} for f in report.files]})
    return report
