// title: Cases: which accounts a model group flagged
// purpose: Of the given accounts, those in some model-team Group, with the group ids, so feedback can tell the rings the model did not flag.
// mode: read
// param keys: list — account ids
// example: :params {keys: ["A100000001", "A100000002"]}
UNWIND $keys AS k
MATCH (a:Account {account_id: k})-[:IN_GROUP]->(g:Group)
RETURN a.account_id AS account_id, collect(DISTINCT g.group_id) AS group_ids
