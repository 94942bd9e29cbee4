// title: Sign-ups in a period
// purpose: Accounts registered in a period (optionally from one country), oldest first, with how many devices and IPs each used: a burst of sign-ups on few devices is how batch registration looks.
// mode: read
// param since: time — the period's start (ISO date or time, inclusive)
// param until: time — the period's end (exclusive)
// param country: string = "" — only accounts of this country code; empty for every country
// param limit: int = 1000 in 1..10000 — most accounts returned
// example: :params {since: 1704067200000, until: 1704153600000, country: "", limit: 1000}
MATCH (a:Account)
WHERE a.registered_at >= $since AND a.registered_at < $until AND ($country = "" OR a.country = $country)
RETURN a.account_id AS account_id, a.registered_at AS registered_at, a.country AS country, a.kyc_level AS kyc_level,
       size([(a)-[:USED_DEVICE]->(d) | d]) AS devices, size([(a)-[:USED_IP]->(p) | p]) AS ips
ORDER BY registered_at, account_id
LIMIT $limit
