// title: Load watchlisted accounts
// purpose: Put accounts on a named watchlist (LISTED_ON with who listed them, why and when).
// mode: write
// param rows: list — validated rows, one map per input row: watchlist, account_id, list_source, reason, listed_at
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{watchlist: "internal", account_id: "A000000009", list_source: "fraud-team", reason: "confirmed scam", listed_at: 1704103200000}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (l:Watchlist {name: row.watchlist})
ON CREATE SET l.source = $source, l.load_id = $load_id, l.loaded_at = $loaded_at
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.source = $source, a.load_id = $load_id, a.loaded_at = $loaded_at
MERGE (a)-[r:LISTED_ON]->(l)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at,
              r.list_source = row.list_source,
              r.reason = row.reason,
              r.listed_at = row.listed_at
ON MATCH SET r.list_source = coalesce(row.list_source, r.list_source),
             r.reason = coalesce(row.reason, r.reason),
             r.listed_at = coalesce(row.listed_at, r.listed_at)
