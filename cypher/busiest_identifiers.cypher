// title: Identifiers shared by the most accounts
// purpose: Devices, IPs, phones, e-mails and KYC documents ranked by how many accounts use them, with when those accounts registered: device farms and reused documents near the top; carrier IPs and public Wi-Fi too (their sign-ups spread over months).
// mode: read
// note: reads every identifier relationship; on a large graph it runs for seconds, within the time limit
// param min_users: int = 3 in 2..1000000 — leave out identifiers with fewer accounts
// param limit: int = 100 in 1..10000 — most identifiers returned
// example: :params {min_users: 3, limit: 100}
MATCH (a:Account)-[:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]->(i)
WITH i, count(DISTINCT a) AS users, min(a.registered_at) AS first_signup_at, max(a.registered_at) AS last_signup_at
WHERE users >= $min_users
RETURN labels(i)[0] AS kind, coalesce(i.device_id, i.ip, i.phone, i.email, i.doc_id) AS identifier, users,
       first_signup_at, last_signup_at, (last_signup_at - first_signup_at) / 3600000.0 AS signup_span_hours
ORDER BY users DESC, identifier
LIMIT $limit
