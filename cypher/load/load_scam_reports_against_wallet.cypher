// title: Link scam reports to accused wallets
// purpose: Merge AGAINST from a ScamReport to the wallet it accuses.
// mode: write
// param rows: list — validated rows, one map per input row: report_id, against_address
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{report_id: "R1", against_address: "0x00000000000000000000000000000000000000bb"}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (s:ScamReport {report_id: row.report_id})
ON CREATE SET s.source = $source, s.load_id = $load_id, s.loaded_at = $loaded_at
MERGE (t:Wallet {address: row.against_address})
ON CREATE SET t.source = $source, t.load_id = $load_id, t.loaded_at = $loaded_at
MERGE (s)-[r:AGAINST]->(t)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at
