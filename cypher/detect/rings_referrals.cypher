// title: Batch-registration rings: who referred the members
// purpose: For the given accounts, the account that referred each (REFERRED), so that a group whose members one of them referred is left to the referral_abuse detection instead of being reported as a ring as well.
// mode: read
// param account_ids: list = [] — accounts whose referrers are wanted (the members of the groups found)
// example: :params {account_ids: ["A100000001", "A100000002"]}
UNWIND $account_ids AS id
MATCH (r:Account)-[:REFERRED]->(a:Account {account_id: id})
RETURN a.account_id AS account_id, r.account_id AS referrer
