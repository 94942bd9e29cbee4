// title: Load on-chain transfers
// purpose: Merge SENT relationships between wallets by tx_hash.
// mode: write
// param rows: list — validated rows, one map per input row: tx_hash, from_address, to_address, amount, amount_usd, usd_rate_day, asset, at, chain
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{tx_hash: "0xab", from_address: "0x00000000000000000000000000000000000000aa", to_address: "0x00000000000000000000000000000000000000bb", amount: 1.5, amount_usd: 3000.0, asset: "ETH", at: 1704103200000, chain: "ETH"}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (s:Wallet {address: row.from_address})
ON CREATE SET s.source = $source, s.load_id = $load_id, s.loaded_at = $loaded_at,
              s.chain = row.chain
ON MATCH SET s.chain = coalesce(s.chain, row.chain)
MERGE (t:Wallet {address: row.to_address})
ON CREATE SET t.source = $source, t.load_id = $load_id, t.loaded_at = $loaded_at,
              t.chain = row.chain
ON MATCH SET t.chain = coalesce(t.chain, row.chain)
MERGE (s)-[r:SENT {tx_hash: row.tx_hash}]->(t)
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
