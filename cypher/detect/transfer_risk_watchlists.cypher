// title: Transfer risk: watchlists' fingerprint
// purpose: How many watchlist entries there are and when the newest was loaded: the transfer check rebuilds its in-memory indexes when either changes (read at most every quarter second per process, not per check).
// mode: read
// example: :params {}
OPTIONAL MATCH (:Watchlist)<-[wl:LISTED_ON]-()
RETURN count(wl) AS listed, max(wl.loaded_at) AS listed_loaded_at
