// title: Load scam reports
// purpose: Merge ScamReport nodes and the FILED link from the reporting account.
// mode: write
// param rows: list — validated rows, one map per input row: report_id, reporter_id, reported_at, amount, amount_usd, usd_rate_day, asset, status
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{report_id: "R1", reporter_id: "A000000001", reported_at: 1704103200000, amount: 500.0, amount_usd: 500.0, asset: "USDT", status: "open"}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (a:Account {account_id: row.reporter_id})
ON CREATE SET a.source = $source, a.load_id = $load_id, a.loaded_at = $loaded_at
MERGE (s:ScamReport {report_id: row.report_id})
ON CREATE SET s.source = $source, s.load_id = $load_id, s.loaded_at = $loaded_at,
              s.reported_at = row.reported_at,
              s.amount = row.amount,
              s.amount_usd = row.amount_usd,
              s.usd_rate_day = row.usd_rate_day,
              s.asset = row.asset,
              s.status = row.status
ON MATCH SET s.reported_at = coalesce(row.reported_at, s.reported_at),
             s.amount = coalesce(row.amount, s.amount),
             s.amount_usd = coalesce(row.amount_usd, s.amount_usd),
             s.usd_rate_day = CASE WHEN row.amount_usd IS NULL THEN s.usd_rate_day ELSE row.usd_rate_day END,
             s.asset = coalesce(row.asset, s.asset),
             s.status = coalesce(row.status, s.status)
MERGE (a)-[r:FILED]->(s)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at
