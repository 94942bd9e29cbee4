// title: Scammer links: watchlisted seeds
// purpose: Every watchlisted entity (account, wallet, or identifier: device, IP, phone, e-mail, document) with the lists it is on; the starting points of the scammer-links walk (one row per entity and list).
// mode: read
// note: an account that used a listed device or IP, or has a listed phone, e-mail or document, is then one hop from the list (the walk's first level from the identifier), as long as the identifier is used by at most max_shared accounts
// note: a vendor label (watchlist vendor:<category>) also has its category, entity and confidence (null for other lists)
// example: :params {}
MATCH (w:Watchlist)<-[l:LISTED_ON]-(x)
RETURN labels(x)[0] AS label,
       coalesce(x.account_id, x.address, x.device_id, x.ip, x.phone, x.email, x.doc_id) AS key, w.name AS watchlist,
       l.list_source AS list_source, l.reason AS reason, l.listed_at AS listed_at,
       l.category AS category, l.entity AS entity, l.confidence AS confidence
