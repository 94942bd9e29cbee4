// title: UI: the movements of a fund trace
// purpose: The money movements a fund trace walked (found by their keys), with both ends, so the explorer can draw the trace with every property.
// mode: read
// note: the ends are not labelled: the type fixes them, and a labelled end makes FalkorDB scan the label before the relationship index
// note: casegraph/explore.py trace() collects the keys from the steps of trace_funds results; one list per relationship type so each branch looks its key up by index
// param transferred: list = [] — tx_id of internal transfers
// param withdrew: list = [] — tx_id of withdrawals
// param deposited: list = [] — tx_id of deposits
// param sent: list = [] — tx_hash of on-chain sends
// example: :params {transferred: ["T000000000001"], withdrew: [], deposited: [], sent: []}
UNWIND $transferred AS tx
MATCH (a)-[r:TRANSFERRED {tx_id: tx}]->(b)
RETURN a, r, b
UNION ALL
UNWIND $withdrew AS tx
MATCH (a)-[r:WITHDREW {tx_id: tx}]->(b)
RETURN a, r, b
UNION ALL
UNWIND $deposited AS tx
MATCH (a)-[r:DEPOSITED {tx_id: tx}]->(b)
RETURN a, r, b
UNION ALL
UNWIND $sent AS tx
MATCH (a)-[r:SENT {tx_hash: tx}]->(b)
RETURN a, r, b
