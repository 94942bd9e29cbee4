"""The `casegraph` command line, the one CLI module. Every command that reads or writes the
graph or the application state takes --db and --graph (or CASEGRAPH_DB, CASEGRAPH_GRAPH);
user mistakes (every CasegraphError) become a one-line error (exit 1), never a traceback."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from casegraph import __version__
from casegraph.console import FORMATS, RowProgress, console, echo, render
from casegraph.times import iso
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


def _keep_state(ctx: click.Context, _param, value: str | None) -> None:
    if value is not None:
        ctx.meta["casegraph.state"] = value


def store_options(fn):
    """--db, --graph and --state, shared by every command that reaches the graph or the state
    store. --state is not passed to the command: `_settings` reads it (every command does)."""
    fn = click.option("--state", default=None, expose_value=False, callback=_keep_state,
                      help=_setting_help("state") + " Environment: CASEGRAPH_STATE.")(fn)
    fn = click.option("--graph", envvar="CASEGRAPH_GRAPH", default=None, help=_setting_help("graph"))(fn)
    fn = click.option("--db", envvar="CASEGRAPH_DB", default=None, help=_setting_help("db"))(fn)
    return fn


def format_option(fn):
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                        help="table for people; json (an array of objects) or csv for machines.")(fn)


def _settings(**overrides: Any) -> Settings:
    """The settings: the command's options, then the environment, then the defaults."""
    ctx = click.get_current_context(silent=True)
    state = ctx.meta.get("casegraph.state") if ctx is not None else None
    return Settings.load(**{"state": state, **overrides})


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
        finally:
            progress.finish()
    echo(render([{"file": k, "rows": v} for k, v in summary.items()], "table"))
    echo(f"wrote {out}")


# -- loading -------------------------------------------------------------------------------

@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--mapping", type=click.Path(dir_okay=False), help="YAML file mapping another export onto the canonical kinds (docs/mapping.md).")
@click.option("--strict", is_flag=True, help="Check every file first; write nothing at all if any row is bad.")
@click.option("--check", "check_only", is_flag=True, help="Check the mapping against the files and run every row through it; print what would load, write nothing (no database needed).")
@click.option("--rejects", "rejects_dir", default="casegraph-rejects", show_default=True, type=click.Path(file_okay=False), help="Folder for the rejects files (one CSV per file with rejected rows and why).")
@click.option("--batch-size", type=int, default=None, help=_setting_help("batch_size"))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Summary format.")
@click.option("--bulk/--no-bulk", " /--merge", "bulk", default=True, show_default=True, help="A first load into an empty FalkorDB graph is built in one go (GRAPH.BULK; 1M accounts in under a minute, about 2 GB of memory) instead of MERGE statements; the graph is the same. Loads into a graph that has data always MERGE. --merge forces MERGE.")
@store_options
def load(paths, mapping, strict, check_only, rejects_dir, batch_size, fmt, bulk, db, graph) -> None:
    """Load files or folders (CSV, Parquet, JSON Lines) into the graph."""
    from casegraph.loaders.mapping import load_mapping
    from casegraph.loaders import pipeline
    spec = load_mapping(mapping) if mapping else None
    if check_only:
        with RowProgress() as progress:
            report, plans = pipeline.check(list(paths), mapping=spec, progress=progress)
        _load_summary(report, fmt, plans)
        if not report.ok_to_load:
            raise click.ClickException("--check: the rows above would be rejected")
        return
    from casegraph.state import open_state
    from casegraph.store import open_store
    settings = _settings(db=db, graph=graph, batch_size=batch_size)
    state = open_state(settings.state_url())
    with open_store(settings) as store, RowProgress() as progress:
        report = pipeline.load_audited(store, state, _os_user(), list(paths), mapping=spec, strict=strict,
                                       rejects_dir=rejects_dir, progress=progress, bulk=bulk)
    _load_summary(report, fmt)
    if strict and not report.ok_to_load:
        raise click.ClickException("--strict: nothing was written because of the rejected rows above")


def _load_summary(report, fmt: str, plans=None) -> None:
    """The per-file table (or JSON) of a load or a --check: rows = loaded + rejected + filtered
    + conflicts; then skipped files, notes and the first rejected rows of each file."""
    rows = [{"file": f.file, "kind": f.kind, "status": f.status, "rows": f.rows_read, "loaded": f.rows_written,
             "rejected": f.rows_rejected, "filtered": f.rows_filtered, "conflicts": f.rows_conflicting,
             "kept_apart": f.rows_kept_apart, "nodes_created": f.nodes_created,
             "relationships_created": f.relationships_created, "seconds": round(f.seconds, 2),
             "rows_per_s": round(f.rows_per_s), "rejects_file": f.rejects_file or "", "notes": f.notes}
            for f in report.files]
    if plans is not None:
        for row, plan in zip(rows, plans):
            row["fields"] = plan.sources()
    if fmt == "json":
        echo(json.dumps({"files": rows, "skipped_files": report.skipped}, indent=2))
        return
    cols = ["file", "kind", "status", "rows", "loaded", "rejected", "filtered", "conflicts"]
    if plans is None:
        cols += ["nodes_created", "relationships_created", "rows_per_s"]
    echo(render(rows, "table", cols))
    say = lambda text: console.print(text, markup=False, highlight=False)  # noqa: E731
    if plans is not None:
        for row in rows:
            echo(f"{row['file']} -> {row['kind']}: {row['fields']}")
    say(f"skipped files: {len(report.skipped)}")
    for s in report.skipped:
        say(f"skipped {s}")
    for f in report.files:
        for note in f.notes:
            say(f"note: {note}")
    for f in report.files:
        if not f.errors:
            continue
        for e in f.errors:
            say(f"rejected: {e}")
        bad = f.rows_rejected + f.rows_conflicting
        more = bad - len(f.errors)
        tail = f" (and {more} more)" if more > 0 else ""
        where = f"; all listed in {f.rejects_file}" if f.rejects_file else ""
        say(f"{f.file}: {f.rows_rejected} row(s) rejected, {f.rows_conflicting} conflicting{tail}{where}")


# -- database ------------------------------------------------------------------------------

@main.group()
def db() -> None:
    """The graph database: status, schema, stopping the embedded server."""


@db.command()
@format_option
@store_options
def status(fmt, db, graph) -> None:
    """Backend, version, node and relationship counts per label and type, and the schema:
    every index (or uniqueness constraint) the model asks for and its state."""
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
    schema = [{"on": f"{i['name']}.{i['property']}", "unique": i["unique"], "kind": i["kind"], "state": i["state"]}
              for i in info["schema"]]
    echo(render(schema, fmt, title="schema" if fmt == "table" else None))
    missing = [s["on"] for s in schema if s["kind"] == "missing"]
    if missing:
        console.print(f"not indexed yet: {', '.join(missing)} (loads create the schema; or `casegraph db schema`)",
                      markup=False)
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
    from casegraph import cases, queries
    with _open(db, graph) as store:
        res = queries.run_saved(store, _state(db, graph), cases.operator(), name, _parse_params(params),
                                timeout_ms=timeout_ms, row_limit=row_limit)
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
    from casegraph import cases, queries
    values = {}
    for k, v in _parse_params(params).items():
        try:
            values[k] = json.loads(v)
        except json.JSONDecodeError:
            values[k] = v
    with _open(db, graph) as store:
        res = queries.run_cypher(store, _state(db, graph), cases.operator(), text, values,
                                 timeout_ms=timeout_ms, row_limit=row_limit)
    _print_result(res, fmt, row_limit)


def _print_result(res, fmt: str, row_limit: int | None) -> None:
    echo(render(res.rows, fmt, res.columns))
    if res.truncated:
        console.print(f"row limit reached: showing the first {len(res.rows)} rows; raise --row-limit to see more")


# -- detections and alerts -----------------------------------------------------------------

@main.command()
@click.argument("name", required=False)
@click.option("--all", "run_all", is_flag=True, help="Run every detection.")
@click.option("--param", "-p", "params", multiple=True, help="name=value, repeatable; checked against the detection's parameters (docs/detections.md).")
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
    state = open_state(settings.state_url())        # alerts, and the verdicts some detections respect

    def show(o) -> None:
        reviewed = f", {o.reviewed} already reviewed" if o.reviewed > 0 else ""
        console.print(f"{o.name}: {len(o.results)} result(s); alerts: {o.new} new, {o.updated} updated{reviewed}"
                      + _below_threshold(o))

    with _open(db, graph) as store:
        if no_alerts:
            found = [(n, detections.with_state(state, n, detections.run(store, n, values))) for n in names]
        else:
            found = [(o.name, o.results) for o in detections.queue(store, state, _os_user(), names, values, show)]
    echo(render([{"detection": n, **r} if run_all else r for n, results in found for r in results], fmt))


def _below_threshold(outcome) -> str:
    """What a detections.Outcome left out of the queue, for the line that reports it."""
    from casegraph import detections
    floor = detections.get(outcome.name).alert_min_score
    return f" ({outcome.below} scoring below {floor:g} not queued)" if outcome.below else ""


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
    fn = click.option("--debug", is_flag=True, help="Dash's development server in debug mode instead of the production server: reloads on code changes, shows tracebacks in the page. Never on a shared machine.")(fn)
    fn = click.option("--threads", type=click.IntRange(1, 256), envvar="CASEGRAPH_THREADS", default=None, help=_setting_help("threads"))(fn)
    fn = click.option("--workers", type=click.IntRange(1, 64), envvar="CASEGRAPH_WORKERS", default=None, help=_setting_help("workers"))(fn)
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


def _need_a_user(settings: Settings) -> None:
    """The UI needs a login: refuse to serve when no enabled user exists."""
    from casegraph import users
    from casegraph.state import open_state
    state = open_state(settings.state_url())
    try:
        anyone = users.list_users(state, include_disabled=False)
    finally:
        state.engine.dispose()        # nothing opened here may reach the forked workers
    if not anyone:
        raise click.ClickException("no user can log in to the UI: add one with "
                                   "`casegraph user add NAME --role admin`, then serve again")


def _first_admin(state) -> None:
    """A fresh demo (no user at all): create user "admin" with a random password and print
    it once, on the terminal only."""
    import secrets

    from casegraph import audit, users
    if users.list_users(state):
        return
    password = secrets.token_urlsafe(12)
    users.add_user(state, "admin", "admin", password)
    audit.record(state, _os_user(), "user.add", {"name": "admin", "role": "admin", "by": "demo"})
    click.echo(f"UI login: user admin, password {password}  (shown only this once; "
               "`casegraph user add NAME --role ROLE` adds more)")


def _serve(settings: Settings, host: str, port: int, debug: bool, reload: bool = True) -> None:
    """Serve the UI until Ctrl-C or SIGTERM: under gunicorn (settings.workers processes of
    settings.threads threads; app/server.py), or with --debug under Dash's development
    server, where `reload` restarts on code changes by re-running the command line, which
    `demo` must not do (it would load everything again)."""
    import os
    reloaded = os.environ.get("WERKZEUG_RUN_MAIN") == "true"   # the reloader's child: its parent holds the port
    if not reloaded and not _port_free(host, port):
        raise click.ClickException(f"port {port} on {host} is already in use; stop what uses it or pick another with --port")
    _need_a_user(settings)
    from casegraph import app as ui
    dash_app = ui.create_app(settings)
    try:
        ui.store()   # open the graph now: a bad --db is a one-line error before serving, not a broken page
        if debug:
            echo(f"casegraph UI on {settings.db}: http://{host}:{port}  (Dash development server, debug mode; Ctrl-C to stop)")
            dash_app.run(host=host, port=port, debug=True, use_reloader=reload)
            return
    finally:
        ui.close()   # before the workers fork: each opens its own connections
    from casegraph.app.server import serve as run
    echo(f"casegraph UI on {settings.db}: http://{host}:{port}  ({settings.workers} worker(s) x "
         f"{settings.threads} threads; Ctrl-C or SIGTERM stops it)")
    try:
        run(dash_app, host, port, settings.workers, settings.threads)
    finally:
        ui.close()


@main.command()
@serve_options
@store_options
def serve(host, port, workers, threads, debug, db, graph) -> None:
    """Serve the investigator UI (search, explorer, alerts, saved queries, cases, KPIs, audit)
    over --db with a production web server (gunicorn). Users log in (`casegraph user add
    NAME --role ROLE`; docs/roles.md); GET /healthz answers load balancers."""
    _serve(_settings(db=db, graph=graph, workers=workers, threads=threads), host, port, debug)


@main.command("api")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 exposes the API to the network).")
@click.option("--port", type=click.IntRange(1, 65535), default=8060, show_default=True, help="Port to serve the API on.")
@click.option("--workers", type=click.IntRange(1, 64), envvar="CASEGRAPH_WORKERS", default=None, help=_setting_help("workers"))
@click.option("--no-access-log", is_flag=True, help="Leave out uvicorn's line per request (every call is in the audit log anyway).")
@store_options
def api(host, port, workers, no_access_log, db, graph) -> None:
    """Serve the HTTP API (/api/v1: transfer checks, watchlists, model groups, alerts, cases,
    evidence, saved queries, KPIs; docs/api.md) with uvicorn, in processes of its own next to
    the UI. Callers authenticate with tokens from `casegraph token create`. The OpenAPI
    document is at /api/v1/openapi.json, readable at /api/v1/docs."""
    import os
    settings = _settings(db=db, graph=graph, workers=workers)
    if not _port_free(host, port):
        raise click.ClickException(f"port {port} on {host} is already in use; stop what uses it or pick another with --port")
    from casegraph.store import open_store
    with open_store(settings) as store:     # a bad --db is a one-line error before serving
        store.health()
    for s in SETTINGS:                      # the workers read their settings from the environment
        os.environ[s.envvar] = str(getattr(settings, s.name))
    from casegraph.api.server import serve as run
    echo(f"casegraph API on {settings.db}: http://{host}:{port}/api/v1  (docs: /api/v1/docs; "
         f"{settings.workers} worker(s); Ctrl-C or SIGTERM stops it)")
    run(host, port, settings.workers, access_log=not no_access_log)


@main.group()
def token() -> None:
    """API tokens for service accounts (docs/api.md): shown once, stored hashed."""


@token.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(list(ROLES)), help="What the token may do (docs/roles.md).")
@click.option("--expires", "expires_days", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Days until the token stops working (default: never; revoke it instead).")
@click.option("--rate", "rate_per_s", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Requests per second the token may make (a batch counts once); default 200.")
@store_options
def token_create(name, role, expires_days, rate_per_s, db, graph) -> None:
    """Create a token and print its secret, once: give it to the calling system's secret store."""
    from casegraph import tokens
    state = _state(db, graph)
    secret, row = tokens.create(state, name, role, by=_os_user(), expires_days=expires_days,
                                rate_per_s=rate_per_s or tokens.DEFAULT_RATE)
    _audit(db, graph, "token.create", {"name": name, "role": role, "expires_at": row["expires_at"],
                                        "rate_per_s": row["rate_per_s"]})
    echo(secret)
    click.echo(f"token {name} ({role}) created; the line above is its secret, shown only this once. "
               "Send it as `Authorization: Bearer <secret>`.", err=True)


@token.command("list")
@format_option
@store_options
def token_list(fmt, db, graph) -> None:
    """Every token with its role, state and dates (never the secret)."""
    from casegraph import tokens
    rows = [{"name": t["name"], "role": t["role"], "status": tokens.status(t), "rate_per_s": t["rate_per_s"],
             "created_by": t["created_by"], "created_at": iso(t["created_at"]), "expires_at": iso(t["expires_at"]),
             "revoked_at": iso(t["revoked_at"])} for t in tokens.list_tokens(_state(db, graph))]
    echo(render(rows, fmt, ["name", "role", "status", "rate_per_s", "created_by", "created_at", "expires_at",
                            "revoked_at"]))


@token.command("revoke")
@click.argument("name")
@store_options
def token_revoke(name, db, graph) -> None:
    """Revoke a token: the API refuses it from the next second on (its history stays)."""
    from casegraph import tokens
    tokens.revoke(_state(db, graph), name, by=_os_user())
    _audit(db, graph, "token.revoke", {"name": name})
    echo(f"revoked {name}")


# -- the main job --------------------------------------------------------------------------

@main.command()
@click.option("--accounts", type=int, default=20000, show_default=True, help="Accounts in the sample dataset.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--data", "data_dir", default="casegraph-sample", show_default=True, type=click.Path(file_okay=False), help="Where the sample files go (reused if present).")
@click.option("--no-serve", is_flag=True, help="Stop after the detections instead of serving the UI.")
@serve_options
@store_options
def demo(accounts, seed, data_dir, no_serve, host, port, workers, threads, debug, db, graph) -> None:
    """The main job on the embedded default: generate sample data, load it, run the detections,
    then serve the UI (unless --no-serve)."""
    from casegraph import detections
    from casegraph.generate import generate as run_generate
    from casegraph.state import open_state
    from casegraph.store import open_store
    from casegraph.loaders.pipeline import load_audited
    settings = _settings(db=db, graph=graph, workers=workers, threads=threads)
    if not no_serve and not _port_free(host, port):
        raise click.ClickException(f"port {port} on {host} is already in use; stop what uses it, "
                                   "pick another with --port, or pass --no-serve")
    out = Path(data_dir)
    if not (out / "truth.json").exists():
        console.print(f"generating {accounts:,} accounts into {out} ...")
        run_generate(out, accounts, seed)

    def show(o) -> None:
        echo(f"detection {o.name}: {len(o.results)} result(s); alerts: {o.new} new, {o.updated} updated"
             + _below_threshold(o))

    with open_store(settings) as store, RowProgress() as progress:
        state = open_state(settings.state_url())
        load_audited(store, state, _os_user(), [out], progress=progress, bulk=True)
        info = store.status()
        detections.queue(store, state, _os_user(), detections.names(), {}, show)
    echo(f"loaded into {info['backend']} ({info['version']})")
    echo(render([{"label": k, "nodes": v} for k, v in info["nodes"].items()], "table"))
    echo(render([{"type": k, "relationships": v} for k, v in info["relationships"].items()], "table"))
    _first_admin(state)
    state.engine.dispose()            # nothing opened here may reach the forked workers
    if not no_serve:
        _serve(settings, host, port, debug, reload=False)


# -- users and the audit log ---------------------------------------------------------------

def _os_user() -> str:
    """The CLI's audit actor: the local operator (`cli:<os user>`), as in every case command."""
    from casegraph.cases import operator
    return operator()["name"]


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
    from casegraph.times import option_ms
    rows = audit.entries(_state(db, graph), since=option_ms("--since", since), actor=actor, action=action)
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
    from casegraph import audit, cases
    text = audit.export_for(_state(db, graph), cases.operator(), fmt)
    Path(file).write_text(text, encoding="utf-8")
    echo(f"wrote {text.count(chr(10)) - (fmt == 'csv')} entries to {file}")


@audit_group.command("verify")
@store_options
def audit_verify(db, graph) -> None:
    """Recompute the hash chain, check the signed head, and check cases' snapshots and
    decisions against it; exit 1 naming what does not match."""
    from casegraph import audit
    found = audit.check(_state(db, graph))
    if found.broken_at is not None:
        raise click.ClickException(f"audit log broken at entry {found.broken_at}: it, or an entry before it, "
                                   "was changed or removed")
    if found.head:
        raise click.ClickException(f"audit log broken: {found.head}")
    from casegraph import cases
    differ = cases.check_against_audit(_state(db, graph))
    if differ:
        raise click.ClickException("cases differ from the audit log:\n" + "\n".join(differ))
    echo(f"audit log intact: {found.entries} entries; cases' snapshots and decisions agree with it")


# -- evidence packages (docs/evidence.md) --------------------------------------------------

def evidence_options(fn):
    fn = click.option("--mask", "masked", is_flag=True, help="Replace emails, phones and document ids by stable pseudonyms (for sharing across agencies).")(fn)
    fn = click.option("--out", "out_dir", default="evidence", show_default=True, type=click.Path(file_okay=False), help="Folder the package (and its .sha256) is written to.")(fn)
    fn = click.option("--agency", required=True, help="The requesting agency.")(fn)
    fn = click.option("--request-ref", required=True, help="The request's reference (as the agency gave it).")(fn)
    return fn


def _print_package(result: dict[str, Any]) -> None:
    echo(f"wrote {result['path']}\nsha256 {result['sha256']}")
    for note in result.get("notes") or ():
        console.print(f"note: {note}", markup=False, highlight=False)


@main.group("export")
def export_group() -> None:
    """Evidence packages for law-enforcement requests (the CLI acts as the local admin operator)."""


@export_group.command("case")
@click.argument("case_id", type=int)
@evidence_options
@store_options
def export_case(case_id, request_ref, agency, out_dir, masked, db, graph) -> None:
    """A package of case CASE_ID's current graph, with every element's provenance."""
    from casegraph import cases
    from casegraph.evidence import build_case_package
    settings = _settings(db=db, graph=graph)
    with _open(db, graph) as store:
        result = build_case_package(_state(db, graph), store, cases.operator(), case_id, request_ref=request_ref,
                                    agency=agency, out_dir=out_dir, mask=masked, settings=settings)
    _print_package(result)


@export_group.command("subject")
@click.option("--account", default=None, help="The subject account's id.")
@click.option("--wallet", default=None, help="The subject wallet's address.")
@click.option("--since", required=True, help="Start of the period (ISO 8601 date or time, UTC; inclusive).")
@click.option("--until", required=True, help="End of the period (ISO 8601 date or time, UTC; exclusive).")
@evidence_options
@store_options
def export_subject(account, wallet, since, until, request_ref, agency, out_dir, masked, db, graph) -> None:
    """A package about an account or a wallet in a period: identifiers, linked accounts,
    money movements with counterparties, watchlist listings and scam reports."""
    from casegraph.times import option_ms
    if bool(account) == bool(wallet):
        raise click.ClickException("name the subject with exactly one of --account ID or --wallet ADDRESS")
    times = {name: option_ms(name, value) for name, value in (("--since", since), ("--until", until))}
    from casegraph import cases
    from casegraph.evidence import build_subject_package
    subject = f"Account:{account}" if account else f"Wallet:{wallet}"
    settings = _settings(db=db, graph=graph)
    with _open(db, graph) as store:
        result = build_subject_package(_state(db, graph), store, cases.operator(), subject,
                                       since_ms=times["--since"], until_ms=times["--until"], request_ref=request_ref,
                                       agency=agency, out_dir=out_dir, mask=masked, settings=settings)
    _print_package(result)


@export_group.command("request")
@click.argument("request_id", type=int)
@click.option("--since", default=None, help="Start of the period (ISO 8601, UTC; inclusive); default: the whole history.")
@click.option("--until", default=None, help="End of the period (ISO 8601, UTC; exclusive); default: the whole history.")
@click.option("--mask", "masked", is_flag=True, help="Replace emails, phones and document ids by stable pseudonyms.")
@click.option("--out", "out_dir", default="evidence", show_default=True, type=click.Path(file_okay=False),
              help="Folder the package (and its .sha256) is written to.")
@store_options
def export_request(request_id, since, until, masked, out_dir, db, graph) -> None:
    """A package answering law-enforcement request REQUEST_ID: its case, or else its subjects
    (docs/le-desk.md); the manifest names the request, which records the package and its SHA-256."""
    from casegraph import cases
    from casegraph.evidence import build_request_package
    from casegraph.times import option_ms
    settings = _settings(db=db, graph=graph)
    with _open(db, graph) as store:
        result = build_request_package(_state(db, graph), store, cases.operator(), request_id, out_dir=out_dir,
                                       mask=masked, since_ms=option_ms("--since", since),
                                       until_ms=option_ms("--until", until), settings=settings)
    _print_package(result)
    echo(f"recorded as package {result['package_id']} of request {request_id}")


@main.group("report")
def report_group() -> None:
    """Report drafts for a financial intelligence unit (the CLI acts as the local admin operator)."""


@report_group.command("str")
@click.argument("case_id", type=int)
@click.option("--out", "out_dir", default="reports", show_default=True, type=click.Path(file_okay=False),
              help="Folder str-case-<id>.xml and .pdf are written to (replacing earlier drafts of the case).")
@click.option("--masked", is_flag=True, help="Replace emails, phones and document ids by stable pseudonyms, "
                                             "as masked evidence packages do.")
@click.option("--entity-id", default=None,
              help="The reporting entity's id the FIU issued (rentity_id); empty for the analyst when not given.")
@click.option("--institution", default=None,
              help="The exchange's name as institution_name of its own accounts.")
@store_options
def report_str(case_id, out_dir, masked, entity_id, institution, db, graph) -> None:
    """A suspicious-transaction report draft in the goAML XML structure, and a readable PDF,
    from confirmed case CASE_ID (docs/le-desk.md)."""
    import hashlib
    from casegraph import cases
    from casegraph.evidence.goaml import str_draft
    settings = _settings(db=db, graph=graph)
    with _open(db, graph) as store:
        xml, pdf = str_draft(_state(db, graph), store, cases.operator(), case_id, masked=masked,
                             entity_id=entity_id, institution=institution, settings=settings)
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for suffix, data in (("xml", xml), ("pdf", pdf)):
            path = folder / f"str-case-{case_id}.{suffix}"
            path.write_bytes(data)
            echo(f"wrote {path}\nsha256 {hashlib.sha256(data).hexdigest()}")
    except OSError as e:
        raise click.ClickException(f"cannot write the report draft into {folder}: {e.strerror}") from e


@main.command("verify")
@click.argument("package", type=click.Path(dir_okay=False))
@click.option("--public-key", "public_key", type=click.Path(dir_okay=False, exists=True), default=None,
              help="PEM file of the signer's public key(s) (from `casegraph keys public`); default: this "
                   "deployment's keys.")
@click.option("--no-audit", is_flag=True, help="Do not look the package up in this deployment's audit log "
                                               "(checking a package exported elsewhere).")
@store_options
def verify_package(package, public_key, no_audit, db, graph) -> None:
    """Re-check an evidence package: its manifest's signature, every file against the
    manifest's SHA-256 and size, the package against PACKAGE.sha256 when present, and against
    the digest the audit log recorded when it was exported. Exit 1 naming what differs."""
    from casegraph import audit, signing
    from casegraph.evidence import verify
    settings = _settings(db=db, graph=graph)
    keys = (signing.load_public_keys(Path(public_key).read_bytes(), public_key) if public_key
            else signing.public_keys(settings))
    exported = None if no_audit else {str(e["details"].get("sha256")) for e in audit.entries(
        _state(db, graph), action="evidence.export")}
    problems = verify(package, keys=keys, exported=exported)
    if problems:
        for line in problems:
            echo(line)
        sys.exit(1)
    echo(f"OK: {Path(package).name} is intact: its manifest is signed by a known key, every file matches "
         "its manifest entry" + ("" if no_audit else ", and the audit log recorded it at export"))


@main.group()
def keys() -> None:
    """The Ed25519 key that signs evidence manifests (docs/security.md)."""


@keys.command("public")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the PEM here instead of printing it.")
def keys_public(out) -> None:
    """The public keys (every key used) that `casegraph verify --public-key` checks against."""
    from casegraph import signing
    pem = signing.public_pem(_settings()).decode("ascii")
    if out:
        Path(out).write_text(pem, encoding="ascii")
        echo(f"wrote {pem.count('BEGIN PUBLIC KEY')} public key(s) to {out}")
    else:
        echo(pem.rstrip())


@keys.command("rotate")
def keys_rotate() -> None:
    """Sign with a new key from now on; packages signed with the old one still verify here."""
    from casegraph import signing
    old, new = signing.rotate(_settings())
    _audit(None, None, "keys.rotate", {"old_key_id": old, "new_key_id": new})
    echo(f"signing key rotated: {old} -> {new}; give verifiers the new public keys (`casegraph keys public`)")


# -- cases, KPIs and feedback (docs/cases.md) ----------------------------------------------

def _times(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {**row, **{n: iso(row[n]) for n in names if n in row}}


def _note_and_assign(group: click.Group, noun: str, module: str) -> None:
    """`<group> note ID TEXT` and `<group> assign ID NAME` for a workflow whose core module has
    add_note(state, actor, id, text) and assign(state, actor, id, name): cases and requests."""
    import importlib

    def core():
        return importlib.import_module(f"casegraph.{module}")

    @group.command("note")
    @click.argument("item_id", type=int, metavar=f"{noun.upper()}_ID")
    @click.argument("text")
    @store_options
    def note(item_id, text, db, graph) -> None:
        from casegraph.cases import operator
        core().add_note(_state(db, graph), operator(), item_id, text)
        echo(f"{noun} {item_id}: note added")
    note.help = f"Add a note to a {noun}."

    @group.command("assign")
    @click.argument("item_id", type=int, metavar=f"{noun.upper()}_ID")
    @click.argument("name")
    @store_options
    def assign(item_id, name, db, graph) -> None:
        from casegraph.cases import operator
        core().assign(_state(db, graph), operator(), item_id, name)
        echo(f"{noun} {item_id}: assigned to {name or 'nobody'}")
    assign.help = f'Assign a {noun} to a user ("" for nobody).'


@main.group()
def case() -> None:
    """Cases: investigate, decide, record remediation (the CLI acts as the local admin operator)."""


_note_and_assign(case, "case", "cases")


@case.command("list")
@click.option("--status", default=None, help="Only cases in this status (open, in_review, confirmed, false_positive, closed).")
@click.option("--assignee", default=None, help="Only cases assigned to this user.")
@format_option
@store_options
def case_list(status, assignee, fmt, db, graph) -> None:
    """Cases, newest first."""
    from casegraph import cases
    rows = [_times(r, "created_at", "updated_at", "decided_at") for r in cases.list_cases(_state(db, graph), status, assignee)]
    cols = ["id", "title", "status", "assignee", "source", "detection", "domain", "elements", "alerts", "created_at", "decided_at"]
    echo(render(rows, fmt, cols if fmt == "table" else None))


@case.command("show")
@click.argument("case_id", type=int)
@format_option
@store_options
def case_show(case_id, fmt, db, graph) -> None:
    """One case: its fields, entities with provenance, notes, history, actions and reviews."""
    from casegraph import cases
    c = cases.get_case(_state(db, graph), case_id)
    c = _times(c, "created_at", "updated_at", "decided_at")
    for key, stamp in (("notes", "at"), ("history", "at"), ("actions", "requested_at"), ("reviews", "at"), ("removed", "removed_at")):
        c[key] = [_times(r, stamp) for r in c[key]]
    c["provenance"] = {k: _times(v, "added_at") for k, v in c["provenance"].items()}
    if fmt == "json":
        echo(render([c], "json"))
        return
    fields = [{"field": k, "value": v} for k, v in c.items()
              if k not in ("elements", "provenance", "removed", "notes", "history", "actions", "reviews", "positions")]
    echo(render(fields, fmt, ["field", "value"]))
    if fmt == "table":
        entities = [{"id": e["data"]["id"], "kind": e["data"].get("kind"), "query": c["provenance"][e["data"]["id"]]["query"],
                     "added_by": c["provenance"][e["data"]["id"]]["added_by"]} for e in c["elements"]]
        for title, rows in (("entities", entities), ("notes", c["notes"]), ("history", c["history"]),
                            ("actions", c["actions"]), ("reviews", c["reviews"]), ("removed", c["removed"])):
            if rows:
                echo(render(rows, "table", title=title))


@case.command("create")
@click.option("--from-alert", "alert_id", type=int, default=None, help="Open the alert's entities and what links them as a case.")
@click.option("--from-group", "group_id", default=None, help="Review a model-team group (its member accounts) as a case.")
@store_options
def case_create(alert_id, group_id, db, graph) -> None:
    """Open a case from an alert or a model-team group."""
    from casegraph import cases
    if (alert_id is None) == (group_id is None):
        raise click.ClickException("give one of --from-alert ID or --from-group ID")
    state = _state(db, graph)
    with _open(db, graph) as store:
        if alert_id is not None:
            cid = cases.case_from_alert(state, store, cases.operator(), alert_id)
        else:
            cid = cases.case_from_group(state, store, cases.operator(), group_id)
    c = cases.get_case(state, cid)
    echo(f"created case {cid}: {c['title']} ({len(c['elements'])} elements)")


@case.command("status")
@click.argument("case_id", type=int)
@click.argument("to_status", metavar="TO")
@click.option("--reason", required=True, help="Why (every move needs one; a decision's reason is kept with it).")
@store_options
def case_status(case_id, to_status, reason, db, graph) -> None:
    """Move a case: open -> in_review -> confirmed | false_positive -> closed (closed -> in_review reopens)."""
    from casegraph import cases
    cases.set_status(_state(db, graph), cases.operator(), case_id, to_status, reason)
    echo(f"case {case_id}: {to_status}")


@case.command("review")
@click.argument("case_id", type=int)
@click.argument("verdict", type=click.Choice(["confirmed", "false_positive"]))
@click.option("--reason", required=True, help="Why.")
@store_options
def case_review(case_id, verdict, reason, db, graph) -> None:
    """Second review (QA) of a decided case by someone other than the decider."""
    from casegraph import cases
    agrees = cases.second_review(_state(db, graph), cases.operator(), case_id, verdict, reason)
    echo(f"case {case_id}: second review {'agrees' if agrees else 'disagrees'} with the decision")


@case.command("action")
@click.argument("case_id", type=int)
@click.argument("action", type=click.Choice(["block", "freeze", "hold_transfer", "victim_outreach", "report_to_le"]))
@click.argument("target")
@click.option("--note", default="", help="For the team that carries it out.")
@store_options
def case_action(case_id, action, target, note, db, graph) -> None:
    """Record a remediation action on an entity of the case (TARGET: a node id, e.g. Account:A100000001)."""
    from casegraph import cases
    action_id = cases.record_action(_state(db, graph), cases.operator(), case_id, action, target, note)
    echo(f"case {case_id}: action {action_id} {action} {target}")


@case.command("actions-csv")
@click.option("--case", "case_ids", type=int, multiple=True, help="Only this case's actions (repeatable); default all.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None, help="Write to FILE instead of standard output.")
@store_options
def case_actions_csv(case_ids, out, db, graph) -> None:
    """Remediation actions as CSV for downstream systems."""
    from casegraph import cases
    text = cases.actions_csv(_state(db, graph), list(case_ids) or None)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        echo(f"wrote {text.count(chr(10)) - 1} action(s) to {out}")
    else:
        click.echo(text, nl=False)


@alerts.command("bulk")
@click.argument("alert_ids", type=int, nargs=-1, required=True)
@click.option("--action", required=True, type=click.Choice(["close", "dismiss", "reopen", "assign"]), help="What to do with every alert given.")
@click.option("--reason", default="", help="Why (needed to close or dismiss).")
@click.option("--assignee", default=None, help="The user to assign to (with --action assign).")
@format_option
@store_options
def alerts_bulk(alert_ids, action, reason, assignee, fmt, db, graph) -> None:
    """One action on many alerts; alerts in a case are left to the case."""
    from casegraph import cases
    done = cases.bulk_alerts(_state(db, graph), cases.operator(), alert_ids, action, assignee=assignee, reason=reason)
    rows = [{"id": i, "result": action} for i in done["changed"]] + [{"id": s["id"], "result": f"skipped: {s['why']}"} for s in done["skipped"]]
    echo(render(rows, fmt, ["id", "result"]))


@main.command()
@click.option("--since", default=None, help="From this date or time (ISO 8601, UTC), inclusive.")
@click.option("--until", default=None, help="Up to this time, exclusive; a date alone includes that whole day.")
@format_option
@store_options
def kpis(since, until, fmt, db, graph) -> None:
    """Resolution rate, time to decision, QA agreement, and counts per detection and domain;
    the request desk's requests received and responded, time to respond and overdue requests,
    per agency and country."""
    from casegraph import cases
    from casegraph import kpis as k
    state, period = _state(db, graph), k.period(since, until)
    found = k.view(state, cases.operator(), *period)
    desk = k.desk(state, *period)
    if fmt == "json":
        echo(json.dumps({**found, "requests": desk}, indent=2))
        return
    per = [{"scope": scope, **row} for scope, key in (("detection", "per_detection"), ("domain", "per_domain"))
           for row in k.count_rows(found[key], "name")]
    desk_per = [{"scope": scope, "name": name, **counts} for scope, key in (("agency", "per_agency"),
                                                                          ("country", "per_country"))
                for name, counts in sorted(desk[key].items())]
    if fmt == "table":
        echo(render([{"kpi": label, "value": text} for label, text in k.headline(found) + k.desk_headline(desk)],
                    "table", ["kpi", "value"]))
    echo(render(per, fmt))
    if fmt == "table" and desk_per:
        echo(render(desk_per, "table", title="LE requests"))


@main.command()
@click.option("--since", required=True, help="Labels from this date or time on (ISO 8601, UTC).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None, help="Write to FILE instead of standard output.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default=None, help="json: an array of objects; csv: account_ids joined with ';'. Default: csv for an --out FILE ending in .csv, else json.")
@store_options
def feedback(since, out, fmt, db, graph) -> None:
    """Labels for the model team: confirmed, false_positive, and missed rings (docs/cases.md)."""
    from casegraph import feedback as fb
    from casegraph.kpis import period
    fmt = fmt or ("csv" if out and out.lower().endswith(".csv") else "json")
    since_ms, _ = period(since, None)
    with _open(db, graph) as store:
        found = fb.rows(_state(db, graph), store, since_ms)
    text = fb.render(found, fmt)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        echo(f"wrote {len(found)} label(s) to {out}")
    else:
        click.echo(text, nl=False)



def _when(name: str, text: str | None) -> int | None:
    from casegraph.times import option_ms
    return option_ms(name, text)


@main.group()
def request() -> None:
    """The law-enforcement request desk (docs/le-desk.md; the CLI acts as the local admin operator)."""


_note_and_assign(request, "request", "requests")


@request.command("add")
@click.option("--agency", required=True, help="The requesting agency.")
@click.option("--country", required=True, help="The agency's country.")
@click.option("--ref", "reference", required=True, help="The agency's request reference.")
@click.option("--legal-basis", required=True, help="The legal basis the request cites.")
@click.option("--received", required=True, help="When the request was received (ISO 8601 date or time, UTC).")
@click.option("--deadline", required=True, help="The response deadline (ISO 8601 date or time, UTC).")
@click.option("--priority", type=click.Choice(["low", "normal", "high", "urgent"]), default="normal", show_default=True)
@click.option("--subject", "subjects", multiple=True, help="Account:<id>, Wallet:<address>, an identifier (Phone:..., Email:...) or tx:<hash>; repeatable.")
@click.option("--ask", default="", help="What the agency asks for, as free text.")
@click.option("--assignee", default=None, help="The user working the request.")
@store_options
def request_add(agency, country, reference, legal_basis, received, deadline, priority, subjects, ask, assignee,
                db, graph) -> None:
    """Record an incoming request."""
    from casegraph import cases, requests
    rid = requests.add(_state(db, graph), cases.operator(), agency=agency, country=country, reference=reference,
                       legal_basis=legal_basis, received_at=_when("--received", received),
                       deadline_at=_when("--deadline", deadline), priority=priority, subjects=subjects, ask=ask,
                       assignee=assignee)
    echo(f"recorded request {rid}")


@request.command("list")
@click.option("--overdue", is_flag=True, help="Only requests past their deadline and not answered.")
@click.option("--status", default=None, help="Only requests in this status (received, in_progress, responded, declined, closed).")
@format_option
@store_options
def request_list(overdue, status, fmt, db, graph) -> None:
    """The request queue, soonest deadline first, with overdue and due-soon flags."""
    from casegraph import requests
    rows = [_times(r, "received_at", "deadline_at", "responded_at") for r in
            requests.queue(_state(db, graph), status=status, overdue=overdue)]
    cols = ["id", "agency", "country", "reference", "priority", "status", "assignee", "received_at", "deadline_at",
            "overdue", "due_soon", "subjects", "case_id"]
    echo(render(rows, fmt, cols if fmt == "table" else None))


@request.command("show")
@click.argument("request_id", type=int)
@format_option
@store_options
def request_show(request_id, fmt, db, graph) -> None:
    """One request: its fields, subjects as the graph has them, notes, history, packages, freezes."""
    from casegraph import freezes, requests
    state = _state(db, graph)
    r = requests.get(state, request_id)
    with _open(db, graph) as store:
        r["subjects"] = requests.resolve(store, r["subjects"])
    r = _times(r, "received_at", "deadline_at", "responded_at", "created_at", "updated_at")
    for key, stamp in (("notes", "at"), ("history", "at"), ("packages", "recorded_at")):
        r[key] = [_times(x, stamp) for x in r[key]]
    r["freezes"] = [_times(f, "frozen_at", "until_at", "lifted_at") for f in
                    freezes.list_freezes(state, request_id=request_id)]
    if fmt == "json":
        echo(render([r], "json"))
        return
    lists = ("subjects", "notes", "history", "packages", "freezes")
    echo(render([{"field": k, "value": v} for k, v in r.items() if k not in lists], fmt, ["field", "value"]))
    if fmt == "table":
        for title in lists:
            if r[title]:
                echo(render(r[title], "table", title=title))


@request.command("status")
@click.argument("request_id", type=int)
@click.argument("to_status", metavar="TO")
@click.option("--reason", default="", help="Why (needed to decline).")
@store_options
def request_status(request_id, to_status, reason, db, graph) -> None:
    """Move a request: received -> in_progress -> responded | declined -> closed."""
    from casegraph import cases, requests
    requests.set_status(_state(db, graph), cases.operator(), request_id, to_status, reason)
    echo(f"request {request_id}: {to_status}")


@request.command("package")
@click.argument("request_id", type=int)
@click.argument("file")
@click.option("--sha256", required=True, help="The package's SHA-256 (as `casegraph verify` and the export print it).")
@store_options
def request_package(request_id, file, sha256, db, graph) -> None:
    """Record an evidence package sent in answer (one of several: partial responses)."""
    from casegraph import cases, requests
    pid = requests.record_package(_state(db, graph), cases.operator(), request_id, file, sha256)
    echo(f"request {request_id}: package {pid} recorded")


@request.command("case")
@click.argument("request_id", type=int)
@store_options
def request_case(request_id, db, graph) -> None:
    """Open a case with the request's subjects that the graph has, and what links them."""
    from casegraph import cases, requests
    state = _state(db, graph)
    with _open(db, graph) as store:
        cid = requests.case_from_request(state, store, cases.operator(), request_id)
    echo(f"request {request_id}: created case {cid}")


@main.group()
def freeze() -> None:
    """Freeze orders on accounts and wallets (a frozen sender's transfers are held)."""


@freeze.command("add")
@click.argument("target")
@click.option("--amount", required=True, type=float, help="The amount frozen.")
@click.option("--asset", required=True, help="The asset frozen (e.g. USDT).")
@click.option("--request", "request_id", type=int, default=None, help="The request the freeze is recorded on.")
@click.option("--case", "case_id", type=int, default=None, help="The case the freeze is recorded on.")
@click.option("--until", default=None, help="Frozen until (ISO 8601 date or time, UTC); default: until lifted.")
@click.option("--reason", default="", help="Why, e.g. the order's reference.")
@store_options
def freeze_add(target, amount, asset, request_id, case_id, until, reason, db, graph) -> None:
    """Record a freeze on TARGET (Account:<id> or Wallet:<address>)."""
    from casegraph import cases, freezes
    fid = freezes.record(_state(db, graph), cases.operator(), target, amount, asset, request_id=request_id,
                         case_id=case_id, until=_when("--until", until), reason=reason)
    echo(f"recorded freeze {fid} on {target}")


@freeze.command("lift")
@click.argument("freeze_id", type=int)
@click.option("--reason", required=True, help="Why the freeze is lifted.")
@store_options
def freeze_lift(freeze_id, reason, db, graph) -> None:
    """Lift a freeze."""
    from casegraph import cases, freezes
    freezes.lift(_state(db, graph), cases.operator(), freeze_id, reason)
    echo(f"lifted freeze {freeze_id}")


@freeze.command("list")
@click.option("--active", "active_only", is_flag=True, help="Only freezes in force now.")
@format_option
@store_options
def freeze_list(active_only, fmt, db, graph) -> None:
    """Freeze orders, oldest first."""
    from casegraph import freezes
    rows = [_times(f, "frozen_at", "until_at", "lifted_at") for f in
            freezes.list_freezes(_state(db, graph), active_only=active_only)]
    cols = ["id", "target", "amount", "asset", "request_id", "case_id", "until_at", "active", "frozen_by",
            "frozen_at", "lifted_by", "lifted_at", "lift_reason"]
    echo(render(rows, fmt, cols if fmt == "table" else None))

if __name__ == "__main__":  # pragma: no cover
    main()
