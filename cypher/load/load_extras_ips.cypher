// title: Load kept columns of ips
// purpose: Set the extra properties a mapping keeps (`keep:`) on the IP nodes the ips rows wrote; never a label or type.
// mode: write
// param rows: list — validated rows, one map per input row: ip, extra (a map of property -> value)
// param source: string — the file the rows came from (provenance; unused here)
// param load_id: string — the load's id (provenance; unused here)
// param loaded_at: int — when the load started, UTC epoch ms (provenance; unused here)
// example: :params {rows: [{ip: "198.51.100.7", extra: {os: "android"}}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MATCH (x:IP {ip: row.ip})
SET x += row.extra
