// title: Load kept columns of transfers
// purpose: Set the extra properties a mapping keeps (`keep:`) on the TRANSFERRED relationships the transfers rows wrote; never a label or type.
// mode: write
// param rows: list — validated rows, one map per input row: tx_id, from_account, to_account, extra (a map of property -> value)
// param source: string — the file the rows came from (provenance; unused here)
// param load_id: string — the load's id (provenance; unused here)
// param loaded_at: int — when the load started, UTC epoch ms (provenance; unused here)
// example: :params {rows: [{tx_id: "T1", from_account: "A000000001", to_account: "A000000002", extra: {channel: "app"}}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MATCH (:Account {account_id: row.from_account})-[x:TRANSFERRED {tx_id: row.tx_id}]->(:Account {account_id: row.to_account})
SET x += row.extra
