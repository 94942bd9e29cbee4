"""The `casegraph` command line. Every command takes --db; user mistakes become a
one-line error (exit 1), never a traceback."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from casegraph import __version__
from casegraph.console import FORMATS, RowProgress, console, echo, iso, render
from casegraph.errors import CasegraphError, ParameterError
from casegraph.permissions import ROLES
from casegraph.settings import SETTINGS, Settings


class _Group(click.Group):
    """Turns casegraph errors into ClickExceptions and Ctrl-C into a short message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CasegraphError as e:
            raise click.ClickException(str(e)) from e
        except KeyboardInterrupt:
            console.print("interrupted")
            sys.exit(130)


def _setting_help(name: str) -> str:
    return next(s.help for s in SETTINGS if s.name == name)


def store_options(fn):
    """--db and --graph, shared by every command that reaches the graph."""
    fn = click.option("--graph", envvar="CASEGRAPH_GRAPH", default=None, help=_setting_help("graph"))(fn)
    fn = click.option("--db", envvar="CASEGRAPH_DB", default=None, help=_setting_help("db"))(fn)
    return fn


def format_option(fn):
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                        help="table for people; json (an array of objects) or csv for machines.")(fn)


def _settings(**overrides: Any) -> Settings:
    return Settings.load(**overrides)


def _open(db: str | None, graph: str | None):
    from casegraph.store import open_store
    return open_store(_settings(db=db, graph=graph))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="casegraph")
def main() -> None:
    """casegraph: graph investigation for crypto-exchange fraud teams."""


# -- sample data ---------------------------------------------------------------------------

@main.command()
@click.option("--accounts", type=int, default=20000, show_default=True, help="Accounts to generate (1,000 .. 5,000,000).")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed: the same seed gives the same files.")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder to write the canonical files and truth.json to.")
def generate(accounts: int, seed: int, out: str) -> None:
    """Write a synthetic exchange dataset with planted fraud and its ground truth."""
    from casegraph.generate import generate as run
    with RowProgress() as progress:
        progress.start("generating", f"{accounts:,} accounts")
        try:
            summary = run(out, accounts, seed, progress=progress.advance)
        except ValueError as e:
            raise click.ClickException(str(e)) from e
        finally:
            progress.finish()
    echo(render([{"file": k, "rows": v} for k, v in summary.items()], "table"))
    echo(f"wrote {out}")


# -- loading -------------------------------------------------------------------------------

@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--mapping", type=click.Path(dir_okay=False), help="YAML file mapping another export onto the canonical kinds (docs/mapping.md).")
@click.option("--strict", is_flag=True, help="Check every file first; write nothing at all if any row is bad.")
@click.option("--rejects", "rejects_dir", default="casegraph-rejects", show_default=True, type=click.Path(file_okay=False), help="Folder for the rejects files (one CSV per file with rejected rows and why).")
@click.option("--batch-size", type=int, default=None, help=_setting_help("batch_size"))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Summary format.")
@click.option("--bulk", is_flag=True, help="A first load into an empty FalkorDB graph is built in bulk (GRAPH.BULK) instead of MERGE statements; the graph is the same. Experimental.")
@store_options
def load(paths, mapping, strict, rejects_dir, batch_size, fmt, bulk, db, graph) -> None:
    """Load files or folders (CSV, Parquet, JSON Lines) into the graph."""
    from casegraph.state import open_state
    from loaders.mapping import load_mapping
    from loaders.pipeline import load as run
    settings = _settings(db=db, graph=graph, batch_size=batch_size)
    spec = load_mapping(mapping) if mapping else None
    from casegraph.store import open_store
    state = open_state(settings.state_url())
    with open_store(settings) as store, RowProgress() as progress:
        report = run(store, state, list(paths), mapping=spec, strict=strict,
                     rejects_dir=rejects_dir, progress=progress, bulk=bulk)
    from casegraph import audit
    audit.record(state, _os_user(), "load", {
        "db": settings.db, "graph": settings.graph, "strict": strict, "mapping": mapping,
        "files": [{"file": f.file, "kind": f.kind, "status": f.status, "rows": f.rows_read,
                   "loaded": f.rows_written, "rejected": f.rows_rejected} for f in report.files]})
    rows = [{"file": f.file, "kind": f.kind, "status": f.status, "rows": f.rows_read, "loaded": f.rows_written,
             "rejected": f.rows_rejected, "filtered": f.rows_filtered, "nodes_created": f.nodes_created,
             "relationships_created": f.relationships_created, "seconds": round(f.seconds, 2),
             "rows_per_s": round(f.rows_per_s), "rejects_file": f.rejects_file or ""} for f in report.files]
    if fmt == "json":
        echo(render(rows, "json"))
    else:
        cols = ["file", "kind", "status", "rows", "loaded", "rejected", "nodes_created", "relationships_created", "rows_per_s"]
        echo(render(rows, "table", cols))
    for s in report.skipped:
        console.print(f"skipped {s}")
    bad = [f for f in report.files if f.errors]
    for f in bad:
        for e in f.errors:
            console.print(f"rejected: {e}", markup=False, highlight=False)
        more = f.rows_rejected - len(f.errors)
        tail = f" (and {more} more)" if more > 0 else ""
        where = f"; all listed in {f.rejects_file}" if f.rejects_file else ""
        console.print(f"{f.file}: {f.rows_rejected} row(s) rejected{tail}{where}", markup=False, highlight=False)
    if strict and bad:
        raise click.ClickException("--strict: nothing was written because of the rejected rows above")


# -- database ------------------------------------------------------------------------------

@main.group()
def db() -> None:
    """The graph database: status, schema, stopping the embedded server."""


@db.command()
@format_option
@store_options
def status(fmt, db, graph) -> None:
    """Backend, version, and node and relationship counts per label and type."""
    from casegraph.state import open_state
    settings = _settings(db=db, graph=graph)
    with _open(db, graph) as store:
        info = store.status()
    unfinished = open_state(settings.state_url()).unfinished_loads(info["backend"])
    if fmt == "json":
        echo(json.dumps({**info, "unfinished_loads": [
            {"file": u["file"], "status": u["status"], "load_id": u["load_id"]} for u in unfinished]}, indent=2))
        return
    echo(f"backend: {info['backend']}\nversion: {info['version']}")
    rows = [{"kind": "node", "name": k, "count": v} for k, v in info["nodes"].items()]
    rows += [{"kind": "relationship", "name": k, "count": v} for k, v in info["relationships"].items()]
    echo(render(rows, fmt))
    for u in unfinished:
        console.print(f"unfinished load: {u['file']} ({u['status']}, started {iso(u['started_at'])}); "
                      "run the same load again to finish it", markup=False)


@db.command()
@store_options
def schema(db, graph) -> None:
    """Create missing indexes and constraints (loads do this too)."""
    with _open(db, graph) as store:
        created = store.ensure_schema()
    echo("\n".join(created) if created else "schema up to date")


@db.command()
@store_options
def stop(db, graph) -> None:
    """Stop the embedded FalkorDB server (data stays on disk)."""
    from casegraph.store import embedded_dir
    from casegraph.store.embedded import stop_server
    settings = _settings(db=db, graph=graph)
    folder = embedded_dir(settings.db)
    if folder is None:
        raise click.ClickException(f"{settings.db} is not an embedded store; stop that server its own way")
    echo("stopped" if stop_server(folder) else "no embedded server was running for " + folder)


# -- queries -------------------------------------------------------------------------------

def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise ParameterError(f"--param {pair!r}: write it as name=value")
        k, v = pair.split("=", 1)
        out[k.strip()] = v
    return out


@main.group()
def query() -> None:
    """The saved-query catalogue (built-in cypher/ plus your own folder)."""


@query.command("list")
@format_option
def query_list(fmt) -> None:
    """Every query with its purpose and whether it reads or writes."""
    from casegraph.catalogue import catalogue
    settings = _settings()
    cat = catalogue(settings.queries_dir)
    rows = [{"name": q.name, "mode": q.mode, "title": q.title, "purpose": q.purpose,
             "params": ", ".join(p.name for p in q.params), "origin": "built-in" if q.builtin else "user"}
            for q in cat]
    rows += [{"name": name, "mode": "unusable", "title": why, "purpose": why, "params": "", "origin": "user"}
             for name, why in sorted(cat.broken.items())]
    echo(render(rows, fmt, ["name", "mode", "title", "params"] if fmt == "table" else None))


@query.command("show")
@click.argument("name")
@click.option("--dialect", type=click.Choice(["falkordb", "neo4j"]), default="neo4j", show_default=True)
def query_show(name, dialect) -> None:
    """Print a query's text (header included) as it runs on a dialect."""
    from casegraph.catalogue import catalogue
    echo(catalogue(_settings().queries_dir).get(name).text_for(dialect).rstrip())


@query.command("run")
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, help="name=value, repeatable; checked against the header's types.")
@click.option("--timeout-ms", type=int, default=None, help=_setting_help("query_timeout_ms"))
@click.option("--row-limit", type=int, default=None, help=_setting_help("row_limit"))
@format_option
@store_options
def query_run(name, params, timeout_ms, row_limit, fmt, db, graph) -> None:
    """Run a saved read query with parameters."""
    _audit(db, graph, "query.run", {"name": name, "params": _parse_params(params)})
    with _open(db, graph) as store:
        q = store.queries.get(name)
        if q.mode != "read":
            raise click.ClickException(f"query {name} writes; `query run` runs read queries only")
        res = store.read(name, _parse_params(params), timeout_ms=timeout_ms,
                         row_limit=row_limit or store.settings.row_limit)
    _print_result(res, fmt, row_limit)


@query.command("cypher")
@click.argument("text")
@click.option("--param", "-p", "params", multiple=True, help="name=value (values are JSON when they parse as JSON).")
@click.option("--timeout-ms", type=int, default=None, help=_setting_help("query_timeout_ms"))
@click.option("--row-limit", type=int, default=None, help=_setting_help("row_limit"))
@format_option
@store_options
def query_cypher(text, params, timeout_ms, row_limit, fmt, db, graph) -> None:
    """Run your own read-only Cypher, with the time and row limits."""
    _audit(db, graph, "query.cypher", {"text": text, "params": _parse_params(params)})
    values = {}
    for k, v in _parse_params(params).items():
        try:
            values[k] = json.loads(v)
        except json.JSONDecodeError:
            values[k] = v
    with _open(db, graph) as store:
        res = store.read_cypher(text, values, timeout_ms=timeout_ms, row_limit=row_limit)
    _print_result(res, fmt, row_limit)


def _print_result(res, fmt: str, row_limit: int | None) -> None:
    echo(render(res.rows, fmt, res.columns))
    if res.truncated:
        console.print(f"row limit reached: showing the first {len(res.rows)} rows; raise --row-limit to see more")


# -- detections and alerts -----------------------------------------------------------------

@main.command()
@click.argument("name", required=False)
@click.option("--all", "run_all", is_flag=True, help="Run every detection.")
@click.option("--param", "-p", "params", multiple=True, help="name=value, repeatable; checked against the query header.")
@click.option("--no-alerts", is_flag=True, help="Only print the results; do not store them as alerts.")
@format_option
@store_options
def detect(name, run_all, params, no_alerts, fmt, db, graph) -> None:
    """Run a detection (or --all) and store its results as alerts."""
    from casegraph import detections
    from casegraph.state import open_state
    if bool(name) == run_all:
        raise click.ClickException(f"name one detection or use --all; detections: {', '.join(detections.names())}")
    names = detections.names() if run_all else [name]
    settings = _settings(db=db, graph=graph)
    values = _parse_params(params)
    state = None if no_alerts else open_state(settings.state_url())
    out: list[dict] = []
    with _open(db, graph) as store:
        for n in names:
            results = detections.run(store, n, values)
            if state is not None:
                new, updated = detections.save_as_alerts(state, n, values, results)
                from casegraph import audit
                audit.record(state, _os_user(), "detect", {"detection": n, "params": values, "results": len(results),
                                                           "alerts_new": new, "alerts_updated": updated})
                console.print(f"{n}: {len(results)} result(s); alerts: {new} new, {updated} updated"
                              + _below_threshold(n, results))
            out += [{"detection": n, **r} if run_all else r for r in results]
    echo(render(out, fmt))


def _below_threshold(name: str, results: list[dict]) -> str:
    from casegraph import detections
    floor = detections.get(name).alert_min_score
    below = sum(r["score"] < floor for r in results)
    return f" ({below} scoring below {floor:g} not queued)" if below else ""


@main.group()
def alerts() -> None:
    """The alert queue that detections fill."""


@alerts.command("list")
@click.option("--detection", default=None, help="Only this detection's alerts.")
@click.option("--status", default="open", show_default=True, help="open, closed, or all.")
@click.option("--min-score", type=float, default=0.0, show_default=True)
@format_option
@store_options
def alerts_list(detection, status, min_score, fmt, db, graph) -> None:
    """Alerts, highest score first."""
    from casegraph.state import open_state
    state = open_state(_settings(db=db, graph=graph).state_url())
    rows = state.list_alerts(detection, None if status == "all" else status, min_score)
    for r in rows:
        r["created_at"], r["updated_at"] = iso(r["created_at"]), iso(r["updated_at"])
    cols = ["id", "detection", "entity_key", "status", "score", "reasons", "updated_at"]
    echo(render(rows, fmt, cols if fmt == "table" else None))


# -- the UI --------------------------------------------------------------------------------

def serve_options(fn):
    fn = click.option("--debug", is_flag=True, help="Dash debug mode: reloads on code changes, shows tracebacks in the page. Never on a shared machine.")(fn)
    fn = click.option("--port", type=click.IntRange(1, 65535), default=8050, show_default=True, help="Port to serve the UI on.")(fn)
    fn = click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 exposes the UI to the network).")(fn)
    return fn


def _port_free(host: str, port: int) -> bool:
    import socket
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise click.ClickException(f"cannot listen on {host}: {e.strerror}") from e
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError:
            return False
    return True


def _serve(settings: Settings, host: str, port: int, debug: bool, reload: bool = True) -> None:
    """Serve the UI until Ctrl-C. `reload` (with --debug) restarts on code changes by
    re-running the command line, which `demo` must not do (it would load everything again)."""
    import os
    reloaded = os.environ.get("WERKZEUG_RUN_MAIN") == "true"   # the reloader's child: its parent holds the port
    if not reloaded and not _port_free(host, port):
        raise click.ClickException(f"port {port} on {host} is already in use; stop what uses it or pick another with --port")
    import app as ui
    dash_app = ui.create_app(settings)
    ui.store()   # open the graph now: a bad --db is a one-line error before serving, not a broken page
    echo(f"casegraph UI on {settings.db}: http://{host}:{port}  (Ctrl-C to stop)")
    try:
        dash_app.run(host=host, port=port, debug=debug, use_reloader=debug and reload)
    finally:
        ui.close()


@main.command()
@serve_options
@store_options
def serve(host, port, debug, db, graph) -> None:
    """Serve the investigator UI (search, explorer, alerts, saved queries) over --db."""
    _serve(_settings(db=db, graph=graph), host, port, debug)


# -- the main job --------------------------------------------------------------------------

@main.command()
@click.option("--accounts", type=int, default=20000, show_default=True, help="Accounts in the sample dataset.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--data", "data_dir", default="casegraph-sample", show_default=True, type=click.Path(file_okay=False), help="Where the sample files go (reused if present).")
@click.option("--no-serve", is_flag=True, help="Stop after the detections instead of serving the UI.")
@serve_options
@store_options
def demo(accounts, seed, data_dir, no_serve, host, port, debug, db, graph) -> None:
    """The main job on the embedded default: generate sample data, load it, run the detections,
    then serve the UI (unless --no-serve)."""
    from casegraph.generate import generate as run_generate
    from casegraph.state import open_state
    from casegraph.store import open_store
    from loaders.pipeline import load as run_load
    settings = _settings(db=db, graph=graph)
    if not no_serve and not _port_free(host, port):
        raise click.ClickException(f"port {port} on {host} is already in use; stop what uses it, "
                                   "pick another with --port, or pass --no-serve")
    out = Path(data_dir)
    if not (out / "truth.json").exists():
        console.print(f"generating {accounts:,} accounts into {out} ...")
        run_generate(out, accounts, seed)
    with open_store(settings) as store, RowProgress() as progress:
        state = open_state(settings.state_url())
        run_load(store, state, [out], progress=progress)
        info = store.status()
        from casegraph import detections
        for name in detections.names():
            results = detections.run(store, name)
            new, updated = detections.save_as_alerts(state, name, {}, results)
            echo(f"detection {name}: {len(results)} result(s); alerts: {new} new, {updated} updated"
                 + _below_threshold(name, results))
    echo(f"loaded into {info['backend']} ({info['version']})")
    echo(render([{"label": k, "nodes": v} for k, v in info["nodes"].items()], "table"))
    echo(render([{"type": k, "relationships": v} for k, v in info["relationships"].items()], "table"))
    if not no_serve:
        _serve(settings, host, port, debug, reload=False)


# -- users and the audit log ---------------------------------------------------------------

def _os_user() -> str:
    """Who runs the command, as the operating system knows them: the CLI's audit actor."""
    import getpass
    import os
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (e.g. a container's uid without a passwd entry)
        return f"uid:{os.getuid()}"


def _state(db: str | None, graph: str | None):
    from casegraph.state import open_state
    return open_state(_settings(db=db, graph=graph).state_url())


def _audit(db: str | None, graph: str | None, action: str, details: dict[str, Any]) -> None:
    from casegraph import audit
    audit.record(_state(db, graph), _os_user(), action, details)


@main.group()
def user() -> None:
    """casegraph users and their roles (docs/roles.md)."""


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(list(ROLES)),
              help="What the user may do (docs/roles.md).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input "
              "instead of prompting (passwords are never taken on the command line).")
@store_options
def user_add(name, role, password_stdin, db, graph) -> None:
    """Add a user; the password is prompted for twice, or read from stdin."""
    from casegraph.users import add_user
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    state = _state(db, graph)
    add_user(state, name, role, password)
    _audit(db, graph, "user.add", {"name": name, "role": role})
    echo(f"added {name} ({role})")


@user.command("list")
@format_option
@store_options
def user_list(fmt, db, graph) -> None:
    """Every user with role and whether they are disabled."""
    from casegraph.users import list_users
    rows = [{"name": u["name"], "role": u["role"], "disabled": bool(u["disabled"]),
             "created_at": iso(u["created_at"]), "disabled_at": iso(u["disabled_at"])}
            for u in list_users(_state(db, graph))]
    echo(render(rows, fmt, ["name", "role", "disabled", "created_at", "disabled_at"]))


@user.command("disable")
@click.argument("name")
@store_options
def user_disable(name, db, graph) -> None:
    """Disable a user: they can no longer log in (their history stays)."""
    from casegraph.users import disable_user
    disable_user(_state(db, graph), name)
    _audit(db, graph, "user.disable", {"name": name})
    echo(f"disabled {name}")


@main.group("audit")
def audit_group() -> None:
    """The append-only, hash-chained audit log."""


@audit_group.command("list")
@click.option("--since", default=None, help="Only entries at or after this time (ISO 8601 date or time, UTC).")
@click.option("--actor", default=None, help="Only this actor's entries.")
@click.option("--action", default=None, help="Only this action (e.g. user.add, query.cypher).")
@format_option
@store_options
def audit_list(since, actor, action, fmt, db, graph) -> None:
    """Audit entries, oldest first."""
    from casegraph import audit
    from casegraph.errors import ConfigError
    from casegraph.times import to_epoch_ms
    try:
        since_ms = to_epoch_ms(since) if since else None
    except ValueError:
        raise ConfigError(f"--since {since!r} is not a date or time (use ISO 8601, e.g. 2026-01-31)") from None
    rows = audit.entries(_state(db, graph), since=since_ms, actor=actor, action=action)
    for r in rows:
        r["at"] = iso(r["at"])
        if fmt != "json":
            r["details"] = audit.canonical(r["details"])
    echo(render(rows, fmt, ["id", "at", "actor", "action", "details"] if fmt == "table" else None))


@audit_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True,
              help="jsonl: one JSON object a line; csv: details as canonical JSON. Hashes included.")
@store_options
def audit_export(file, fmt, db, graph) -> None:
    """Write the whole audit log, with its hash chain, to FILE."""
    from casegraph import audit
    text = audit.export(_state(db, graph), fmt)
    Path(file).write_text(text, encoding="utf-8")
    echo(f"wrote {text.count(chr(10)) - (fmt == 'csv')} entries to {file}")


@audit_group.command("verify")
@store_options
def audit_verify(db, graph) -> None:
    """Recompute the hash chain; exit 1 naming the first entry that does not match."""
    from casegraph import audit
    state = _state(db, graph)
    broken = audit.verify_chain(state)
    if broken is not None:
        raise click.ClickException(f"audit log broken at entry {broken}: it, or an entry before it, "
                                   "was changed or removed")
    gone = audit.check_head(state)
    if gone:
        raise click.ClickException(f"audit log broken: {gone}")
    echo(f"audit log intact: {len(audit.entries(state))} entries")


if __name__ == "__main__":  # pragma: no cover
    main()
