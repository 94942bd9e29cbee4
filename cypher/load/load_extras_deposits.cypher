// title: Load kept columns of deposits
// purpose: Set the extra properties a mapping keeps (`keep:`) on the DEPOSITED relationships the deposits rows wrote; never a label or type.
// mode: write
// param rows: list — validated rows, one map per input row: tx_id, address, account_id, extra (a map of property -> value)
// param source: string — the file the rows came from (provenance; unused here)
// param load_id: string — the load's id (provenance; unused here)
// param loaded_at: int — when the load started, UTC epoch ms (provenance; unused here)
// example: :params {rows: [{tx_id: "D1", address: "0x00000000000000000000000000000000000000bb", account_id: "A000000001", extra: {channel: "app"}}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MATCH (:Wallet {address: row.address})-[x:DEPOSITED {tx_id: row.tx_id}]->(:Account {account_id: row.account_id})
SET x += row.extra
