// title: UI: search by key prefix
// purpose: Nodes whose key property starts with the text, at most `limit` per label, in key order (an index range scan per label).
// mode: read
// param text: string — the prefix the investigator typed
// param limit: int = 20 — most nodes per label
// example: :params {text: "A1000", limit: 20}
MATCH (n:Account)
WHERE n.account_id STARTS WITH $text
RETURN n
ORDER BY n.account_id
LIMIT $limit
UNION ALL
MATCH (n:Device)
WHERE n.device_id STARTS WITH $text
RETURN n
ORDER BY n.device_id
LIMIT $limit
UNION ALL
MATCH (n:IP)
WHERE n.ip STARTS WITH $text
RETURN n
ORDER BY n.ip
LIMIT $limit
UNION ALL
MATCH (n:Phone)
WHERE n.phone STARTS WITH $text
RETURN n
ORDER BY n.phone
LIMIT $limit
UNION ALL
MATCH (n:Email)
WHERE n.email STARTS WITH $text
RETURN n
ORDER BY n.email
LIMIT $limit
UNION ALL
MATCH (n:Document)
WHERE n.doc_id STARTS WITH $text
RETURN n
ORDER BY n.doc_id
LIMIT $limit
UNION ALL
MATCH (n:Wallet)
WHERE n.address STARTS WITH $text
RETURN n
ORDER BY n.address
LIMIT $limit
UNION ALL
MATCH (n:ScamReport)
WHERE n.report_id STARTS WITH $text
RETURN n
ORDER BY n.report_id
LIMIT $limit
UNION ALL
MATCH (n:Watchlist)
WHERE n.name STARTS WITH $text
RETURN n
ORDER BY n.name
LIMIT $limit
UNION ALL
MATCH (n:Group)
WHERE n.group_id STARTS WITH $text
RETURN n
ORDER BY n.group_id
LIMIT $limit
