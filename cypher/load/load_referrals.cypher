// title: Load referrals
// purpose: Link each account to the account that referred it (REFERRED points from referrer to referee).
// mode: write
// param rows: list — validated rows, one map per input row: account_id, referred_by
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{account_id: "A000000002", referred_by: "A000000001"}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (referee:Account {account_id: row.account_id})
ON CREATE SET referee.source = $source, referee.load_id = $load_id, referee.loaded_at = $loaded_at
MERGE (referrer:Account {account_id: row.referred_by})
ON CREATE SET referrer.source = $source, referrer.load_id = $load_id, referrer.loaded_at = $loaded_at
MERGE (referrer)-[r:REFERRED]->(referee)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at
