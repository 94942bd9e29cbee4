// title: Load watchlisted devices
// purpose: Put Device identifiers on a named watchlist (LISTED_ON with who listed them, why and when); an account that used or has a listed identifier is then one hop from the list.
// mode: write
// param rows: list — validated rows, one map per input row: watchlist, device_id, list_source, reason, listed_at
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{watchlist: "internal-blocklist", device_id: "x1", list_source: "fraud team", reason: "used by scam accounts", listed_at: 1704103200000}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (l:Watchlist {name: row.watchlist})
ON CREATE SET l.source = $source, l.load_id = $load_id, l.loaded_at = $loaded_at
MERGE (x:Device {device_id: row.device_id})
ON CREATE SET x.source = $source, x.load_id = $load_id, x.loaded_at = $loaded_at
MERGE (x)-[r:LISTED_ON]->(l)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at,
              r.list_source = row.list_source,
              r.reason = row.reason,
              r.listed_at = row.listed_at
ON MATCH SET r.list_source = coalesce(row.list_source, r.list_source),
             r.reason = coalesce(row.reason, r.reason),
             r.listed_at = coalesce(row.listed_at, r.listed_at)
