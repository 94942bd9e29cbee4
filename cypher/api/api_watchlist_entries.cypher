// title: API: watchlist entries, one page
// purpose: The entries of one watchlist or of all (what is listed, by whom, why and since when, and the load or API call that listed it), in watchlist, label and key order so that pages are stable.
// mode: read
// param watchlist: string = "" — the watchlist's name; empty for every watchlist
// param skip: int = 0 — entries to skip (the page start)
// param limit: int = 100 — most entries returned
// example: :params {watchlist: "internal", skip: 0, limit: 100}
MATCH (x)-[r:LISTED_ON]->(w:Watchlist)
WHERE $watchlist = "" OR w.name = $watchlist
WITH w, r, labels(x)[0] AS label,
     coalesce(x.account_id, x.address, x.device_id, x.ip, x.phone, x.email, x.doc_id) AS key
RETURN w.name AS watchlist, label, key, r.list_source AS list_source, r.reason AS reason,
       r.listed_at AS listed_at, r.source AS source, r.loaded_at AS loaded_at,
       r.category AS category, r.entity AS entity, r.confidence AS confidence
ORDER BY watchlist, label, key
SKIP $skip LIMIT $limit
