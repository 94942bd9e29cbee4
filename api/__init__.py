"""The HTTP API, /api/v1: the pre-transfer check, watchlists, model groups, alerts, cases,
evidence, saved queries and KPIs for other systems (docs/api.md). FastAPI: request and
response bodies are pydantic models, the OpenAPI 3.1 document is generated from them
(/api/v1/openapi.json; readable at /api/v1/docs and /api/v1/redoc, served from this
package, no CDN). Served by `casegraph api` (uvicorn, its own processes: casegraph/api/server.py).

Routes are thin: they check the caller (security.py), call the same core functions as the
CLI and the UI, and shape the answer."""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi_offline import FastAPIOffline

from casegraph import __version__
from casegraph.settings import Settings

PREFIX = "/api/v1"


def create_api(settings: Settings | None = None, workers: int = 1):
    from casegraph.api import errors, routes
    from casegraph.api.calls import AuditCalls
    from casegraph.api.context import Context
    from casegraph.api.limits import retry_after
    from casegraph.api.security import RateLimited

    ctx = Context(settings or Settings.load(), workers)

    @asynccontextmanager
    async def lifespan(_app):
        from starlette.concurrency import run_in_threadpool

        ctx.start_evidence_worker()
        await run_in_threadpool(ctx.warm)     # the transfer check's indexes, before the first request
        ctx.checks.freeze()   # the app's own objects and those indexes, out of the collector's reach
        yield
        ctx.close()           # writes the queued call entries before the process ends

    app = FastAPIOffline(
        title="casegraph API", version=__version__, lifespan=lifespan,
        description="The pre-transfer risk check, watchlists, model groups, alerts, cases, evidence "
                    "packages, saved queries and KPIs of casegraph. Authenticate with an API token "
                    "(`Authorization: Bearer ...`, from `casegraph token create`). Errors are "
                    "`{\"error\": {\"code\", \"message\"}}`.",
        openapi_url=f"{PREFIX}/openapi.json", docs_url=f"{PREFIX}/docs", redoc_url=f"{PREFIX}/redoc",
        static_url=f"{PREFIX}/docs-static", swagger_ui_oauth2_redirect_url=f"{PREFIX}/docs/oauth2-redirect")
    app.state.ctx = ctx
    errors.install(app)

    @app.exception_handler(RateLimited)
    async def _rate(_request, exc: RateLimited):
        return errors.respond(429, "rate_limited", str(exc), {"Retry-After": retry_after(exc.wait_s)})

    for router in routes.ROUTERS:
        app.include_router(router, prefix=PREFIX)
    app.add_middleware(AuditCalls, ctx=ctx)
    return app
