// title: Load kept columns of devices
// purpose: Set the extra properties a mapping keeps (`keep:`) on the Device nodes the devices rows wrote; never a label or type.
// mode: write
// param rows: list — validated rows, one map per input row: device_id, extra (a map of property -> value)
// param source: string — the file the rows came from (provenance; unused here)
// param load_id: string — the load's id (provenance; unused here)
// param loaded_at: int — when the load started, UTC epoch ms (provenance; unused here)
// example: :params {rows: [{device_id: "x1", extra: {os: "android"}}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MATCH (x:Device {device_id: row.device_id})
SET x += row.extra
