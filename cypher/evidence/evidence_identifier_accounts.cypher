// title: Evidence: accounts sharing identifiers
// purpose: For an evidence package: the other accounts that use the given identifiers (devices, IPs, phones, emails, documents), with the relationship to each identifier.
// mode: read
// note: the caller leaves out supernode identifiers (counted by evidence_account_identifiers) and caps the accounts it keeps; limit bounds each label's rows
// param keys: map — identifier label -> list of key values, e.g. {Device: ["d1"], Email: ["x@example.org"]}; absent labels are skipped
// param exclude: string — the account left out (the subject itself)
// param limit: int = 500 — most rows returned per identifier label
// example: :params {keys: {Device: ["c38ce38ad6ec8505f5dd4d44e9a98012"], IP: [], Phone: [], Email: [], Document: []}, exclude: "A100000001", limit: 500}
UNWIND coalesce($keys.Device, []) AS k
MATCH (x:Device {device_id: k})<-[r:USED_DEVICE]-(b:Account)
WHERE b.account_id <> $exclude
RETURN x, r, b
LIMIT $limit
UNION ALL
UNWIND coalesce($keys.IP, []) AS k
MATCH (x:IP {ip: k})<-[r:USED_IP]-(b:Account)
WHERE b.account_id <> $exclude
RETURN x, r, b
LIMIT $limit
UNION ALL
UNWIND coalesce($keys.Phone, []) AS k
MATCH (x:Phone {phone: k})<-[r:HAS_PHONE]-(b:Account)
WHERE b.account_id <> $exclude
RETURN x, r, b
LIMIT $limit
UNION ALL
UNWIND coalesce($keys.Email, []) AS k
MATCH (x:Email {email: k})<-[r:HAS_EMAIL]-(b:Account)
WHERE b.account_id <> $exclude
RETURN x, r, b
LIMIT $limit
UNION ALL
UNWIND coalesce($keys.Document, []) AS k
MATCH (x:Document {doc_id: k})<-[r:HAS_DOCUMENT]-(b:Account)
WHERE b.account_id <> $exclude
RETURN x, r, b
LIMIT $limit
