// title: Transfer risk: fingerprint of what the check keeps in memory
// purpose: How many watchlist entries and scam reports there are and when the newest of each was loaded or (vendor labels) changed: the transfer check rebuilds its in-memory indexes when these change (read at most every quarter second per process, not per check).
// mode: read
// example: :params {}
OPTIONAL MATCH (:Watchlist)<-[wl:LISTED_ON]-()
WITH count(wl) AS listed, max(coalesce(wl.changed_at, wl.loaded_at)) AS listed_loaded_at
OPTIONAL MATCH (p:ScamReport)-[:AGAINST]->()
RETURN listed, listed_loaded_at, count(p) AS reports, max(p.loaded_at) AS reports_loaded_at
