// title: Scammer links: watchlisted seeds
// purpose: Every watchlisted account and wallet with the lists it is on; the starting points of the scammer-links walk (one row per entity and list).
// mode: read
// example: :params {}
MATCH (w:Watchlist)<-[l:LISTED_ON]-(x)
RETURN CASE WHEN x:Account THEN 'Account' ELSE 'Wallet' END AS label,
       coalesce(x.account_id, x.address) AS key, w.name AS watchlist,
       l.list_source AS list_source, l.reason AS reason, l.listed_at AS listed_at
