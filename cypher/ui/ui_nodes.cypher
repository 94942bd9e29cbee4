// title: UI: nodes by key
// purpose: The nodes named by label and key, for opening many entities (an alert's ring, a saved case) in the explorer with one query.
// mode: read
// param keys: map — label -> list of key values, e.g. {Account: ["A1", "A2"], Wallet: ["0xabc"]}; absent labels are skipped
// example: :params {keys: {Account: ["A100000001"], Wallet: []}}
UNWIND coalesce($keys.Account, []) AS k
MATCH (n:Account {account_id: k})
RETURN n
UNION ALL
UNWIND coalesce($keys.Device, []) AS k
MATCH (n:Device {device_id: k})
RETURN n
UNION ALL
UNWIND coalesce($keys.IP, []) AS k
MATCH (n:IP {ip: k})
RETURN n
UNION ALL
UNWIND coalesce($keys.Phone, []) AS k
MATCH (n:Phone {phone: k})
RETURN n
UNION ALL
UNWIND coalesce($keys.Email, []) AS k
MATCH (n:Email {email: k})
RETURN n
UNION ALL
UNWIND coalesce($keys.Document, []) AS k
MATCH (n:Document {doc_id: k})
RETURN n
UNION ALL
UNWIND coalesce($keys.Wallet, []) AS k
MATCH (n:Wallet {address: k})
RETURN n
UNION ALL
UNWIND coalesce($keys.ScamReport, []) AS k
MATCH (n:ScamReport {report_id: k})
RETURN n
UNION ALL
UNWIND coalesce($keys.Watchlist, []) AS k
MATCH (n:Watchlist {name: k})
RETURN n
UNION ALL
UNWIND coalesce($keys.Group, []) AS k
MATCH (n:Group {group_id: k})
RETURN n
