// title: Load account IP use
// purpose: Link accounts to the IP identifiers they used, keeping the earliest first_seen, the latest last_seen and the given count.
// mode: write
// param rows: list — validated rows, one map per input row: account_id, ip, first_seen, last_seen, count
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{account_id: "A000000001", ip: "x1", first_seen: 1704103200000, last_seen: 1706781600000, count: 12}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.source = $source, a.load_id = $load_id, a.loaded_at = $loaded_at
MERGE (i:IP {ip: row.ip})
ON CREATE SET i.source = $source, i.load_id = $load_id, i.loaded_at = $loaded_at
MERGE (a)-[r:USED_IP]->(i)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at,
              r.first_seen = row.first_seen,
              r.last_seen = row.last_seen,
              r.count = row.count
ON MATCH SET r.first_seen = CASE WHEN r.first_seen IS NULL OR row.first_seen < r.first_seen THEN row.first_seen ELSE r.first_seen END,
             r.last_seen = CASE WHEN r.last_seen IS NULL OR row.last_seen > r.last_seen THEN row.last_seen ELSE r.last_seen END,
             r.count = coalesce(row.count, r.count)
