// title: Exposure: shared identifiers
// purpose: The identifier edge list the exposure ranking walks: every device, IP, phone, e-mail and KYC document that links accounts (used by 2..max_shared of them) or is itself watchlisted (used by at most max_shared), with its accounts; one row per identifier.
// mode: read
// note: an identifier used by more than max_shared accounts (a carrier IP, a shared office device) is a hub and is left out, listed or not: it would link thousands of strangers
// note: each branch counts an identifier's users before collecting them (most identifiers have one user; counting is the cheap way to skip them)
// note: an unlisted identifier of one account links nobody and is left out (most of them: the walk gains nothing from them); the last branch adds the listed ones of one account (its user is one hop from the list)
// param max_shared: int = 25 in 1.. — identifiers used by more accounts than this are not walked through
// example: :params {max_shared: 25}
MATCH (i:Device)<-[:USED_DEVICE]-()
WITH i, count(*) AS n
WHERE n >= 2 AND n <= $max_shared
MATCH (i)<-[:USED_DEVICE]-(a:Account)
WITH i, collect(DISTINCT a.account_id) AS users
WHERE size(users) >= 2
RETURN 'Device' AS label, i.device_id AS key, users
UNION ALL
MATCH (i:IP)<-[:USED_IP]-()
WITH i, count(*) AS n
WHERE n >= 2 AND n <= $max_shared
MATCH (i)<-[:USED_IP]-(a:Account)
WITH i, collect(DISTINCT a.account_id) AS users
WHERE size(users) >= 2
RETURN 'IP' AS label, i.ip AS key, users
UNION ALL
MATCH (i:Phone)<-[:HAS_PHONE]-()
WITH i, count(*) AS n
WHERE n >= 2 AND n <= $max_shared
MATCH (i)<-[:HAS_PHONE]-(a:Account)
WITH i, collect(DISTINCT a.account_id) AS users
WHERE size(users) >= 2
RETURN 'Phone' AS label, i.phone AS key, users
UNION ALL
MATCH (i:Email)<-[:HAS_EMAIL]-()
WITH i, count(*) AS n
WHERE n >= 2 AND n <= $max_shared
MATCH (i)<-[:HAS_EMAIL]-(a:Account)
WITH i, collect(DISTINCT a.account_id) AS users
WHERE size(users) >= 2
RETURN 'Email' AS label, i.email AS key, users
UNION ALL
MATCH (i:Document)<-[:HAS_DOCUMENT]-()
WITH i, count(*) AS n
WHERE n >= 2 AND n <= $max_shared
MATCH (i)<-[:HAS_DOCUMENT]-(a:Account)
WITH i, collect(DISTINCT a.account_id) AS users
WHERE size(users) >= 2
RETURN 'Document' AS label, i.doc_id AS key, users
UNION ALL
MATCH (w:Watchlist)
WITH w
MATCH (w)<-[:LISTED_ON]-(i)
WITH DISTINCT i
WHERE i:Device OR i:IP OR i:Phone OR i:Email OR i:Document
MATCH (i)<-[:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]-(a:Account)
WITH i, collect(DISTINCT a.account_id) AS users
WHERE size(users) = 1
RETURN labels(i)[0] AS label, coalesce(i.device_id, i.ip, i.phone, i.email, i.doc_id) AS key, users
