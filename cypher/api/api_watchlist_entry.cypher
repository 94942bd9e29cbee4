// title: API: one watchlist entry
// purpose: Whether an entity is on a watchlist, with who listed it, why and since when (read before retiring it, for the audit log).
// mode: read
// param watchlist: string — the watchlist's name
// param label: string — the entity's label (Account, Wallet, Device, IP, Phone, Email, Document)
// param key: string — the value of the label's key property
// example: :params {watchlist: "internal", label: "Account", key: "A000000009"}
MATCH (x)-[r:LISTED_ON]->(w:Watchlist {name: $watchlist})
WHERE $label IN labels(x)
  AND coalesce(x.account_id, x.address, x.device_id, x.ip, x.phone, x.email, x.doc_id) = $key
RETURN w.name AS watchlist, $label AS label, $key AS key, r.list_source AS list_source, r.reason AS reason,
       r.listed_at AS listed_at, r.source AS source, r.load_id AS load_id, r.loaded_at AS loaded_at,
       r.category AS category, r.entity AS entity, r.confidence AS confidence
