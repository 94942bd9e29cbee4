// title: Accounts sharing an identifier with an account
// purpose: Every other account that used the same device or IP, or has the same phone, e-mail or KYC document as the given account, with what they share and how many accounts use that identifier (a shared identifier with thousands of users is a carrier IP or public Wi-Fi, not a link).
// mode: read
// param account_id: string — the account's id
// param max_users: int = 50 in 2..100000 — leave out identifiers used by more accounts than this (supernodes)
// param limit: int = 500 in 1..10000 — most rows returned
// example: :params {account_id: "A000000001", max_users: 50, limit: 500}
MATCH (a:Account {account_id: $account_id})-[:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]->(i)
WITH a, i, size([(i)<-[:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]-(u:Account) | u]) AS users
WHERE users <= $max_users
MATCH (i)<-[:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]-(other:Account)
WHERE other <> a
RETURN other.account_id AS account_id, other.registered_at AS registered_at, labels(i)[0] AS shares,
       coalesce(i.device_id, i.ip, i.phone, i.email, i.doc_id) AS identifier, users
ORDER BY users, identifier, account_id
LIMIT $limit
