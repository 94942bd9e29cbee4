// title: Evidence: a wallet's money movements in a period
// purpose: For an evidence package about a wallet: its on-chain sends (both ways), deposits to accounts and withdrawals from accounts with at in [since, until), with the counterparty of each, oldest first.
// mode: read
// param key: string — the wallet address
// param since: time — start of the period (inclusive)
// param until: time — end of the period (exclusive)
// param limit: int = 5000 — most movements returned per direction
// example: :params {key: "0xd3745a9b4c70155f866a8b52442145544469b972", since: 1704067200000, until: 1767225600000, limit: 5000}
MATCH (a:Wallet {address: $key})-[r:SENT|DEPOSITED]->(b)
WHERE r.at >= $since AND r.at < $until
RETURN a, r, b
ORDER BY r.at
LIMIT $limit
UNION ALL
MATCH (a:Wallet {address: $key})<-[r:SENT|WITHDREW]-(b)
WHERE r.at >= $since AND r.at < $until
RETURN a, r, b
ORDER BY r.at
LIMIT $limit
