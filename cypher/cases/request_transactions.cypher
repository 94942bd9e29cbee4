// title: Request desk: transactions by hash
// purpose: The on-chain transfers, withdrawals and deposits carrying any of the transaction hashes a law-enforcement request names, with both parties, so the request shows which hashes the graph knows.
// mode: read
// param hashes: list = [] — transaction hashes (tx_hash of SENT, WITHDREW, DEPOSITED)
// example: :params {hashes: ["0xdeadbeef"]}
MATCH (s)-[r:SENT|WITHDREW|DEPOSITED]->(t)
WHERE r.tx_hash IN $hashes
RETURN r.tx_hash AS tx_hash, s, r, t
ORDER BY tx_hash
