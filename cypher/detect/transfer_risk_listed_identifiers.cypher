// title: Transfer risk: listed identifiers and their users
// purpose: Every listed identifier (device, IP, phone, e-mail, document on a watchlist) with its list, who listed it and why, and the accounts that used or have it: the transfer check keeps this in memory with its exposure index (rebuilt when the watchlists change), so a check needs no identifier expansion of its own.
// mode: read
// note: starts from the watchlists (a handful of nodes), never from the accounts: each step is its own MATCH after a WITH, because FalkorDB 4.16 planned the one-pattern form as a scan of every account (15.6 s on the 1M-account sample, 2 ms like this); an identifier nobody uses has no row (it can link nobody)
// example: :params {}
MATCH (w:Watchlist)
WITH w
MATCH (w)<-[l:LISTED_ON]-(i)
WHERE NOT i:Account AND NOT i:Wallet
WITH w, l, i
MATCH (i)<-[:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]-(a:Account)
WITH labels(i)[0] AS label, coalesce(i.device_id, i.ip, i.phone, i.email, i.doc_id) AS key, w.name AS watchlist,
     l.list_source AS list_source, l.reason AS reason, a.account_id AS account_id
RETURN label, key, watchlist, list_source, reason, collect(DISTINCT account_id) AS users
