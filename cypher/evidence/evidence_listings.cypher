// title: Evidence: watchlist listings and scam reports
// purpose: For an evidence package: the watchlists the given accounts and wallets are on, the scam reports filed against them, and the scam reports the accounts filed.
// mode: read
// param accounts: list = [] — account ids
// param wallets: list = [] — wallet addresses
// example: :params {accounts: ["A100000193"], wallets: ["0xd3745a9b4c70155f866a8b52442145544469b972"]}
UNWIND $accounts AS k
MATCH (a:Account {account_id: k})-[r:LISTED_ON]->(b:Watchlist)
RETURN a, r, b
UNION ALL
UNWIND $wallets AS k
MATCH (a:Wallet {address: k})-[r:LISTED_ON]->(b:Watchlist)
RETURN a, r, b
UNION ALL
UNWIND $accounts AS k
MATCH (a:Account {account_id: k})<-[r:AGAINST]-(b:ScamReport)
RETURN a, r, b
UNION ALL
UNWIND $wallets AS k
MATCH (a:Wallet {address: k})<-[r:AGAINST]-(b:ScamReport)
RETURN a, r, b
UNION ALL
UNWIND $accounts AS k
MATCH (a:Account {account_id: k})-[r:FILED]->(b:ScamReport)
RETURN a, r, b
