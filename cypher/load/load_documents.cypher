// title: Load documents
// purpose: Merge Document nodes by doc_id with what an identifier table says about them: doc_type, whether blocked, the earliest first_seen and the latest last_seen.
// mode: write
// param rows: list — validated rows, one map per input row: doc_id, doc_type, blocked, first_seen, last_seen
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{doc_id: "P12345678", doc_type: "passport", blocked: true, first_seen: 1704103200000, last_seen: 1706781600000}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (d:Document {doc_id: row.doc_id})
ON CREATE SET d.source = $source, d.load_id = $load_id, d.loaded_at = $loaded_at,
              d.doc_type = row.doc_type,
              d.blocked = row.blocked,
              d.first_seen = row.first_seen,
              d.last_seen = row.last_seen
ON MATCH SET d.doc_type = coalesce(row.doc_type, d.doc_type),
             d.blocked = coalesce(row.blocked, d.blocked),
             d.first_seen = CASE WHEN d.first_seen IS NULL OR row.first_seen < d.first_seen THEN row.first_seen ELSE d.first_seen END,
             d.last_seen = CASE WHEN d.last_seen IS NULL OR row.last_seen > d.last_seen THEN row.last_seen ELSE d.last_seen END
