// title: Mules
// purpose: Accounts that receive internal transfers from many distinct senders; one row per candidate with its inflows and its outflows (transfers out and withdrawals), so the caller can measure how much was sent on within the window.
// mode: read
// note: the fan-in aggregation runs first and keeps only accounts with enough distinct senders; WITH keeps planners from expanding outflows of every account
// param min_senders: int = 5 — fewest distinct accounts that must have transferred to the candidate
// param window_hours: int = 48 — an outflow counts as forwarding only money received at most this many hours before it
// param min_forward_ratio: float = 0.8 — least share of the received amount (within one active period) sent on within the window
// example: :params {min_senders: 5, window_hours: 48, min_forward_ratio: 0.8}
MATCH (s:Account)-[t:TRANSFERRED]->(m:Account)
WHERE s <> m
WITH m, count(DISTINCT s) AS senders,
     collect({from: s.account_id, tx: t.tx_id, at: t.at, amount_usd: t.amount_usd, amount: t.amount, asset: t.asset}) AS inflows
WHERE senders >= $min_senders
WITH m, senders, inflows
OPTIONAL MATCH (m)-[o:TRANSFERRED]->(r:Account)
WITH m, senders, inflows,
     collect(CASE WHEN o IS NULL THEN NULL
             ELSE {to: r.account_id, route: 'transfer', tx: o.tx_id, at: o.at, amount_usd: o.amount_usd, amount: o.amount, asset: o.asset} END) AS transfers_out
OPTIONAL MATCH (m)-[w:WITHDREW]->(x:Wallet)
WITH m, senders, inflows, transfers_out,
     collect(CASE WHEN w IS NULL THEN NULL
             ELSE {to: x.address, route: 'withdrawal', tx: w.tx_id, at: w.at, amount_usd: w.amount_usd, amount: w.amount, asset: w.asset} END) AS withdrawals
WHERE size(transfers_out) + size(withdrawals) > 0
RETURN m.account_id AS account_id, senders, inflows, transfers_out + withdrawals AS outflows,
       $window_hours AS window_hours, $min_forward_ratio AS min_forward_ratio, $min_senders AS min_senders
