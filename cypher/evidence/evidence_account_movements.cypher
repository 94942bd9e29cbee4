// title: Evidence: an account's money movements in a period
// purpose: For an evidence package about an account: its internal transfers (both ways), withdrawals and deposits with at in [since, until), with the counterparty of each, oldest first.
// mode: read
// param key: string — the account id
// param since: time — start of the period (inclusive)
// param until: time — end of the period (exclusive)
// param limit: int = 5000 — most movements returned per direction
// example: :params {key: "A100000001", since: 1704067200000, until: 1767225600000, limit: 5000}
MATCH (a:Account {account_id: $key})-[r:TRANSFERRED|WITHDREW]->(b)
WHERE r.at >= $since AND r.at < $until
RETURN a, r, b
ORDER BY r.at
LIMIT $limit
UNION ALL
MATCH (a:Account {account_id: $key})<-[r:TRANSFERRED|DEPOSITED]-(b)
WHERE r.at >= $since AND r.at < $until
RETURN a, r, b
ORDER BY r.at
LIMIT $limit
