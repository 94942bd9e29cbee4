// title: Scammer links: one walk step
// purpose: One level of the breadth-first walk around watchlisted entities: for the frontier (accounts, wallets, identifiers) return every neighbour across money links (internal transfers, withdrawals, deposits, on-chain sends) and shared identifiers, with how many links and how much USD they carried (and, as [asset, amount] pairs, the amounts of links without a USD value).
// mode: read
// note: one row per (frontier node, relationship type, direction, neighbour); outgoing is true when the relationship points from the frontier node to the neighbour
// note: supernodes are not walked through: exchange hot wallets (label exchange:...) and identifiers used by more than max_shared accounts return nothing; the caller drops accounts and wallets with too many money links (it sees them all here)
// note: with targets 'listed' IPs are matched from the (few) watchlisted accounts instead: a carrier IP's thousands of users are then never counted (the check behind a pending transfer stays fast)
// note: every branch follows one direction (undirected and degree patterns cost several times more in FalkorDB), and finds its start node by key before a WITH so the planner cannot start from a label scan
// param accounts: list = [] — account ids to expand
// param wallets: list = [] — wallet addresses to expand
// param devices: list = [] — device ids to expand
// param ips: list = [] — IP addresses to expand
// param phones: list = [] — phone numbers to expand
// param emails: list = [] — e-mail addresses to expand
// param documents: list = [] — document ids to expand
// param max_shared: int = 25 — identifiers used by more accounts than this are not walked through
// param targets: string = all — 'all' neighbours, only 'accounts', or only 'listed' (watchlisted) neighbours
// param with_lists: bool = false — also return the watchlists each neighbour is on
// example: :params {accounts: ['A100000001'], wallets: [], devices: [], ips: [], phones: [], emails: [], documents: [], max_shared: 25, targets: 'all', with_lists: false}
UNWIND $accounts AS key
MATCH (a:Account {account_id: key})
WITH a, key
MATCH (a)-[r:TRANSFERRED|WITHDREW]->(b)
WHERE ($targets = 'all' OR ($targets = 'accounts' AND b:Account)
       OR ($targets = 'listed' AND (b)-[:LISTED_ON]->(:Watchlist)))
WITH key, type(r) AS rel, b, count(r) AS n, sum(coalesce(r.amount_usd, 0.0)) AS usd,
     collect(CASE WHEN r.amount_usd IS NULL THEN [r.asset, r.amount] END) AS other
RETURN 'Account' AS src_label, key AS src, rel, true AS outgoing, labels(b)[0] AS dst_label,
       coalesce(b.account_id, b.address) AS dst, n, usd, other,
       CASE WHEN $with_lists THEN [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] ELSE [] END AS dst_lists
UNION ALL
UNWIND $accounts AS key
MATCH (a:Account {account_id: key})
WITH a, key
MATCH (a)<-[r:TRANSFERRED|DEPOSITED]-(b)
WHERE ($targets = 'all' OR ($targets = 'accounts' AND b:Account)
       OR ($targets = 'listed' AND (b)-[:LISTED_ON]->(:Watchlist)))
WITH key, type(r) AS rel, b, count(r) AS n, sum(coalesce(r.amount_usd, 0.0)) AS usd,
     collect(CASE WHEN r.amount_usd IS NULL THEN [r.asset, r.amount] END) AS other
RETURN 'Account' AS src_label, key AS src, rel, false AS outgoing, labels(b)[0] AS dst_label,
       coalesce(b.account_id, b.address) AS dst, n, usd, other,
       CASE WHEN $with_lists THEN [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] ELSE [] END AS dst_lists
UNION ALL
UNWIND $wallets AS key
MATCH (a:Wallet {address: key})
WHERE NOT coalesce(a.label, '') STARTS WITH 'exchange:'
WITH a, key
MATCH (a)-[r:SENT|DEPOSITED]->(b)
WHERE ($targets = 'all' OR ($targets = 'accounts' AND b:Account)
       OR ($targets = 'listed' AND (b)-[:LISTED_ON]->(:Watchlist)))
WITH key, type(r) AS rel, b, count(r) AS n, sum(coalesce(r.amount_usd, 0.0)) AS usd,
     collect(CASE WHEN r.amount_usd IS NULL THEN [r.asset, r.amount] END) AS other
RETURN 'Wallet' AS src_label, key AS src, rel, true AS outgoing, labels(b)[0] AS dst_label,
       coalesce(b.account_id, b.address) AS dst, n, usd, other,
       CASE WHEN $with_lists THEN [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] ELSE [] END AS dst_lists
UNION ALL
UNWIND $wallets AS key
MATCH (a:Wallet {address: key})
WHERE NOT coalesce(a.label, '') STARTS WITH 'exchange:'
WITH a, key
MATCH (a)<-[r:SENT|WITHDREW]-(b)
WHERE ($targets = 'all' OR ($targets = 'accounts' AND b:Account)
       OR ($targets = 'listed' AND (b)-[:LISTED_ON]->(:Watchlist)))
WITH key, type(r) AS rel, b, count(r) AS n, sum(coalesce(r.amount_usd, 0.0)) AS usd,
     collect(CASE WHEN r.amount_usd IS NULL THEN [r.asset, r.amount] END) AS other
RETURN 'Wallet' AS src_label, key AS src, rel, false AS outgoing, labels(b)[0] AS dst_label,
       coalesce(b.account_id, b.address) AS dst, n, usd, other,
       CASE WHEN $with_lists THEN [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] ELSE [] END AS dst_lists
UNION ALL
UNWIND $accounts AS key
WITH key WHERE $targets = 'all'
MATCH (a:Account {account_id: key})
WITH a, key
MATCH (a)-[r:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]->(b)
WITH key, type(r) AS rel, b, count(r) AS n
RETURN 'Account' AS src_label, key AS src, rel, true AS outgoing, labels(b)[0] AS dst_label,
       coalesce(b.device_id, b.ip, b.phone, b.email, b.doc_id) AS dst, n, 0.0 AS usd, [] AS other, [] AS dst_lists
UNION ALL
UNWIND $devices AS key
MATCH (i:Device {device_id: key})
WITH i, key
MATCH (i)<-[:USED_DEVICE]-(c:Account)
WITH key, collect(c) AS users
WHERE size(users) <= $max_shared
UNWIND users AS b
WITH key, b
WHERE ($targets <> 'listed' OR (b)-[:LISTED_ON]->(:Watchlist))
RETURN 'Device' AS src_label, key AS src, 'USED_DEVICE' AS rel, false AS outgoing, 'Account' AS dst_label,
       b.account_id AS dst, 1 AS n, 0.0 AS usd, [] AS other,
       CASE WHEN $with_lists THEN [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] ELSE [] END AS dst_lists
UNION ALL
UNWIND $ips AS key
WITH key WHERE $targets <> 'listed'
MATCH (i:IP {ip: key})
WITH i, key
MATCH (i)<-[:USED_IP]-(c:Account)
WITH key, collect(c) AS users
WHERE size(users) <= $max_shared
UNWIND users AS b
WITH key, b
WHERE ($targets <> 'listed' OR (b)-[:LISTED_ON]->(:Watchlist))
RETURN 'IP' AS src_label, key AS src, 'USED_IP' AS rel, false AS outgoing, 'Account' AS dst_label,
       b.account_id AS dst, 1 AS n, 0.0 AS usd, [] AS other,
       CASE WHEN $with_lists THEN [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] ELSE [] END AS dst_lists
UNION ALL
UNWIND $phones AS key
MATCH (i:Phone {phone: key})
WITH i, key
MATCH (i)<-[:HAS_PHONE]-(c:Account)
WITH key, collect(c) AS users
WHERE size(users) <= $max_shared
UNWIND users AS b
WITH key, b
WHERE ($targets <> 'listed' OR (b)-[:LISTED_ON]->(:Watchlist))
RETURN 'Phone' AS src_label, key AS src, 'HAS_PHONE' AS rel, false AS outgoing, 'Account' AS dst_label,
       b.account_id AS dst, 1 AS n, 0.0 AS usd, [] AS other,
       CASE WHEN $with_lists THEN [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] ELSE [] END AS dst_lists
UNION ALL
UNWIND $emails AS key
MATCH (i:Email {email: key})
WITH i, key
MATCH (i)<-[:HAS_EMAIL]-(c:Account)
WITH key, collect(c) AS users
WHERE size(users) <= $max_shared
UNWIND users AS b
WITH key, b
WHERE ($targets <> 'listed' OR (b)-[:LISTED_ON]->(:Watchlist))
RETURN 'Email' AS src_label, key AS src, 'HAS_EMAIL' AS rel, false AS outgoing, 'Account' AS dst_label,
       b.account_id AS dst, 1 AS n, 0.0 AS usd, [] AS other,
       CASE WHEN $with_lists THEN [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] ELSE [] END AS dst_lists
UNION ALL
UNWIND $documents AS key
MATCH (i:Document {doc_id: key})
WITH i, key
MATCH (i)<-[:HAS_DOCUMENT]-(c:Account)
WITH key, collect(c) AS users
WHERE size(users) <= $max_shared
UNWIND users AS b
WITH key, b
WHERE ($targets <> 'listed' OR (b)-[:LISTED_ON]->(:Watchlist))
RETURN 'Document' AS src_label, key AS src, 'HAS_DOCUMENT' AS rel, false AS outgoing, 'Account' AS dst_label,
       b.account_id AS dst, 1 AS n, 0.0 AS usd, [] AS other,
       CASE WHEN $with_lists THEN [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] ELSE [] END AS dst_lists
UNION ALL
MATCH (:Watchlist)<-[:LISTED_ON]-(b:Account)
WHERE $targets = 'listed'
WITH DISTINCT b
MATCH (b)-[:USED_IP]->(i:IP)
WHERE i.ip IN $ips
WITH b, i, size([(i)<-[:USED_IP]-() | 1]) AS users
WHERE users <= $max_shared
RETURN 'IP' AS src_label, i.ip AS src, 'USED_IP' AS rel, false AS outgoing, 'Account' AS dst_label,
       b.account_id AS dst, 1 AS n, 0.0 AS usd, [] AS other,
       CASE WHEN $with_lists THEN [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] ELSE [] END AS dst_lists
