// title: Load watchlisted wallets
// purpose: Put wallets on a named watchlist (LISTED_ON with who listed them, why and when).
// mode: write
// param rows: list — validated rows, one map per input row: watchlist, address, list_source, reason, listed_at
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{watchlist: "law-enforcement", address: "0x00000000000000000000000000000000000000bb", list_source: "agency request", reason: "scam cash-out", listed_at: 1704103200000}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (l:Watchlist {name: row.watchlist})
ON CREATE SET l.source = $source, l.load_id = $load_id, l.loaded_at = $loaded_at
MERGE (w:Wallet {address: row.address})
ON CREATE SET w.source = $source, w.load_id = $load_id, w.loaded_at = $loaded_at
MERGE (w)-[r:LISTED_ON]->(l)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at,
              r.list_source = row.list_source,
              r.reason = row.reason,
              r.listed_at = row.listed_at
ON MATCH SET r.list_source = coalesce(row.list_source, r.list_source),
             r.reason = coalesce(row.reason, r.reason),
             r.listed_at = coalesce(row.listed_at, r.listed_at)
