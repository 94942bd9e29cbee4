// title: Load kept columns of withdrawals
// purpose: Set the extra properties a mapping keeps (`keep:`) on the WITHDREW relationships the withdrawals rows wrote; never a label or type.
// mode: write
// param rows: list — validated rows, one map per input row: tx_id, account_id, address, extra (a map of property -> value)
// param source: string — the file the rows came from (provenance; unused here)
// param load_id: string — the load's id (provenance; unused here)
// param loaded_at: int — when the load started, UTC epoch ms (provenance; unused here)
// example: :params {rows: [{tx_id: "W1", account_id: "A000000001", address: "0x00000000000000000000000000000000000000bb", extra: {channel: "app"}}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MATCH (:Account {account_id: row.account_id})-[x:WITHDREW {tx_id: row.tx_id}]->(:Wallet {address: row.address})
SET x += row.extra
