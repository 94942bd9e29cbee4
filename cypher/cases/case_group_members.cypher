// title: Cases: a model-team group and its members
// purpose: A Group flagged by the model team (e.g. a batch registration) with its member accounts and their IN_GROUP relationships, to review the group as a case.
// mode: read
// param group_id: string — the group's id
// example: :params {group_id: "G200001"}
MATCH (g:Group {group_id: $group_id})
OPTIONAL MATCH (a:Account)-[r:IN_GROUP]->(g)
RETURN g, a, r
ORDER BY a.account_id
