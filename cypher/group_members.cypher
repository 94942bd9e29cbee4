// title: Members of a model-flagged group
// purpose: The accounts a model flagged together (a Group), with when each registered and how many links (a device, IP, phone, e-mail or document shared with another member) tie it to the rest of the group: a real ring is tightly linked, a false group is not.
// mode: read
// param group_id: string — the group's id
// example: :params {group_id: "G1"}
MATCH (g:Group {group_id: $group_id})<-[:IN_GROUP]-(a:Account)
RETURN g.model AS model, g.score AS score, a.account_id AS account_id, a.registered_at AS registered_at,
       size([(a)-[:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]->(i)<-[:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]-(b:Account)-[:IN_GROUP]->(g)
             WHERE b <> a | b]) AS links_to_members
ORDER BY registered_at, account_id
