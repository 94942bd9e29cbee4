// title: UI: search by key prefix
// purpose: Nodes whose key property starts with the text, at most `limit` per label, in key order (an index range scan per label).
// mode: read
// note: FalkorDB 4.16 answers STARTS WITH with a label scan, so the range text <= key < upto selects through the index first; it also returns nothing when a range bound is not ASCII, so the caller only asks with ASCII text
// param text: string — the prefix the investigator typed
// param upto: string — the smallest string above every key that starts with text (text with its last character incremented)
// param limit: int = 20 — most nodes per label
// example: :params {text: "A1000", upto: "A1001", limit: 20}
MATCH (n:Account)
WHERE n.account_id >= $text AND n.account_id < $upto AND n.account_id STARTS WITH $text
RETURN n
ORDER BY n.account_id
LIMIT $limit
UNION ALL
MATCH (n:Device)
WHERE n.device_id >= $text AND n.device_id < $upto AND n.device_id STARTS WITH $text
RETURN n
ORDER BY n.device_id
LIMIT $limit
UNION ALL
MATCH (n:IP)
WHERE n.ip >= $text AND n.ip < $upto AND n.ip STARTS WITH $text
RETURN n
ORDER BY n.ip
LIMIT $limit
UNION ALL
MATCH (n:Phone)
WHERE n.phone >= $text AND n.phone < $upto AND n.phone STARTS WITH $text
RETURN n
ORDER BY n.phone
LIMIT $limit
UNION ALL
MATCH (n:Email)
WHERE n.email >= $text AND n.email < $upto AND n.email STARTS WITH $text
RETURN n
ORDER BY n.email
LIMIT $limit
UNION ALL
MATCH (n:Document)
WHERE n.doc_id >= $text AND n.doc_id < $upto AND n.doc_id STARTS WITH $text
RETURN n
ORDER BY n.doc_id
LIMIT $limit
UNION ALL
MATCH (n:Wallet)
WHERE n.address >= $text AND n.address < $upto AND n.address STARTS WITH $text
RETURN n
ORDER BY n.address
LIMIT $limit
UNION ALL
MATCH (n:ScamReport)
WHERE n.report_id >= $text AND n.report_id < $upto AND n.report_id STARTS WITH $text
RETURN n
ORDER BY n.report_id
LIMIT $limit
UNION ALL
MATCH (n:Watchlist)
WHERE n.name >= $text AND n.name < $upto AND n.name STARTS WITH $text
RETURN n
ORDER BY n.name
LIMIT $limit
UNION ALL
MATCH (n:Group)
WHERE n.group_id >= $text AND n.group_id < $upto AND n.group_id STARTS WITH $text
RETURN n
ORDER BY n.group_id
LIMIT $limit
