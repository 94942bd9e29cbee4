// title: Evidence: who filed a scam report and whom it is against
// purpose: For an evidence package: both parties of the given scam reports, the account that filed each and the account or wallet it is against.
// mode: read
// param reports: list — scam report ids
// example: :params {reports: ["SR1000001"]}
UNWIND $reports AS k
MATCH (a:ScamReport {report_id: k})<-[r:FILED]-(b:Account)
RETURN a, r, b
UNION ALL
UNWIND $reports AS k
MATCH (a:ScamReport {report_id: k})-[r:AGAINST]->(b)
RETURN a, r, b
