// title: API: retire a watchlist entry
// purpose: Take one entity off one watchlist (its LISTED_ON relationship is removed; the caller records the entry, as it was, in the audit log first) and return what it was.
// mode: write
// note: the entity is matched by its label's key property; labels cannot be parameters, so the label is compared with labels(x)
// param watchlist: string — the watchlist's name
// param label: string — the entity's label (Account, Wallet, Device, IP, Phone, Email, Document)
// param key: string — the value of the label's key property
// example: :params {watchlist: "internal", label: "Account", key: "A000000009"}
MATCH (x)-[r:LISTED_ON]->(w:Watchlist {name: $watchlist})
WHERE $label IN labels(x)
  AND coalesce(x.account_id, x.address, x.device_id, x.ip, x.phone, x.email, x.doc_id) = $key
WITH x, r, w, r.list_source AS list_source, r.reason AS reason, r.listed_at AS listed_at,
     r.source AS source, r.load_id AS load_id, r.loaded_at AS loaded_at
DELETE r
RETURN w.name AS watchlist, $label AS label, $key AS key, list_source, reason, listed_at, source, load_id,
       loaded_at
