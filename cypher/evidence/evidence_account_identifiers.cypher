// title: Evidence: an account's identifiers
// purpose: For an evidence package about an account: every device, IP, phone, email and document it used, and how many accounts (itself included) use each, so a widely shared identifier (a public IP, a shared phone) can be told from a link between a few accounts.
// mode: read
// note: sharers is counted from the identifier's side, one identifier at a time; a supernode costs one count, never a list of its accounts
// param key: string — the account id
// example: :params {key: "A100000001"}
MATCH (a:Account {account_id: $key})-[r:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]->(x)
MATCH (x)<-[:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]-(o:Account)
RETURN a, r, x, count(o) AS sharers
