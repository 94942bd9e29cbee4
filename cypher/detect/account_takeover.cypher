// title: Account takeover
// purpose: A device or IP first seen well after the account registered, followed within hours by a withdrawal to a wallet the account never used before (no earlier withdrawal to it, no earlier deposit from it); one row per (new identifier, withdrawal).
// mode: read
// note: starts from the withdrawals (far fewer than identifier links), keeps those with a late identifier first seen at most window_hours before; only then are earlier uses of the wallet counted
// note: times are epoch milliseconds; a hot wallet counts like any other wallet (an account that never used it before is still sending money somewhere new)
// param new_identifier_after_days: int = 7 — a device or IP is new when first seen at least this many days after the account registered
// param window_hours: int = 48 — the withdrawal must follow the new identifier's first_seen within this many hours
// param min_amount_usd: float = 0 — ignore withdrawals below this amount (USD)
// example: :params {new_identifier_after_days: 7, window_hours: 48, min_amount_usd: 0}
MATCH (a:Account)-[w:WITHDREW]->(x:Wallet)
WHERE w.at >= a.registered_at + $new_identifier_after_days * 86400000
  AND coalesce(w.amount_usd, 0) >= $min_amount_usd
WITH a, w, x
MATCH (a)-[u:USED_DEVICE|USED_IP]->(i)
WHERE u.first_seen >= a.registered_at + $new_identifier_after_days * 86400000
  AND u.first_seen <= w.at AND w.at <= u.first_seen + $window_hours * 3600000
OPTIONAL MATCH (a)-[e:WITHDREW]->(x)
WHERE e.at < w.at
WITH a, u, i, w, x, count(e) AS earlier_out
WHERE earlier_out = 0
OPTIONAL MATCH (a)<-[d:DEPOSITED]-(x)
WHERE d.at < w.at
WITH a, u, i, w, x, count(d) AS earlier_in
WHERE earlier_in = 0
RETURN a.account_id AS account_id, a.registered_at AS registered_at,
       type(u) AS link, coalesce(i.device_id, i.ip) AS identifier, u.first_seen AS first_seen,
       w.tx_id AS tx, w.amount_usd AS amount_usd, w.amount AS amount, w.asset AS asset, w.at AS at,
       x.address AS wallet, x.label AS wallet_label,
       $window_hours AS window_hours
