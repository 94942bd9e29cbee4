// title: Load kept columns of onchain
// purpose: Set the extra properties a mapping keeps (`keep:`) on the SENT relationships the onchain rows wrote; never a label or type.
// mode: write
// param rows: list — validated rows, one map per input row: tx_hash, from_address, to_address, extra (a map of property -> value)
// param source: string — the file the rows came from (provenance; unused here)
// param load_id: string — the load's id (provenance; unused here)
// param loaded_at: int — when the load started, UTC epoch ms (provenance; unused here)
// example: :params {rows: [{tx_hash: "0xabc", from_address: "0x00000000000000000000000000000000000000aa", to_address: "0x00000000000000000000000000000000000000bb", extra: {block: 19000000}}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MATCH (:Wallet {address: row.from_address})-[x:SENT {tx_hash: row.tx_hash}]->(:Wallet {address: row.to_address})
SET x += row.extra
