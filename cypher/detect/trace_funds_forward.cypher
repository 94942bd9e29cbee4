// title: Trace funds: one hop forward
// purpose: For each account and wallet on the trace frontier, the money movements that leave it strictly after the money arrived there (transfers and withdrawals out of accounts, deposits and on-chain sends out of wallets); one row per movement.
// mode: read
// note: one hop of the level-by-level walk in casegraph/detections/trace_funds.py; each frontier item is {key, at} with at = when the traced money arrived (epoch ms)
// note: accounts and wallets come in separate lists so each branch starts from an index lookup
// param accounts: list = [] — frontier accounts, [{key: account_id, at: epoch ms}]
// param wallets: list = [] — frontier wallets, [{key: address, at: epoch ms}]
// param since: time = 0 — ignore movements before this time
// param until: time = 4102444800000 — ignore movements after this time
// param min_amount_usd: float = 0 — ignore movements below this amount (USD)
// example: :params {accounts: [{key: "A100000001", at: 0}], wallets: [], since: 0, until: 4102444800000, min_amount_usd: 0}
UNWIND $accounts AS f
MATCH (a:Account {account_id: f.key})-[t:TRANSFERRED]->(b:Account)
WHERE t.at > f.at AND t.at >= $since AND t.at <= $until AND coalesce(t.amount_usd, 0) >= $min_amount_usd
RETURN 'account' AS src_kind, f.key AS src, 'account' AS dst_kind, b.account_id AS dst, NULL AS dst_label,
       'TRANSFERRED' AS rel, t.tx_id AS tx, t.amount_usd AS amount_usd, t.amount AS amount, t.asset AS asset, t.at AS at
UNION ALL
UNWIND $accounts AS f
MATCH (a:Account {account_id: f.key})-[w:WITHDREW]->(x:Wallet)
WHERE w.at > f.at AND w.at >= $since AND w.at <= $until AND coalesce(w.amount_usd, 0) >= $min_amount_usd
RETURN 'account' AS src_kind, f.key AS src, 'wallet' AS dst_kind, x.address AS dst, x.label AS dst_label,
       'WITHDREW' AS rel, w.tx_id AS tx, w.amount_usd AS amount_usd, w.amount AS amount, w.asset AS asset, w.at AS at
UNION ALL
UNWIND $wallets AS f
MATCH (y:Wallet {address: f.key})-[d:DEPOSITED]->(b:Account)
WHERE d.at > f.at AND d.at >= $since AND d.at <= $until AND coalesce(d.amount_usd, 0) >= $min_amount_usd
RETURN 'wallet' AS src_kind, f.key AS src, 'account' AS dst_kind, b.account_id AS dst, NULL AS dst_label,
       'DEPOSITED' AS rel, d.tx_id AS tx, d.amount_usd AS amount_usd, d.amount AS amount, d.asset AS asset, d.at AS at
UNION ALL
UNWIND $wallets AS f
MATCH (y:Wallet {address: f.key})-[s:SENT]->(x:Wallet)
WHERE s.at > f.at AND s.at >= $since AND s.at <= $until AND coalesce(s.amount_usd, 0) >= $min_amount_usd
RETURN 'wallet' AS src_kind, f.key AS src, 'wallet' AS dst_kind, x.address AS dst, x.label AS dst_label,
       'SENT' AS rel, s.tx_hash AS tx, s.amount_usd AS amount_usd, s.amount AS amount, s.asset AS asset, s.at AS at
