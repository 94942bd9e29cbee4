// title: UI: risk facts in the graph
// purpose: For the given accounts and wallets, how many watchlists each is on and (accounts) how many scam reports it filed, for the explorer's risk colouring.
// mode: read
// param accounts: list = [] — account ids
// param wallets: list = [] — wallet addresses
// example: :params {accounts: ["A100000001"], wallets: ["0xabc"]}
UNWIND $accounts AS key
MATCH (a:Account {account_id: key})
OPTIONAL MATCH (a)-[:LISTED_ON]->(l:Watchlist)
WITH a, key, count(l) AS lists
OPTIONAL MATCH (a)-[:FILED]->(r:ScamReport)
RETURN 'Account' AS label, key, lists, count(r) AS filed
UNION ALL
UNWIND $wallets AS key
MATCH (w:Wallet {address: key})
OPTIONAL MATCH (w)-[:LISTED_ON]->(l:Watchlist)
RETURN 'Wallet' AS label, key, count(l) AS lists, 0 AS filed
