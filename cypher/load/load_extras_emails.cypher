// title: Load kept columns of emails
// purpose: Set the extra properties a mapping keeps (`keep:`) on the Email nodes the emails rows wrote; never a label or type.
// mode: write
// param rows: list — validated rows, one map per input row: email, extra (a map of property -> value)
// param source: string — the file the rows came from (provenance; unused here)
// param load_id: string — the load's id (provenance; unused here)
// param loaded_at: int — when the load started, UTC epoch ms (provenance; unused here)
// example: :params {rows: [{email: "a@example.com", extra: {os: "android"}}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MATCH (x:Email {email: row.email})
SET x += row.extra
