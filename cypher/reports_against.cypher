// title: Scam reports against an account or wallet
// purpose: The scam reports made against one account or wallet address, newest first, with who filed them, the amount lost and the report's status.
// mode: read
// param key: string — the account's id or the wallet's address
// param limit: int = 500 in 1..10000 — most reports returned
// example: :params {key: "0xabc", limit: 500}
MATCH (p:ScamReport)-[:AGAINST]->(x)
WHERE x.account_id = $key OR x.address = $key
OPTIONAL MATCH (victim:Account)-[:FILED]->(p)
RETURN p.report_id AS report_id, p.reported_at AS reported_at, victim.account_id AS filed_by, p.amount AS amount,
       p.asset AS asset, p.amount_usd AS amount_usd, p.status AS status, labels(x)[0] AS against
ORDER BY reported_at DESC, report_id
LIMIT $limit
