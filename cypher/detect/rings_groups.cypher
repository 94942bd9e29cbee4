// title: Batch-registration rings: model groups of accounts
// purpose: The model-flagged groups (Group via IN_GROUP) that any of the given accounts belongs to, each with all its members, so detected rings can be compared with what the model already flagged.
// mode: read
// param account_ids: list = [] — accounts whose groups are wanted (the members of the detected rings)
// example: :params {account_ids: ["A100000001", "A100000002"]}
UNWIND $account_ids AS id
MATCH (:Account {account_id: id})-[:IN_GROUP]->(g:Group)
WITH DISTINCT g
MATCH (g)<-[:IN_GROUP]-(m:Account)
RETURN g.group_id AS group_id, g.model AS model, g.score AS score, collect(DISTINCT m.account_id) AS members
