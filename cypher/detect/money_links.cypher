// title: Money links (typologies)
// purpose: Every money movement between accounts and wallets that are not exchange hot wallets: internal transfers, withdrawals, deposits and on-chain sends, one row per movement; the typology detections (cycles, fan_in, fan_out, scatter_gather, layering) do their graph work in Python on these rows.
// mode: read
// note: movements to or from an exchange hot wallet (label starting with $exchange_prefix) are left out: a hot wallet pools the money of millions of users, so money going into it and money coming out of it are not the same money; every branch drops hot wallets before expanding their edges (they hold a third of all deposits and withdrawals)
// note: at is epoch milliseconds; value is the USD value (amount_usd) when there is one, else the amount in its asset
// note: k packs three short fields into one column (reading rows is most of the time at a million accounts, and it grows with the columns): the kind, T (transfer), W (withdrawal), D (deposit) or S (on-chain send); then the asset when the value is not in USD (empty when it is); a space; then the tx id (the tx hash of an on-chain send)
// param exchange_prefix: string = "exchange:" — wallets whose label starts with this are exchange hot wallets
// example: :params {exchange_prefix: "exchange:"}
MATCH (a:Account)-[r:TRANSFERRED]->(b:Account)
RETURN a.account_id AS src, b.account_id AS dst, r.at AS at, coalesce(r.amount_usd, r.amount) AS value,
       'T' + CASE WHEN r.amount_usd IS NOT NULL THEN ''
              WHEN trim(coalesce(r.asset, '')) = '' THEN '?' ELSE replace(trim(r.asset), ' ', '_') END + ' ' + coalesce(r.tx_id, '') AS k
UNION ALL
MATCH (w:Wallet)
WHERE w.label IS NULL OR NOT w.label STARTS WITH $exchange_prefix
WITH w
MATCH (a:Account)-[r:WITHDREW]->(w)
RETURN a.account_id AS src, w.address AS dst, r.at AS at, coalesce(r.amount_usd, r.amount) AS value,
       'W' + CASE WHEN r.amount_usd IS NOT NULL THEN ''
              WHEN trim(coalesce(r.asset, '')) = '' THEN '?' ELSE replace(trim(r.asset), ' ', '_') END + ' ' + coalesce(r.tx_id, '') AS k
UNION ALL
MATCH (w:Wallet)
WHERE w.label IS NULL OR NOT w.label STARTS WITH $exchange_prefix
WITH w
MATCH (w)-[r:DEPOSITED]->(a:Account)
RETURN w.address AS src, a.account_id AS dst, r.at AS at, coalesce(r.amount_usd, r.amount) AS value,
       'D' + CASE WHEN r.amount_usd IS NOT NULL THEN ''
              WHEN trim(coalesce(r.asset, '')) = '' THEN '?' ELSE replace(trim(r.asset), ' ', '_') END + ' ' + coalesce(r.tx_id, '') AS k
UNION ALL
MATCH (w:Wallet)
WHERE w.label IS NULL OR NOT w.label STARTS WITH $exchange_prefix
WITH w
MATCH (w)-[r:SENT]->(x:Wallet)
WHERE x.label IS NULL OR NOT x.label STARTS WITH $exchange_prefix
RETURN w.address AS src, x.address AS dst, r.at AS at, coalesce(r.amount_usd, r.amount) AS value,
       'S' + CASE WHEN r.amount_usd IS NOT NULL THEN ''
              WHEN trim(coalesce(r.asset, '')) = '' THEN '?' ELSE replace(trim(r.asset), ' ', '_') END + ' ' + coalesce(r.tx_hash, '') AS k
