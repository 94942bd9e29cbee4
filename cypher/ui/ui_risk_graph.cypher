// title: UI: risk facts in the graph
// purpose: For the given accounts, wallets and identifiers, how many watchlists each is on and (accounts) how many scam reports it filed, for the explorer's risk colouring.
// mode: read
// param accounts: list = [] — account ids
// param wallets: list = [] — wallet addresses
// param devices: list = [] — device ids
// param ips: list = [] — IP addresses
// param phones: list = [] — phone numbers
// param emails: list = [] — e-mail addresses
// param documents: list = [] — document ids
// param context: list = [] — vendor label categories that mark a wallet without flagging it (exchange): not counted
// example: :params {accounts: ["A100000001"], wallets: ["0xabc"], devices: ["x1"], ips: [], phones: [], emails: [], documents: [], context: ["exchange"]}
UNWIND $accounts AS key
MATCH (a:Account {account_id: key})
OPTIONAL MATCH (a)-[:LISTED_ON]->(l:Watchlist)
WITH a, key, count(l) AS lists
OPTIONAL MATCH (a)-[:FILED]->(r:ScamReport)
RETURN 'Account' AS label, key, lists, count(r) AS filed
UNION ALL
UNWIND $wallets AS key
MATCH (w:Wallet {address: key})
OPTIONAL MATCH (w)-[r:LISTED_ON]->(l:Watchlist)
WHERE r.category IS NULL OR NOT r.category IN $context
RETURN 'Wallet' AS label, key, count(l) AS lists, 0 AS filed
UNION ALL
UNWIND $devices AS key
MATCH (i:Device {device_id: key})
OPTIONAL MATCH (i)-[:LISTED_ON]->(l:Watchlist)
RETURN 'Device' AS label, key, count(l) AS lists, 0 AS filed
UNION ALL
UNWIND $ips AS key
MATCH (i:IP {ip: key})
OPTIONAL MATCH (i)-[:LISTED_ON]->(l:Watchlist)
RETURN 'IP' AS label, key, count(l) AS lists, 0 AS filed
UNION ALL
UNWIND $phones AS key
MATCH (i:Phone {phone: key})
OPTIONAL MATCH (i)-[:LISTED_ON]->(l:Watchlist)
RETURN 'Phone' AS label, key, count(l) AS lists, 0 AS filed
UNION ALL
UNWIND $emails AS key
MATCH (i:Email {email: key})
OPTIONAL MATCH (i)-[:LISTED_ON]->(l:Watchlist)
RETURN 'Email' AS label, key, count(l) AS lists, 0 AS filed
UNION ALL
UNWIND $documents AS key
MATCH (i:Document {doc_id: key})
OPTIONAL MATCH (i)-[:LISTED_ON]->(l:Watchlist)
RETURN 'Document' AS label, key, count(l) AS lists, 0 AS filed
