// title: Load account emails
// purpose: Link accounts to their Email identifiers.
// mode: write
// param rows: list — validated rows, one map per input row: account_id, email
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{account_id: "A000000001", email: "x1"}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.source = $source, a.load_id = $load_id, a.loaded_at = $loaded_at
MERGE (e:Email {email: row.email})
ON CREATE SET e.source = $source, e.load_id = $load_id, e.loaded_at = $loaded_at
MERGE (a)-[r:HAS_EMAIL]->(e)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at
