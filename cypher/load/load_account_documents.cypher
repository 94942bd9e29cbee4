// title: Load account documents
// purpose: Link accounts to the KYC documents they submitted.
// mode: write
// param rows: list — validated rows, one map per input row: account_id, doc_id, doc_type
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{account_id: "A000000001", doc_id: "P12345678", doc_type: "passport"}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.source = $source, a.load_id = $load_id, a.loaded_at = $loaded_at
MERGE (d:Document {doc_id: row.doc_id})
ON CREATE SET d.source = $source, d.load_id = $load_id, d.loaded_at = $loaded_at,
              d.doc_type = row.doc_type
ON MATCH SET d.doc_type = coalesce(row.doc_type, d.doc_type)
MERGE (a)-[r:HAS_DOCUMENT]->(d)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at
