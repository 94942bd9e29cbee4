// title: Scammer links: one walk step
// purpose: One level of the breadth-first walk around watchlisted entities: for the frontier (accounts, wallets, identifiers) return every neighbour across money links (internal transfers, withdrawals, deposits, on-chain sends) and shared identifiers, with how many links and how much USD they carried.
// mode: read
// note: supernodes are never walked through: wallets labelled exchange:..., identifiers used by more than max_shared accounts, and accounts or wallets with more than max_degree money links (unless in exempt, e.g. the watchlisted seeds)
// note: one row per (frontier node, relationship type, direction, neighbour); outgoing is true when the relationship points from the frontier node to the neighbour
// param accounts: list = [] — account ids to expand
// param wallets: list = [] — wallet addresses to expand
// param devices: list = [] — device ids to expand
// param ips: list = [] — IP addresses to expand
// param phones: list = [] — phone numbers to expand
// param emails: list = [] — e-mail addresses to expand
// param documents: list = [] — document ids to expand
// param max_shared: int = 25 — identifiers used by more accounts than this are not walked through
// param max_degree: int = 500 — accounts and wallets with more money links than this are not walked through
// param exempt: list = [] — account ids and addresses walked through whatever their degree
// param targets: string = all — 'all' neighbours, only 'accounts', or only 'listed' (watchlisted) neighbours
// example: :params {accounts: ['A100000001'], wallets: [], devices: [], ips: [], phones: [], emails: [], documents: [], max_shared: 25, max_degree: 500, exempt: [], targets: 'all'}
UNWIND $accounts AS key
MATCH (a:Account {account_id: key})
WITH a, key, size([(a)-[:TRANSFERRED|WITHDREW|DEPOSITED]-() | 1]) AS degree
WHERE degree <= $max_degree OR key IN $exempt
MATCH (a)-[r:TRANSFERRED|WITHDREW|DEPOSITED|USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]-(b)
WHERE b <> a AND ($targets = 'all' OR ($targets = 'accounts' AND b:Account)
                  OR ($targets = 'listed' AND (b)-[:LISTED_ON]->(:Watchlist)))
WITH key, type(r) AS rel, startNode(r) = a AS outgoing, b, count(r) AS n, sum(coalesce(r.amount_usd, 0.0)) AS usd
RETURN 'Account' AS src_label, key AS src, rel, outgoing, labels(b)[0] AS dst_label,
       coalesce(b.account_id, b.address, b.device_id, b.ip, b.phone, b.email, b.doc_id) AS dst, n, usd,
       [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] AS dst_lists
UNION ALL
UNWIND $wallets AS key
MATCH (w:Wallet {address: key})
WHERE NOT coalesce(w.label, '') STARTS WITH 'exchange:'
WITH w, key, size([(w)-[:SENT|WITHDREW|DEPOSITED]-() | 1]) AS degree
WHERE degree <= $max_degree OR key IN $exempt
MATCH (w)-[r:SENT|WITHDREW|DEPOSITED]-(b)
WHERE b <> w AND ($targets = 'all' OR ($targets = 'accounts' AND b:Account)
                  OR ($targets = 'listed' AND (b)-[:LISTED_ON]->(:Watchlist)))
WITH key, type(r) AS rel, startNode(r) = w AS outgoing, b, count(r) AS n, sum(coalesce(r.amount_usd, 0.0)) AS usd
RETURN 'Wallet' AS src_label, key AS src, rel, outgoing, labels(b)[0] AS dst_label,
       coalesce(b.account_id, b.address) AS dst, n, usd,
       [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] AS dst_lists
UNION ALL
UNWIND $devices AS key
MATCH (i:Device {device_id: key})
WITH i, key, size([(i)<-[:USED_DEVICE]-() | 1]) AS degree
WHERE degree <= $max_shared
MATCH (i)<-[r:USED_DEVICE]-(b:Account)
WHERE $targets <> 'listed' OR (b)-[:LISTED_ON]->(:Watchlist)
RETURN 'Device' AS src_label, key AS src, 'USED_DEVICE' AS rel, false AS outgoing, 'Account' AS dst_label,
       b.account_id AS dst, count(r) AS n, 0.0 AS usd, [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] AS dst_lists
UNION ALL
UNWIND $ips AS key
MATCH (i:IP {ip: key})
WITH i, key, size([(i)<-[:USED_IP]-() | 1]) AS degree
WHERE degree <= $max_shared
MATCH (i)<-[r:USED_IP]-(b:Account)
WHERE $targets <> 'listed' OR (b)-[:LISTED_ON]->(:Watchlist)
RETURN 'IP' AS src_label, key AS src, 'USED_IP' AS rel, false AS outgoing, 'Account' AS dst_label,
       b.account_id AS dst, count(r) AS n, 0.0 AS usd, [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] AS dst_lists
UNION ALL
UNWIND $phones AS key
MATCH (i:Phone {phone: key})
WITH i, key, size([(i)<-[:HAS_PHONE]-() | 1]) AS degree
WHERE degree <= $max_shared
MATCH (i)<-[r:HAS_PHONE]-(b:Account)
WHERE $targets <> 'listed' OR (b)-[:LISTED_ON]->(:Watchlist)
RETURN 'Phone' AS src_label, key AS src, 'HAS_PHONE' AS rel, false AS outgoing, 'Account' AS dst_label,
       b.account_id AS dst, count(r) AS n, 0.0 AS usd, [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] AS dst_lists
UNION ALL
UNWIND $emails AS key
MATCH (i:Email {email: key})
WITH i, key, size([(i)<-[:HAS_EMAIL]-() | 1]) AS degree
WHERE degree <= $max_shared
MATCH (i)<-[r:HAS_EMAIL]-(b:Account)
WHERE $targets <> 'listed' OR (b)-[:LISTED_ON]->(:Watchlist)
RETURN 'Email' AS src_label, key AS src, 'HAS_EMAIL' AS rel, false AS outgoing, 'Account' AS dst_label,
       b.account_id AS dst, count(r) AS n, 0.0 AS usd, [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] AS dst_lists
UNION ALL
UNWIND $documents AS key
MATCH (i:Document {doc_id: key})
WITH i, key, size([(i)<-[:HAS_DOCUMENT]-() | 1]) AS degree
WHERE degree <= $max_shared
MATCH (i)<-[r:HAS_DOCUMENT]-(b:Account)
WHERE $targets <> 'listed' OR (b)-[:LISTED_ON]->(:Watchlist)
RETURN 'Document' AS src_label, key AS src, 'HAS_DOCUMENT' AS rel, false AS outgoing, 'Account' AS dst_label,
       b.account_id AS dst, count(r) AS n, 0.0 AS usd, [(b)-[:LISTED_ON]->(l:Watchlist) | l.name] AS dst_lists
