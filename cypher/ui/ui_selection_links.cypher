// title: UI: the relationships among selected nodes
// purpose: Every relationship whose two ends are both among the given nodes, read from the graph (a case made from an explorer selection holds what the graph has, never what a browser sent).
// mode: read
// note: starts from accounts (their own relationships, deposits included), wallets (on-chain sends, watchlist entries) and scam reports, and keeps a relationship only when its far end was given too; identifiers, groups and watchlists are only ever the far end
// param keys: map — label -> list of key values, e.g. {Account: ["A1", "A2"], Wallet: ["0xabc"]}; absent labels are skipped
// param max_links: int = 5000 — most relationships returned
// example: :params {keys: {Account: ["A100000001", "A100000002"], Device: ["D1"]}, max_links: 5000}
UNWIND coalesce($keys.Account, []) AS k
MATCH (a:Account {account_id: k})-[r]->(b)
WHERE (b:Account AND b.account_id IN coalesce($keys.Account, []))
   OR (b:Device AND b.device_id IN coalesce($keys.Device, []))
   OR (b:IP AND b.ip IN coalesce($keys.IP, []))
   OR (b:Phone AND b.phone IN coalesce($keys.Phone, []))
   OR (b:Email AND b.email IN coalesce($keys.Email, []))
   OR (b:Document AND b.doc_id IN coalesce($keys.Document, []))
   OR (b:Wallet AND b.address IN coalesce($keys.Wallet, []))
   OR (b:ScamReport AND b.report_id IN coalesce($keys.ScamReport, []))
   OR (b:Watchlist AND b.name IN coalesce($keys.Watchlist, []))
   OR (b:Group AND b.group_id IN coalesce($keys.Group, []))
RETURN a, r, b
LIMIT $max_links
UNION ALL
UNWIND coalesce($keys.Account, []) AS k
MATCH (b:Account {account_id: k})<-[r:DEPOSITED]-(a:Wallet)
WHERE a.address IN coalesce($keys.Wallet, [])
RETURN a, r, b
LIMIT $max_links
UNION ALL
UNWIND coalesce($keys.Wallet, []) AS k
MATCH (a:Wallet {address: k})-[r:SENT|LISTED_ON]->(b)
WHERE (b:Wallet AND b.address IN coalesce($keys.Wallet, []))
   OR (b:Watchlist AND b.name IN coalesce($keys.Watchlist, []))
RETURN a, r, b
LIMIT $max_links
UNION ALL
UNWIND coalesce($keys.ScamReport, []) AS k
MATCH (a:ScamReport {report_id: k})-[r:AGAINST]->(b)
WHERE (b:Account AND b.account_id IN coalesce($keys.Account, []))
   OR (b:Wallet AND b.address IN coalesce($keys.Wallet, []))
RETURN a, r, b
LIMIT $max_links
