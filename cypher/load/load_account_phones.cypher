// title: Load account phones
// purpose: Link accounts to their Phone identifiers.
// mode: write
// param rows: list — validated rows, one map per input row: account_id, phone
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{account_id: "A000000001", phone: "x1"}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.source = $source, a.load_id = $load_id, a.loaded_at = $loaded_at
MERGE (p:Phone {phone: row.phone})
ON CREATE SET p.source = $source, p.load_id = $load_id, p.loaded_at = $loaded_at
MERGE (a)-[r:HAS_PHONE]->(p)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at
