// title: Batch-registration rings: shared wallets
// purpose: Every wallet that 2..cap accounts withdrew to, and every wallet that funded (deposited into) 2..cap accounts; one row per wallet and direction with its accounts and their registration times (evidence for the rings detection).
// mode: read
// note: exchange hot wallets (label starting with $exchange_prefix) are dropped before their edges are expanded: half of all deposits and withdrawals touch them, and they never link accounts
// param max_per_wallet: int = 100 in 2.. — a wallet that more accounts withdrew to (or were funded from) than this is ignored
// param exchange_prefix: string = "exchange:" — wallets whose label starts with this are exchange hot wallets
// example: :params {max_per_wallet: 100, exchange_prefix: "exchange:"}
MATCH (w:Wallet)
WHERE w.label IS NULL OR NOT w.label STARTS WITH $exchange_prefix
MATCH (w)<-[:WITHDREW]-(a:Account)
WITH w, count(DISTINCT a) AS n
WHERE n >= 2 AND n <= $max_per_wallet
MATCH (w)<-[:WITHDREW]-(a:Account)
RETURN 'withdrawal wallet' AS kind, w.address AS value, n AS total,
       collect(DISTINCT {id: a.account_id, at: a.registered_at}) AS accounts
UNION ALL
MATCH (w:Wallet)
WHERE w.label IS NULL OR NOT w.label STARTS WITH $exchange_prefix
MATCH (w)-[:DEPOSITED]->(a:Account)
WITH w, count(DISTINCT a) AS n
WHERE n >= 2 AND n <= $max_per_wallet
MATCH (w)-[:DEPOSITED]->(a:Account)
RETURN 'funding wallet' AS kind, w.address AS value, n AS total,
       collect(DISTINCT {id: a.account_id, at: a.registered_at}) AS accounts
