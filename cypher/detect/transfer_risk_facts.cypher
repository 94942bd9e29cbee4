// title: Transfer risk: recipient facts
// purpose: For each pending transfer of a batch (one or up to a thousand): whether the sender and the recipient (an account or a wallet) exist, whether the recipient is an exchange hot wallet, and what the sender paid it before.
// mode: read
// note: give exactly one of recipient_account and recipient_wallet; all lookups are by key, so the check stays a few milliseconds (the watchlists' fingerprint, which rebuilds the cached indexes, is transfer_risk_watchlists)
// note: the recipient's lists, the scam reports against it and the listed identifiers either party used come from indexes kept in memory (scammer_links_seeds, transfer_risk_reports, transfer_risk_listed_identifiers): expanding them here cost four fifths of the query
// note: every pattern comprehension here has variables of its own (FalkorDB mixes up same-named variables of two comprehensions in one RETURN: the identifier lists came back empty)
// note: one row per check, `i` being the check's position in $checks (the API's batch form sends up to 1,000 in one query)
// param checks: list — the pending transfers: maps {i: position, sender: the paying account's id, recipient_account: the receiving account's id or '' (internal transfer), recipient_wallet: the receiving wallet's address or '' (withdrawal)}
// example: :params {checks: [{i: 0, sender: 'A100000001', recipient_account: 'A100000002', recipient_wallet: ''}]}
UNWIND $checks AS c
OPTIONAL MATCH (s:Account {account_id: c.sender})
OPTIONAL MATCH (ra:Account {account_id: c.recipient_account})
OPTIONAL MATCH (rw:Wallet {address: c.recipient_wallet})
WITH c, s, coalesce(ra, rw) AS r
RETURN c.i AS i, s IS NOT NULL AS sender_found, r IS NOT NULL AS recipient_found,
       CASE WHEN r IS NULL THEN NULL ELSE r.label END AS recipient_label,
       CASE WHEN r IS NULL OR s IS NULL THEN [] ELSE [(s)-[t:TRANSFERRED|WITHDREW]->(r) | [t.amount_usd, t.amount, t.asset]] END AS paid_before
