// title: Load wallets
// purpose: Merge Wallet nodes by address with their chain and label (e.g. a known exchange hot wallet).
// mode: write
// param rows: list — validated rows, one map per input row: address, chain, label
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{address: "0x00000000000000000000000000000000000000aa", chain: "ETH", label: "exchange:Example hot"}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (w:Wallet {address: row.address})
ON CREATE SET w.source = $source, w.load_id = $load_id, w.loaded_at = $loaded_at,
              w.chain = row.chain,
              w.label = row.label
ON MATCH SET w.chain = coalesce(row.chain, w.chain),
             w.label = coalesce(row.label, w.label)
