// title: UI: a node and its degree per relationship type
// purpose: The node (found by label and key) and, per relationship type, how many relationships it has, how many of them point out of it, and how many distinct neighbours they reach; no row when the node is not in the graph.
// mode: read
// note: the start node is found by an index lookup in one UNION branch per label (labels cannot be parameters); the CALL has no scope clause because FalkorDB 4.16 has no CALL () {...} (Neo4j 5 only warns)
// param label: string — the node's label (one of the model's)
// param key: string — the value of the label's key property
// example: :params {label: "Account", key: "A100000001"}
CALL {
  MATCH (n:Account {account_id: $key}) WHERE $label = 'Account' RETURN n
  UNION ALL
  MATCH (n:Device {device_id: $key}) WHERE $label = 'Device' RETURN n
  UNION ALL
  MATCH (n:IP {ip: $key}) WHERE $label = 'IP' RETURN n
  UNION ALL
  MATCH (n:Phone {phone: $key}) WHERE $label = 'Phone' RETURN n
  UNION ALL
  MATCH (n:Email {email: $key}) WHERE $label = 'Email' RETURN n
  UNION ALL
  MATCH (n:Document {doc_id: $key}) WHERE $label = 'Document' RETURN n
  UNION ALL
  MATCH (n:Wallet {address: $key}) WHERE $label = 'Wallet' RETURN n
  UNION ALL
  MATCH (n:ScamReport {report_id: $key}) WHERE $label = 'ScamReport' RETURN n
  UNION ALL
  MATCH (n:Watchlist {name: $key}) WHERE $label = 'Watchlist' RETURN n
  UNION ALL
  MATCH (n:Group {group_id: $key}) WHERE $label = 'Group' RETURN n
}
WITH n
OPTIONAL MATCH (n)-[r]-(m)
RETURN n, type(r) AS rel, count(r) AS rels, count(DISTINCT m) AS neighbours,
       sum(CASE WHEN startNode(r) = n THEN 1 ELSE 0 END) AS outgoing
