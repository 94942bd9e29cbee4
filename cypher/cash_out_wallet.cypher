// title: Fresh accounts cashing out to one wallet
// purpose: The accounts that withdrew to a wallet, with how many days after registering they first did: many accounts whose first withdrawal went to the same wallet within days of signing up is the cash-out of a batch-registration ring.
// mode: read
// param address: string — the withdrawal wallet's address
// param limit: int = 1000 in 1..10000 — most accounts returned
// example: :params {address: "0xabc", limit: 1000}
MATCH (w:Wallet {address: $address})<-[t:WITHDREW]-(a:Account)
WITH a, min(t.at) AS first_withdrawal_at, count(t) AS withdrawals, sum(coalesce(t.amount_usd, 0.0)) AS total_usd
RETURN a.account_id AS account_id, a.registered_at AS registered_at, first_withdrawal_at,
       (first_withdrawal_at - a.registered_at) / 86400000.0 AS days_to_first_withdrawal, withdrawals, total_usd
ORDER BY days_to_first_withdrawal, account_id
LIMIT $limit
