// title: UI: how many neighbours an expansion has
// purpose: The number of distinct neighbours of a node across some relationship types (or all), counted up to a cap before a page of them is fetched, so that supernodes are paged and never counted in full.
// mode: read
// note: the start node is found by an index lookup in one UNION branch per label (labels cannot be parameters); the CALL has no scope clause because FalkorDB 4.16 has no CALL () {...} (Neo4j 5 only warns)
// param label: string — the node's label (one of the model's)
// param key: string — the value of the label's key property
// param rels: list = [] — the relationship types to follow (one, or a kind such as every money movement); empty for every type
// param cap: int = 5001 — stop counting here (an exchange hot wallet has tens of thousands of neighbours; counting them all took seconds)
// example: :params {label: "Wallet", key: "0xabc", rels: ["DEPOSITED"], cap: 5001}
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
MATCH (n)-[r]-(m)
WHERE size($rels) = 0 OR type(r) IN $rels
WITH DISTINCT m
LIMIT $cap
RETURN count(m) AS total
