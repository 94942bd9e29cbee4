// title: Transfer risk: scam reports by target
// purpose: Every scam report with the account or wallet it was made against: the transfer check keeps them in memory (rebuilt when the reports' count or newest load time changes), so a check needs no expansion of its own.
// mode: read
// example: :params {}
MATCH (p:ScamReport)-[:AGAINST]->(x)
RETURN labels(x)[0] AS label, coalesce(x.account_id, x.address) AS key, p.report_id AS report_id, p.status AS status,
       p.amount_usd AS amount_usd, p.amount AS amount, p.asset AS asset
