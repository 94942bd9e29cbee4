"""Every page of the UI, declared once: its path, its name in the nav bar (in this order),
its title, the prefix of its component ids (app/ids.py), and the action a role needs to
open it and to run its callbacks (casegraph.permissions). Pages register themselves from
here (`dash.register_page(__name__, **site.register(__name__))`), the nav bar lists them
from here, and app/auth.py guards them from here."""
from __future__ import annotations

from dataclasses import dataclass

from casegraph import permissions


@dataclass(frozen=True)
class Page:
    module: str          # the file in app/pages/
    path: str
    name: str            # the nav bar's text
    title: str           # the browser tab's
    prefix: str          # every component id of the page starts with it
    action: str          # what a role needs to open the page and run its callbacks


PAGES: tuple[Page, ...] = (
    Page("search", "/", "Search", "casegraph: search", "search-", "view_graph"),
    Page("explorer", "/explorer", "Explorer", "casegraph: explorer", "explore-", "view_graph"),
    Page("alerts", "/alerts", "Alerts", "casegraph: alerts", "alerts-", "view_alerts"),
    Page("queries", "/queries", "Saved queries", "casegraph: saved queries", "queries-", "run_saved_query"),
    Page("cases", "/cases", "Cases", "casegraph: cases", "cases-", "view_cases"),
    Page("requests", "/requests", "Requests", "casegraph: law-enforcement requests", "requests-", "view_requests"),
    Page("evidence", "/evidence", "Evidence", "casegraph: evidence", "evidence-", "export_evidence"),
    Page("kpis", "/kpis", "KPIs", "casegraph: KPIs", "kpis-", "view_kpis"),
    Page("audit", "/audit", "Audit", "casegraph: audit log", "audit-", "view_audit"),
)
# component ids outside every page: the shell (nav, login) and Dash's page router, open to
# any logged-in user (page layouts themselves are guarded by app.auth.guard_layout)
SHELL_PREFIXES = ("shell-", "_pages_")

for _p in PAGES:
    permissions.allowed("admin", _p.action)      # an unknown action fails at import, not at request time


def page(module: str) -> Page:
    """The page declared for a module of app/pages/ (its dotted name or its file name)."""
    short = module.rsplit(".", 1)[-1]
    for p in PAGES:
        if p.module == short:
            return p
    raise LookupError(f"app/pages/{short}.py is not declared in casegraph.app.site.PAGES")


def register(module: str) -> dict:
    """dash.register_page's arguments for the page module `module`."""
    p = page(module)
    return {"path": p.path, "name": p.name, "title": p.title, "order": PAGES.index(p)}


def page_actions() -> dict[str, str]:
    """path -> the action its page needs."""
    return {p.path: p.action for p in PAGES}


def prefix_actions() -> dict[str, str | None]:
    """component-id prefix -> the action its page needs (None: any logged-in user)."""
    return {p.prefix: p.action for p in PAGES} | dict.fromkeys(SHELL_PREFIXES)
