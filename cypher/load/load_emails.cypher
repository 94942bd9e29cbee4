// title: Load e-mails
// purpose: Merge Email nodes by email with what an identifier table says about them: type, whether blocked, the earliest first_seen and the latest last_seen.
// mode: write
// param rows: list — validated rows, one map per input row: email, type, blocked, first_seen, last_seen
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{email: "a1@example.com", type: "disposable", blocked: true, first_seen: 1704103200000, last_seen: 1706781600000}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (e:Email {email: row.email})
ON CREATE SET e.source = $source, e.load_id = $load_id, e.loaded_at = $loaded_at,
              e.type = row.type,
              e.blocked = row.blocked,
              e.first_seen = row.first_seen,
              e.last_seen = row.last_seen
ON MATCH SET e.type = coalesce(row.type, e.type),
             e.blocked = coalesce(row.blocked, e.blocked),
             e.first_seen = CASE WHEN e.first_seen IS NULL OR row.first_seen < e.first_seen THEN row.first_seen ELSE e.first_seen END,
             e.last_seen = CASE WHEN e.last_seen IS NULL OR row.last_seen > e.last_seen THEN row.last_seen ELSE e.last_seen END
