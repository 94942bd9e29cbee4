// title: Exposure: money links
// purpose: The money edge list the exposure ranking walks: one row per pair of accounts and wallets, relationship type and direction (internal transfers, withdrawals, deposits, on-chain sends), aggregated in the database: how many links, their USD total, their mean time, and the amounts of links without a USD value.
// mode: read
// note: each row is ONE tab-separated string: rel, src, dst, n, usd, at, other. The edge list has a row per pair (some 1.6 million at 1,000,000 accounts), and the clients parse one string several times faster than seven values; Python splits it (casegraph/detections/exposure.py parse_money)
// note: rel says which labels src and dst carry: TRANSFERRED account to account, WITHDREW account to wallet, DEPOSITED wallet to account, SENT wallet to wallet; money moved from src to dst
// note: n counts the links, usd is the USD total of those with a USD value, at their mean time (epoch ms; empty when none has one), other the amounts of links without a USD value as asset:amount;...
// note: exchange hot wallets (label starting with $exchange_prefix) are left out before their links are expanded: half of all deposits and withdrawals touch them, and they link strangers
// param exchange_prefix: string = "exchange:" — wallets whose label starts with this are exchange hot wallets
// example: :params {exchange_prefix: "exchange:"}
MATCH (a:Account)-[r:TRANSFERRED]->(b:Account)
WITH a, b, count(r) AS n, sum(coalesce(r.amount_usd, 0.0)) AS usd, avg(r.at) AS at,
     collect(CASE WHEN r.amount_usd IS NULL THEN [r.asset, r.amount] END) AS other
RETURN 'TRANSFERRED\t' + a.account_id + '\t' + b.account_id + '\t' + toString(n) + '\t' + toString(usd) + '\t' +
       coalesce(toString(at), '') + '\t' +
       reduce(s = '', x IN other | s + coalesce(x[0], '?') + ':' + coalesce(toString(x[1]), '0') + ';') AS row
UNION ALL
MATCH (w:Wallet)
WHERE w.label IS NULL OR NOT w.label STARTS WITH $exchange_prefix
MATCH (w)<-[r:WITHDREW]-(a:Account)
WITH a, w, count(r) AS n, sum(coalesce(r.amount_usd, 0.0)) AS usd, avg(r.at) AS at,
     collect(CASE WHEN r.amount_usd IS NULL THEN [r.asset, r.amount] END) AS other
RETURN 'WITHDREW\t' + a.account_id + '\t' + w.address + '\t' + toString(n) + '\t' + toString(usd) + '\t' +
       coalesce(toString(at), '') + '\t' +
       reduce(s = '', x IN other | s + coalesce(x[0], '?') + ':' + coalesce(toString(x[1]), '0') + ';') AS row
UNION ALL
MATCH (w:Wallet)
WHERE w.label IS NULL OR NOT w.label STARTS WITH $exchange_prefix
MATCH (w)-[r:DEPOSITED]->(a:Account)
WITH w, a, count(r) AS n, sum(coalesce(r.amount_usd, 0.0)) AS usd, avg(r.at) AS at,
     collect(CASE WHEN r.amount_usd IS NULL THEN [r.asset, r.amount] END) AS other
RETURN 'DEPOSITED\t' + w.address + '\t' + a.account_id + '\t' + toString(n) + '\t' + toString(usd) + '\t' +
       coalesce(toString(at), '') + '\t' +
       reduce(s = '', x IN other | s + coalesce(x[0], '?') + ':' + coalesce(toString(x[1]), '0') + ';') AS row
UNION ALL
MATCH (w:Wallet)
WHERE w.label IS NULL OR NOT w.label STARTS WITH $exchange_prefix
MATCH (w)-[r:SENT]->(v:Wallet)
WHERE v.label IS NULL OR NOT v.label STARTS WITH $exchange_prefix
WITH w, v, count(r) AS n, sum(coalesce(r.amount_usd, 0.0)) AS usd, avg(r.at) AS at,
     collect(CASE WHEN r.amount_usd IS NULL THEN [r.asset, r.amount] END) AS other
RETURN 'SENT\t' + w.address + '\t' + v.address + '\t' + toString(n) + '\t' + toString(usd) + '\t' +
       coalesce(toString(at), '') + '\t' +
       reduce(s = '', x IN other | s + coalesce(x[0], '?') + ':' + coalesce(toString(x[1]), '0') + ';') AS row
