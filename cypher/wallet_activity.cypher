// title: Who paid and was paid by a wallet
// purpose: For one wallet address, the accounts that withdrew to it and that it deposited into, and the wallets it sent to or received from on-chain, each with the number of movements, the USD total and the first and last time.
// mode: read
// param address: string — the wallet's address
// param limit: int = 500 in 1..10000 — most counterparties returned
// example: :params {address: "0xabc", limit: 500}
MATCH (w:Wallet {address: $address})-[m:WITHDREW|DEPOSITED|SENT]-(other)
WITH other, type(m) AS kind, CASE WHEN startNode(m) = w THEN "out" ELSE "in" END AS direction,
     count(m) AS movements, sum(coalesce(m.amount_usd, 0.0)) AS total_usd, min(m.at) AS first_at, max(m.at) AS last_at
RETURN labels(other)[0] AS counterparty_kind, coalesce(other.account_id, other.address) AS counterparty, kind,
       direction, movements, total_usd, first_at, last_at
ORDER BY total_usd DESC, counterparty
LIMIT $limit
