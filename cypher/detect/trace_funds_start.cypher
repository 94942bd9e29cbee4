// title: Trace funds: start
// purpose: The account or wallet a fund trace starts from, with the wallet's label (an exchange hot wallet is a dead end); no row when it is not in the graph.
// mode: read
// param account_id: string = "" — the account to start from (empty: start from the wallet)
// param address: string = "" — the wallet to start from (empty: start from the account)
// example: :params {account_id: "A100000001", address: ""}
MATCH (a:Account {account_id: $account_id})
RETURN 'account' AS kind, a.account_id AS key, NULL AS label
UNION ALL
MATCH (x:Wallet {address: $address})
RETURN 'wallet' AS kind, x.address AS key, x.label AS label
