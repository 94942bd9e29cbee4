// title: Load account Device use
// purpose: Link accounts to the Device identifiers they used, keeping the earliest first_seen, the latest last_seen and the given count.
// mode: write
// param rows: list — validated rows, one map per input row: account_id, device_id, first_seen, last_seen, count
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{account_id: "A000000001", device_id: "x1", first_seen: 1704103200000, last_seen: 1706781600000, count: 12}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.source = $source, a.load_id = $load_id, a.loaded_at = $loaded_at
MERGE (d:Device {device_id: row.device_id})
ON CREATE SET d.source = $source, d.load_id = $load_id, d.loaded_at = $loaded_at
MERGE (a)-[r:USED_DEVICE]->(d)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at,
              r.first_seen = row.first_seen,
              r.last_seen = row.last_seen,
              r.count = row.count
ON MATCH SET r.first_seen = CASE WHEN r.first_seen IS NULL OR row.first_seen < r.first_seen THEN row.first_seen ELSE r.first_seen END,
             r.last_seen = CASE WHEN r.last_seen IS NULL OR row.last_seen > r.last_seen THEN row.last_seen ELSE r.last_seen END,
             r.count = coalesce(row.count, r.count)
