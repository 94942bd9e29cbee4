"""One router per capability; ROUTERS is what the app includes."""
from casegraph.api.routes import (alerts, cases, evidence, freezes, groups, kpis, meta, queries, requests, transfers,
                                  watchlists)

ROUTERS = [meta.router, transfers.router, watchlists.router, groups.router, alerts.router, cases.router,
           evidence.router, queries.router, kpis.router, requests.router, freezes.router]
