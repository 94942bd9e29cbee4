// title: Load vendor address labels
// purpose: List wallets labelled by a blockchain-analytics vendor on the watchlist `vendor:<category>`, one LISTED_ON per wallet, category and vendor (list_source = the vendor), with the category, entity, confidence and labelling time on it; changed_at marks a reload that changed a label (the transfer check's fingerprint sees it).
// mode: write
// param rows: list — validated rows, one map per input row: address, chain, category, entity, vendor, confidence, labelled_at
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{address: "0x00000000000000000000000000000000000000cc", chain: "ETH", category: "sanctions", entity: "Example Group", vendor: "ExampleVendor", confidence: 0.95, labelled_at: 1704103200000}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (l:Watchlist {name: 'vendor:' + row.category})
ON CREATE SET l.source = $source, l.load_id = $load_id, l.loaded_at = $loaded_at
MERGE (w:Wallet {address: row.address})
ON CREATE SET w.source = $source, w.load_id = $load_id, w.loaded_at = $loaded_at,
              w.chain = row.chain
ON MATCH SET w.chain = coalesce(w.chain, row.chain)
MERGE (w)-[r:LISTED_ON {list_source: row.vendor}]->(l)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at,
              r.category = row.category,
              r.entity = row.entity,
              r.confidence = row.confidence,
              r.listed_at = row.labelled_at
ON MATCH SET r.changed_at = CASE WHEN coalesce(row.entity, r.entity, '') <> coalesce(r.entity, '')
                                   OR coalesce(row.confidence, r.confidence, -1.0) <> coalesce(r.confidence, -1.0)
                                   OR coalesce(row.labelled_at, r.listed_at, -1) <> coalesce(r.listed_at, -1)
                                 THEN $loaded_at ELSE r.changed_at END,
             r.entity = coalesce(row.entity, r.entity),
             r.confidence = coalesce(row.confidence, r.confidence),
             r.listed_at = coalesce(row.labelled_at, r.listed_at)
