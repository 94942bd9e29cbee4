// title: UI: shortest path between two nodes
// purpose: One shortest path (fewest relationships, any direction) between two nodes found by label and key, at most max_hops long; no row when there is none.
// mode: read
// note: variable-length bounds cannot be parameters, so the pattern stops at 6 and max_hops filters; FalkorDB runs cypher/falkordb/ui_shortest_path.cypher (it has no undirected shortestPath)
// param a_label: string — the first node's label
// param a_key: string — the first node's key value
// param b_label: string — the second node's label
// param b_key: string — the second node's key value
// param max_hops: int = 6 — longest path searched (at most 6)
// example: :params {a_label: "Account", a_key: "A100000001", b_label: "Wallet", b_key: "0xabc", max_hops: 6}
CALL {
  MATCH (a:Account {account_id: $a_key}) WHERE $a_label = 'Account' RETURN a
  UNION ALL
  MATCH (a:Device {device_id: $a_key}) WHERE $a_label = 'Device' RETURN a
  UNION ALL
  MATCH (a:IP {ip: $a_key}) WHERE $a_label = 'IP' RETURN a
  UNION ALL
  MATCH (a:Phone {phone: $a_key}) WHERE $a_label = 'Phone' RETURN a
  UNION ALL
  MATCH (a:Email {email: $a_key}) WHERE $a_label = 'Email' RETURN a
  UNION ALL
  MATCH (a:Document {doc_id: $a_key}) WHERE $a_label = 'Document' RETURN a
  UNION ALL
  MATCH (a:Wallet {address: $a_key}) WHERE $a_label = 'Wallet' RETURN a
  UNION ALL
  MATCH (a:ScamReport {report_id: $a_key}) WHERE $a_label = 'ScamReport' RETURN a
  UNION ALL
  MATCH (a:Watchlist {name: $a_key}) WHERE $a_label = 'Watchlist' RETURN a
  UNION ALL
  MATCH (a:Group {group_id: $a_key}) WHERE $a_label = 'Group' RETURN a
}
CALL {
  MATCH (b:Account {account_id: $b_key}) WHERE $b_label = 'Account' RETURN b
  UNION ALL
  MATCH (b:Device {device_id: $b_key}) WHERE $b_label = 'Device' RETURN b
  UNION ALL
  MATCH (b:IP {ip: $b_key}) WHERE $b_label = 'IP' RETURN b
  UNION ALL
  MATCH (b:Phone {phone: $b_key}) WHERE $b_label = 'Phone' RETURN b
  UNION ALL
  MATCH (b:Email {email: $b_key}) WHERE $b_label = 'Email' RETURN b
  UNION ALL
  MATCH (b:Document {doc_id: $b_key}) WHERE $b_label = 'Document' RETURN b
  UNION ALL
  MATCH (b:Wallet {address: $b_key}) WHERE $b_label = 'Wallet' RETURN b
  UNION ALL
  MATCH (b:ScamReport {report_id: $b_key}) WHERE $b_label = 'ScamReport' RETURN b
  UNION ALL
  MATCH (b:Watchlist {name: $b_key}) WHERE $b_label = 'Watchlist' RETURN b
  UNION ALL
  MATCH (b:Group {group_id: $b_key}) WHERE $b_label = 'Group' RETURN b
}
WITH a, b
MATCH p = shortestPath((a)-[*..6]-(b))
WHERE length(p) <= $max_hops
RETURN p
