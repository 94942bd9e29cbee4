// title: Transfer risk: recipient facts
// purpose: For one pending transfer, what is known about its recipient (an account or a wallet): the watchlists it is on, scam reports against it, whether it is an exchange hot wallet, and what the sender paid it before.
// mode: read
// note: give exactly one of recipient_account and recipient_wallet; all lookups are by key, so the check stays a few milliseconds; listed/listed_loaded_at fingerprint the watchlists (the cached exposure index is rebuilt when they change)
// param sender: string — the paying account's id
// param recipient_account: string = '' — the receiving account's id (internal transfer)
// param recipient_wallet: string = '' — the receiving wallet's address (withdrawal)
// example: :params {sender: 'A100000001', recipient_account: 'A100000002', recipient_wallet: ''}
OPTIONAL MATCH (:Watchlist)<-[wl:LISTED_ON]-()
WITH count(wl) AS listed, max(wl.loaded_at) AS listed_loaded_at
OPTIONAL MATCH (s:Account {account_id: $sender})
OPTIONAL MATCH (ra:Account {account_id: $recipient_account})
OPTIONAL MATCH (rw:Wallet {address: $recipient_wallet})
WITH listed, listed_loaded_at, s, coalesce(ra, rw) AS r
RETURN listed, listed_loaded_at, s IS NOT NULL AS sender_found, r IS NOT NULL AS recipient_found,
       CASE WHEN r IS NULL THEN NULL ELSE r.label END AS recipient_label,
       CASE WHEN r IS NULL THEN [] ELSE [(r)-[l:LISTED_ON]->(w:Watchlist) |
            {watchlist: w.name, list_source: l.list_source, reason: l.reason}] END AS lists,
       CASE WHEN r IS NULL THEN [] ELSE [(p:ScamReport)-[:AGAINST]->(r) |
            {report_id: p.report_id, status: p.status, amount_usd: p.amount_usd, amount: p.amount, asset: p.asset}] END AS reports,
       CASE WHEN r IS NULL OR s IS NULL THEN [] ELSE [(s)-[t:TRANSFERRED|WITHDREW]->(r) | [t.amount_usd, t.amount, t.asset]] END AS paid_before
