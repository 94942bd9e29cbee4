// title: Load phones
// purpose: Merge Phone nodes by phone with what an identifier table says about them: type, whether blocked, the earliest first_seen and the latest last_seen.
// mode: write
// param rows: list — validated rows, one map per input row: phone, type, blocked, first_seen, last_seen
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{phone: "+441234567890", type: "voip", blocked: true, first_seen: 1704103200000, last_seen: 1706781600000}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (p:Phone {phone: row.phone})
ON CREATE SET p.source = $source, p.load_id = $load_id, p.loaded_at = $loaded_at,
              p.type = row.type,
              p.blocked = row.blocked,
              p.first_seen = row.first_seen,
              p.last_seen = row.last_seen
ON MATCH SET p.type = coalesce(row.type, p.type),
             p.blocked = coalesce(row.blocked, p.blocked),
             p.first_seen = CASE WHEN p.first_seen IS NULL OR row.first_seen < p.first_seen THEN row.first_seen ELSE p.first_seen END,
             p.last_seen = CASE WHEN p.last_seen IS NULL OR row.last_seen > p.last_seen THEN row.last_seen ELSE p.last_seen END
