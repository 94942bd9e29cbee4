// title: Money between two accounts
// purpose: Every internal transfer between two accounts, in both directions, oldest first, with amounts in their asset and in USD.
// mode: read
// param a: string — one account's id
// param b: string — the other account's id
// param limit: int = 1000 in 1..10000 — most transfers returned
// example: :params {a: "A000000001", b: "A000000002", limit: 1000}
MATCH (x:Account {account_id: $a})-[t:TRANSFERRED]-(y:Account {account_id: $b})
RETURN startNode(t).account_id AS from_account, endNode(t).account_id AS to_account, t.tx_id AS tx_id,
       t.at AS at, t.amount AS amount, t.asset AS asset, t.amount_usd AS amount_usd
ORDER BY at, tx_id
LIMIT $limit
