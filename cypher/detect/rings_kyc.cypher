// title: Batch-registration rings: shared phones, e-mails and documents
// purpose: Every phone number, e-mail address and KYC document that 2..cap accounts registered with; one row per identifier with its accounts and their registration times (evidence for the rings detection).
// mode: read
// note: identifier relationships are merged (one per account and identifier), so counting them counts accounts; each branch counts first and expands only identifiers within the cap
// param max_per_phone: int = 100 in 2.. — a phone number on more accounts than this is ignored
// param max_per_email: int = 100 in 2.. — an e-mail address on more accounts than this is ignored
// param max_per_document: int = 100 in 2.. — a KYC document on more accounts than this is ignored
// example: :params {max_per_phone: 100, max_per_email: 100, max_per_document: 100}
MATCH (i:Phone)<-[:HAS_PHONE]-()
WITH i, count(*) AS n
WHERE n >= 2 AND n <= $max_per_phone
MATCH (i)<-[:HAS_PHONE]-(a:Account)
RETURN 'phone' AS kind, i.phone AS value, n AS total, collect({id: a.account_id, at: a.registered_at}) AS accounts
UNION ALL
MATCH (i:Email)<-[:HAS_EMAIL]-()
WITH i, count(*) AS n
WHERE n >= 2 AND n <= $max_per_email
MATCH (i)<-[:HAS_EMAIL]-(a:Account)
RETURN 'email' AS kind, i.email AS value, n AS total, collect({id: a.account_id, at: a.registered_at}) AS accounts
UNION ALL
MATCH (i:Document)<-[:HAS_DOCUMENT]-()
WITH i, count(*) AS n
WHERE n >= 2 AND n <= $max_per_document
MATCH (i)<-[:HAS_DOCUMENT]-(a:Account)
RETURN 'document' AS kind, i.doc_id AS value, n AS total, collect({id: a.account_id, at: a.registered_at}) AS accounts
