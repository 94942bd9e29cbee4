// title: Scam report triage
// purpose: For each open scam report, the evidence on its suspect (account or wallet): other reports against it, watchlists, model groups, account age, money in and out, and accounts or wallets on a watchlist that it is linked to by money or by a shared device, phone, e-mail or document.
// mode: read
// note: starts from the (few) reports with a matching status; every OPTIONAL MATCH is one hop (FalkorDB 4.16 can bind part of a longer optional pattern); IPs are left out of the identifier links on purpose (carrier and office IPs are shared by strangers)
// param statuses: list = ["open", "investigating"] — report statuses to triage
// param max_shared: int = 25 — identifiers used by more accounts than this are not evidence of a link
// example: :params {statuses: ["open", "investigating"], max_shared: 25}
MATCH (reporter:Account)-[:FILED]->(r:ScamReport)-[:AGAINST]->(s)
WHERE r.status IN $statuses
OPTIONAL MATCH (s)<-[:AGAINST]-(o:ScamReport)
WHERE o <> r
WITH r, reporter, s, count(DISTINCT o) AS other_reports, sum(o.amount_usd) AS other_reported_usd,
     collect(CASE WHEN o.amount_usd IS NULL AND o.amount IS NOT NULL THEN [o.asset, o.amount] END) AS other_reported_assets
OPTIONAL MATCH (reporter)-[paid:TRANSFERRED|WITHDREW]->(s)
WITH r, reporter, s, other_reports, other_reported_usd, other_reported_assets, sum(paid.amount_usd) AS reporter_paid_usd,
     collect(CASE WHEN paid.amount_usd IS NULL THEN [paid.asset, paid.amount] END) AS reporter_paid_assets
OPTIONAL MATCH (s)-[:LISTED_ON]->(w:Watchlist)
WITH r, reporter, s, other_reports, other_reported_usd, other_reported_assets, reporter_paid_usd, reporter_paid_assets, collect(DISTINCT w.name) AS watchlists
OPTIONAL MATCH (s)-[:IN_GROUP]->(g:Group)
WITH r, reporter, s, other_reports, other_reported_usd, other_reported_assets, reporter_paid_usd, reporter_paid_assets, watchlists, collect(DISTINCT g.group_id) AS groups
OPTIONAL MATCH (s)<-[mi:TRANSFERRED|DEPOSITED|WITHDREW|SENT]-(src)
WITH r, reporter, s, other_reports, other_reported_usd, other_reported_assets, reporter_paid_usd, reporter_paid_assets, watchlists, groups,
     sum(mi.amount_usd) AS in_usd, collect(CASE WHEN mi.amount_usd IS NULL THEN [mi.asset, mi.amount] END) AS in_assets,
     count(mi) AS in_count, count(DISTINCT src) AS senders, min(mi.at) AS first_in_at
OPTIONAL MATCH (s)-[mo:TRANSFERRED|DEPOSITED|WITHDREW|SENT]->()
WITH r, reporter, s, other_reports, other_reported_usd, other_reported_assets, reporter_paid_usd, reporter_paid_assets, watchlists, groups, in_usd, in_assets, in_count, senders, first_in_at,
     sum(mo.amount_usd) AS out_usd, collect(CASE WHEN mo.amount_usd IS NULL THEN [mo.asset, mo.amount] END) AS out_assets,
     count(mo) AS out_count
OPTIONAL MATCH (s)-[:TRANSFERRED|DEPOSITED|WITHDREW|SENT]-(m)
OPTIONAL MATCH (m)-[:LISTED_ON]->(ml:Watchlist)
WITH r, reporter, s, other_reports, other_reported_usd, other_reported_assets, reporter_paid_usd, reporter_paid_assets, watchlists, groups, in_usd, in_assets, in_count, senders, first_in_at,
     out_usd, out_assets, out_count,
     collect(DISTINCT CASE WHEN ml IS NULL THEN NULL ELSE coalesce(m.account_id, m.address) END) AS money_links
OPTIONAL MATCH (s)-[:USED_DEVICE|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]->(i)
OPTIONAL MATCH (i)<-[:USED_DEVICE|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]-(x:Account)
WHERE x <> s
OPTIONAL MATCH (x)-[:LISTED_ON]->(xl:Watchlist)
WITH r, reporter, s, other_reports, other_reported_usd, other_reported_assets, reporter_paid_usd, reporter_paid_assets, watchlists, groups, in_usd, in_assets, in_count, senders, first_in_at,
     out_usd, out_assets, out_count, money_links, i, collect(DISTINCT x.account_id) AS sharers,
     collect(DISTINCT CASE WHEN xl IS NULL THEN NULL ELSE x.account_id END) AS listed_sharers
WITH r, reporter, s, other_reports, other_reported_usd, other_reported_assets, reporter_paid_usd, reporter_paid_assets, watchlists, groups, in_usd, in_assets, in_count, senders, first_in_at,
     out_usd, out_assets, out_count, money_links,
     collect(CASE WHEN i IS NULL OR size(sharers) = 0 OR size(sharers) > $max_shared THEN NULL
             ELSE {identifier: coalesce(i.device_id, i.phone, i.email, i.doc_id),
                   accounts: size(sharers),
                   listed: listed_sharers} END) AS shared
RETURN r.report_id AS report_id, r.status AS report_status, r.reported_at AS reported_at,
       r.amount_usd AS reported_usd, r.amount AS reported_amount, r.asset AS reported_asset,
       reporter.account_id AS reporter,
       coalesce(s.account_id, s.address) AS suspect,
       CASE WHEN s.account_id IS NULL THEN 'wallet' ELSE 'account' END AS suspect_kind,
       s.registered_at AS registered_at, s.status AS account_status, s.label AS wallet_label,
       other_reports, other_reported_usd, other_reported_assets, reporter_paid_usd, reporter_paid_assets, watchlists, groups,
       in_usd, in_assets, in_count, senders, first_in_at, out_usd, out_assets, out_count, money_links, shared
ORDER BY report_id
