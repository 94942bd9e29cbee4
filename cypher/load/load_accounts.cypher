// title: Load accounts
// purpose: Merge Account nodes by account_id; an empty field in a row keeps the value the graph already has.
// mode: write
// param rows: list — validated rows, one map per input row: account_id, registered_at, country, kyc_level, status, referral_code
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{account_id: "A000000001", registered_at: 1704103200000, country: "GB", kyc_level: 2, status: "active", referral_code: "RC1"}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.source = $source, a.load_id = $load_id, a.loaded_at = $loaded_at,
              a.registered_at = row.registered_at,
              a.country = row.country,
              a.kyc_level = row.kyc_level,
              a.status = row.status,
              a.referral_code = row.referral_code
ON MATCH SET a.registered_at = coalesce(row.registered_at, a.registered_at),
             a.country = coalesce(row.country, a.country),
             a.kyc_level = coalesce(row.kyc_level, a.kyc_level),
             a.status = coalesce(row.status, a.status),
             a.referral_code = coalesce(row.referral_code, a.referral_code)
