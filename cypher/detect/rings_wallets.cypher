// title: Batch-registration rings: shared wallets
// purpose: Every wallet that 2..cap accounts withdrew to, and every wallet that funded (deposited into) 2..cap accounts; one row per wallet and direction with its accounts, their registration times, and per account the first and last movement and how many (evidence for the rings detection: a cash-out wallet that fresh accounts withdrew to, a wallet that seeded them once, or one that pays them every month like payroll).
// mode: read
// note: flagged counts the watchlists and scam reports that name a withdrawal wallet: accounts paying a known scam wallet are its victims, not a ring
// note: exchange hot wallets (label starting with $exchange_prefix) are dropped before their edges are expanded: half of all deposits and withdrawals touch them, and they never link accounts
// param max_per_wallet: int = 100 in 2.. — a wallet that more accounts withdrew to (or were funded from) than this is ignored
// param exchange_prefix: string = "exchange:" — wallets whose label starts with this are exchange hot wallets
// example: :params {max_per_wallet: 100, exchange_prefix: "exchange:"}
MATCH (w:Wallet)
WHERE w.label IS NULL OR NOT w.label STARTS WITH $exchange_prefix
MATCH (w)<-[:WITHDREW]-(a:Account)
WITH w, count(DISTINCT a) AS n
WHERE n >= 2 AND n <= $max_per_wallet
MATCH (w)<-[m:WITHDREW]-(a:Account)
WITH w, n, a, min(m.at) AS first, max(m.at) AS last, count(m) AS times
WITH w, n, collect({id: a.account_id, at: a.registered_at, first: first, last: last, n: times}) AS accounts
OPTIONAL MATCH (w)-[:LISTED_ON]->(l:Watchlist)
WITH w, n, accounts, count(l) AS lists
OPTIONAL MATCH (r:ScamReport)-[:AGAINST]->(w)
WITH w, n, accounts, lists, count(r) AS reports
RETURN 'withdrawal wallet' AS kind, w.address AS value, n AS total, accounts, lists + reports AS flagged
UNION ALL
MATCH (w:Wallet)
WHERE w.label IS NULL OR NOT w.label STARTS WITH $exchange_prefix
MATCH (w)-[:DEPOSITED]->(a:Account)
WITH w, count(DISTINCT a) AS n
WHERE n >= 2 AND n <= $max_per_wallet
MATCH (w)-[m:DEPOSITED]->(a:Account)
WITH w, n, a, min(m.at) AS first, max(m.at) AS last, count(m) AS times
RETURN 'funding wallet' AS kind, w.address AS value, n AS total,
       collect({id: a.account_id, at: a.registered_at, first: first, last: last, n: times}) AS accounts,
       0 AS flagged
