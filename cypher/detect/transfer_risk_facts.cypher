// title: Transfer risk: recipient facts
// purpose: For each pending transfer of a batch (one or up to a thousand), what is known about its recipient (an account or a wallet): the watchlists it is on, scam reports against it, whether it is an exchange hot wallet, what the sender paid it before, and the listed identifiers the sender and the recipient used or have.
// mode: read
// note: give exactly one of recipient_account and recipient_wallet; all lookups are by key, so the check stays a few milliseconds; listed/listed_loaded_at fingerprint the watchlists (the cached exposure index is rebuilt when they change)
// note: sender_identifiers / recipient_identifiers: the listed identifiers (device, IP, phone, e-mail, document) the sender or the recipient account used or has, one entry per identifier and list (one more indexed expansion per side; how many accounts share one is asked only when there is one: transfer_risk_identifier_users)
// note: every pattern comprehension here has variables of its own (FalkorDB mixes up same-named variables of two comprehensions in one RETURN: the identifier lists came back empty)
// note: one row per check, `i` being the check's position in $checks (the API's batch form sends up to 1,000 in one query)
// param checks: list — the pending transfers: maps {i: position, sender: the paying account's id, recipient_account: the receiving account's id or '' (internal transfer), recipient_wallet: the receiving wallet's address or '' (withdrawal)}
// example: :params {checks: [{i: 0, sender: 'A100000001', recipient_account: 'A100000002', recipient_wallet: ''}]}
OPTIONAL MATCH (:Watchlist)<-[wl:LISTED_ON]-()
WITH count(wl) AS listed, max(wl.loaded_at) AS listed_loaded_at
UNWIND $checks AS c
OPTIONAL MATCH (s:Account {account_id: c.sender})
OPTIONAL MATCH (ra:Account {account_id: c.recipient_account})
OPTIONAL MATCH (rw:Wallet {address: c.recipient_wallet})
WITH listed, listed_loaded_at, c, s, coalesce(ra, rw) AS r
RETURN c.i AS i, listed, listed_loaded_at, s IS NOT NULL AS sender_found, r IS NOT NULL AS recipient_found,
       CASE WHEN r IS NULL THEN NULL ELSE r.label END AS recipient_label,
       CASE WHEN r IS NULL THEN [] ELSE [(r)-[l:LISTED_ON]->(w:Watchlist) |
            {watchlist: w.name, list_source: l.list_source, reason: l.reason}] END AS lists,
       CASE WHEN r IS NULL THEN [] ELSE [(p:ScamReport)-[:AGAINST]->(r) |
            {report_id: p.report_id, status: p.status, amount_usd: p.amount_usd, amount: p.amount, asset: p.asset}] END AS reports,
       CASE WHEN r IS NULL OR s IS NULL THEN [] ELSE [(s)-[t:TRANSFERRED|WITHDREW]->(r) | [t.amount_usd, t.amount, t.asset]] END AS paid_before,
       CASE WHEN s IS NULL THEN [] ELSE
            [(s)-[:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]->(si)-[sl:LISTED_ON]->(sw:Watchlist) |
             {label: labels(si)[0], key: coalesce(si.device_id, si.ip, si.phone, si.email, si.doc_id),
              watchlist: sw.name, list_source: sl.list_source, reason: sl.reason}] END
            AS sender_identifiers,
       CASE WHEN r IS NULL THEN [] ELSE
            [(r)-[:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]->(ri)-[rl:LISTED_ON]->(rw2:Watchlist) |
             {label: labels(ri)[0], key: coalesce(ri.device_id, ri.ip, ri.phone, ri.email, ri.doc_id),
              watchlist: rw2.name, list_source: rl.list_source, reason: rl.reason}] END
            AS recipient_identifiers
