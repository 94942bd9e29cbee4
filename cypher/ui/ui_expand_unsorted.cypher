// title: UI: expand a supernode, one page
// purpose: One page of a supernode's neighbours in the database's own order (stable while the graph is unchanged), with the relationships between the node and each neighbour; sorting tens of thousands of neighbours to show 25 took seconds.
// mode: read
// note: used instead of ui_expand when the node has more neighbours than the explorer sorts (explore.SORT_MAX); the neighbour's own links are matched from the neighbour's side
// note: the start node is found by an index lookup in one UNION branch per label (labels cannot be parameters); the CALL has no scope clause because FalkorDB 4.16 has no CALL () {...} (Neo4j 5 only warns)
// param label: string — the node's label (one of the model's)
// param key: string — the value of the label's key property
// param rels: list = [] — the relationship types to follow (one, or a kind such as every money movement); empty for every type
// param skip: int = 0 — neighbours to skip (the page start)
// param limit: int = 25 — most neighbours returned
// param max_links: int = 20 — most relationships returned per neighbour
// example: :params {label: "Wallet", key: "0xaaa", rels: [], skip: 0, limit: 25, max_links: 20}
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
WITH DISTINCT n, m
SKIP $skip
LIMIT $limit
MATCH (m)-[r]-(n)
WHERE size($rels) = 0 OR type(r) IN $rels
WITH n, m, collect(r) AS rs
RETURN n, m, rs[0..$max_links] AS rs, size(rs) AS links
