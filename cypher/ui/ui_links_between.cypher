// title: UI: what links a set of accounts
// purpose: For accounts opened together (a ring's members, an alert's entities): every identifier or wallet that two or more of them share, with their relationships to it, and the transfers and referrals between them.
// mode: read
// note: starts from the given accounts by key; only their own relationships are read, so a hot wallet they share costs as many links as they have with it, never the wallet's whole neighbourhood
// param keys: list — account ids
// param max_links: int = 50 — most relationships returned per shared identifier or wallet
// example: :params {keys: ["A100000001", "A100000002"], max_links: 50}
UNWIND $keys AS k
MATCH (a:Account {account_id: k})-[r:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT|WITHDREW]->(x)
WITH x, collect(DISTINCT a) AS accounts, collect(r) AS rs
WHERE size(accounts) > 1
RETURN x, accounts, rs[0..$max_links] AS rs
UNION ALL
UNWIND $keys AS k
MATCH (a:Account {account_id: k})<-[r:DEPOSITED]-(x:Wallet)
WITH x, collect(DISTINCT a) AS accounts, collect(r) AS rs
WHERE size(accounts) > 1
RETURN x, accounts, rs[0..$max_links] AS rs
UNION ALL
UNWIND $keys AS k
MATCH (a:Account {account_id: k})-[r:TRANSFERRED|REFERRED]->(x:Account)
WHERE x.account_id IN $keys
RETURN x, [a] AS accounts, [r] AS rs
