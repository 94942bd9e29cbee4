// title: UI: search by exact key
// purpose: Every node whose key property (account_id, address, device_id, ip, phone, email, doc_id, report_id, name, group_id) equals the text; one index lookup per label.
// mode: read
// param text: string — what the investigator typed
// example: :params {text: "A100000001"}
MATCH (n:Account {account_id: $text})
RETURN n
UNION ALL
MATCH (n:Device {device_id: $text})
RETURN n
UNION ALL
MATCH (n:IP {ip: $text})
RETURN n
UNION ALL
MATCH (n:Phone {phone: $text})
RETURN n
UNION ALL
MATCH (n:Email {email: $text})
RETURN n
UNION ALL
MATCH (n:Document {doc_id: $text})
RETURN n
UNION ALL
MATCH (n:Wallet {address: $text})
RETURN n
UNION ALL
MATCH (n:ScamReport {report_id: $text})
RETURN n
UNION ALL
MATCH (n:Watchlist {name: $text})
RETURN n
UNION ALL
MATCH (n:Group {group_id: $text})
RETURN n
