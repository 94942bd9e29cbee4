// title: Load internal transfers
// purpose: Merge TRANSFERRED relationships between accounts by tx_id.
// mode: write
// param rows: list — validated rows, one map per input row: tx_id, from_account, to_account, amount, amount_usd, usd_rate_day, asset, at
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{tx_id: "T1", from_account: "A000000001", to_account: "A000000002", amount: 100.0, amount_usd: 100.0, asset: "USDT", at: 1704103200000}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (s:Account {account_id: row.from_account})
ON CREATE SET s.source = $source, s.load_id = $load_id, s.loaded_at = $loaded_at
MERGE (t:Account {account_id: row.to_account})
ON CREATE SET t.source = $source, t.load_id = $load_id, t.loaded_at = $loaded_at
MERGE (s)-[r:TRANSFERRED {tx_id: row.tx_id}]->(t)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at,
              r.amount = row.amount,
              r.amount_usd = row.amount_usd,
              r.usd_rate_day = row.usd_rate_day,
              r.asset = row.asset,
              r.at = row.at
ON MATCH SET r.amount = coalesce(row.amount, r.amount),
             r.amount_usd = coalesce(row.amount_usd, r.amount_usd),
             r.usd_rate_day = CASE WHEN row.amount_usd IS NULL THEN r.usd_rate_day ELSE row.usd_rate_day END,
             r.asset = coalesce(row.asset, r.asset),
             r.at = coalesce(row.at, r.at)
