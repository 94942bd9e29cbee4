// title: Find an account
// purpose: An account and what is directly linked to it: identifiers, wallets, counterparties, reports, watchlists, groups.
// mode: read
// param account_id: string — the account's id
// param limit: int = 200 in 1..10000 — most links returned
// example: :params {account_id: "A000000001", limit: 200}
MATCH (a:Account {account_id: $account_id})
OPTIONAL MATCH (a)-[r]-(n)
RETURN a, r, n
LIMIT $limit
