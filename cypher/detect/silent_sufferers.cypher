// title: Silent sufferers
// purpose: Accounts that paid a watchlisted account or wallet (by internal transfer, by withdrawal, or by withdrawal then one on-chain hop), never filed a scam report and are not on a watchlist themselves (a listed account paying a listed one is a scammer moving money, not a victim); one row per payment.
// mode: read
// note: each branch starts from the (small) watchlists; WITH keeps planners from scanning every account first
// param min_amount_usd: float = 0 — ignore payments below this amount (USD); above 0, payments without a USD value are left out too
// example: :params {min_amount_usd: 0}
MATCH (l:Watchlist)<-[:LISTED_ON]-(s:Account)
WITH l, s
MATCH (s)<-[t:TRANSFERRED]-(v:Account)
WHERE NOT (v)-[:FILED]->(:ScamReport) AND NOT (v)-[:LISTED_ON]->(:Watchlist) AND coalesce(t.amount_usd, 0) >= $min_amount_usd
RETURN v.account_id AS account_id, 'transfer' AS route, s.account_id AS paid_to, t.tx_id AS tx,
       t.amount_usd AS amount_usd, t.amount AS amount, t.asset AS asset, t.at AS at, l.name AS watchlist
UNION ALL
MATCH (l:Watchlist)<-[:LISTED_ON]-(x:Wallet)
WITH l, x
MATCH (x)<-[w:WITHDREW]-(v:Account)
WHERE NOT (v)-[:FILED]->(:ScamReport) AND NOT (v)-[:LISTED_ON]->(:Watchlist) AND coalesce(w.amount_usd, 0) >= $min_amount_usd
RETURN v.account_id AS account_id, 'withdrawal' AS route, x.address AS paid_to, w.tx_id AS tx,
       w.amount_usd AS amount_usd, w.amount AS amount, w.asset AS asset, w.at AS at, l.name AS watchlist
UNION ALL
MATCH (l:Watchlist)<-[:LISTED_ON]-(x:Wallet)
WITH l, x
MATCH (x)<-[h:SENT]-(:Wallet)<-[:WITHDREW]-(v:Account)
WHERE NOT (v)-[:FILED]->(:ScamReport) AND NOT (v)-[:LISTED_ON]->(:Watchlist) AND coalesce(h.amount_usd, 0) >= $min_amount_usd
RETURN v.account_id AS account_id, 'on-chain hop' AS route, x.address AS paid_to, h.tx_hash AS tx,
       h.amount_usd AS amount_usd, h.amount AS amount, h.asset AS asset, h.at AS at, l.name AS watchlist
