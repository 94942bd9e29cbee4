// title: Load IPs
// purpose: Merge IP nodes by ip with what an identifier table says about them: type, whether blocked, the earliest first_seen and the latest last_seen.
// mode: write
// param rows: list — validated rows, one map per input row: ip, type, blocked, first_seen, last_seen
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{ip: "203.0.113.7", type: "datacenter", blocked: true, first_seen: 1704103200000, last_seen: 1706781600000}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (i:IP {ip: row.ip})
ON CREATE SET i.source = $source, i.load_id = $load_id, i.loaded_at = $loaded_at,
              i.type = row.type,
              i.blocked = row.blocked,
              i.first_seen = row.first_seen,
              i.last_seen = row.last_seen
ON MATCH SET i.type = coalesce(row.type, i.type),
             i.blocked = coalesce(row.blocked, i.blocked),
             i.first_seen = CASE WHEN i.first_seen IS NULL OR row.first_seen < i.first_seen THEN row.first_seen ELSE i.first_seen END,
             i.last_seen = CASE WHEN i.last_seen IS NULL OR row.last_seen > i.last_seen THEN row.last_seen ELSE i.last_seen END
