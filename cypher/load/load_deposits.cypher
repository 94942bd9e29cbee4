// title: Load deposits
// purpose: Merge DEPOSITED relationships from wallets into accounts by tx_id.
// mode: write
// param rows: list — validated rows, one map per input row: tx_id, address, account_id, amount, amount_usd, usd_rate_day, asset, at, tx_hash, chain
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{tx_id: "T2", address: "0x00000000000000000000000000000000000000aa", account_id: "A000000001", amount: 1.5, amount_usd: 3000.0, asset: "ETH", at: 1704103200000, tx_hash: "0xab", chain: "ETH"}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (w:Wallet {address: row.address})
ON CREATE SET w.source = $source, w.load_id = $load_id, w.loaded_at = $loaded_at,
              w.chain = row.chain
ON MATCH SET w.chain = coalesce(w.chain, row.chain)
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.source = $source, a.load_id = $load_id, a.loaded_at = $loaded_at
MERGE (w)-[r:DEPOSITED {tx_id: row.tx_id}]->(a)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at,
              r.amount = row.amount,
              r.amount_usd = row.amount_usd,
              r.usd_rate_day = row.usd_rate_day,
              r.asset = row.asset,
              r.at = row.at,
              r.tx_hash = row.tx_hash
ON MATCH SET r.amount = coalesce(row.amount, r.amount),
             r.amount_usd = coalesce(row.amount_usd, r.amount_usd),
             r.usd_rate_day = CASE WHEN row.amount_usd IS NULL THEN r.usd_rate_day ELSE row.usd_rate_day END,
             r.asset = coalesce(row.asset, r.asset),
             r.at = coalesce(row.at, r.at),
             r.tx_hash = coalesce(row.tx_hash, r.tx_hash)
