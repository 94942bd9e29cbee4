// title: Load kept columns of scam_reports
// purpose: Set the extra properties a mapping keeps (`keep:`) on the ScamReport nodes the scam_reports rows wrote; never a label or type.
// mode: write
// param rows: list — validated rows, one map per input row: report_id, extra (a map of property -> value)
// param source: string — the file the rows came from (provenance; unused here)
// param load_id: string — the load's id (provenance; unused here)
// param loaded_at: int — when the load started, UTC epoch ms (provenance; unused here)
// example: :params {rows: [{report_id: "R1", extra: {channel: "support chat"}}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MATCH (x:ScamReport {report_id: row.report_id})
SET x += row.extra
