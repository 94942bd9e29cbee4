// title: Batch-registration rings: shared identifiers
// purpose: Every identifier (device, IP, phone, e-mail, KYC document) and every non-exchange wallet (withdrawn to, or deposited from) that 2..cap accounts share; one row per identifier with its accounts and their registration times, from which the caller builds account links, components and bursts.
// mode: read
// note: each branch counts an identifier's accounts first and expands only identifiers within the cap, so carrier IPs used by thousands never reach the client
// note: exchange hot wallets (label starting with $exchange_prefix) are dropped before their edges are expanded
// note: burst_hours, min_link_weight, min_size, min_kinds and min_score are applied by casegraph/detections/rings.py, not here
// param max_per_device: int = 100 — a device used by more accounts than this is ignored
// param max_per_ip: int = 100 — an IP used by more accounts than this (a carrier, VPN or public Wi-Fi) is ignored
// param max_per_phone: int = 100 — a phone number on more accounts than this is ignored
// param max_per_email: int = 100 — an e-mail address on more accounts than this is ignored
// param max_per_document: int = 100 — a KYC document on more accounts than this is ignored
// param max_per_wallet: int = 100 — a wallet that more accounts withdrew to (or were funded from) than this is ignored
// param exchange_prefix: string = "exchange:" — wallets whose label starts with this are exchange hot wallets and never link accounts
// param burst_hours: float = 6 — two accounts are linked only when they registered at most this many hours apart
// param min_link_weight: float = 0.5 — least weight of a link between two accounts (device, document 1; phone, e-mail 0.8; wallet 0.6; IP 0.4; each times the share of the identifier's accounts that registered in that burst)
// param min_size: int = 3 — fewest accounts in a ring
// param min_kinds: int = 2 — fewest kinds of identifier (device, IP, phone, ...) the ring's members share
// param min_score: float = 0.5 — lowest ring score reported
// example: :params {max_per_device: 100, max_per_ip: 100, max_per_phone: 100, max_per_email: 100, max_per_document: 100, max_per_wallet: 100, exchange_prefix: "exchange:", burst_hours: 6.0, min_link_weight: 0.5, min_size: 3, min_kinds: 2, min_score: 0.5}
MATCH (a:Account)-[:USED_DEVICE]->(i:Device)
WITH i, count(DISTINCT a) AS n
WHERE n >= 2 AND n <= $max_per_device
MATCH (i)<-[:USED_DEVICE]-(a:Account)
RETURN 'device' AS kind, i.device_id AS value, n AS total,
       collect(DISTINCT {id: a.account_id, at: a.registered_at}) AS accounts
UNION ALL
MATCH (a:Account)-[:USED_IP]->(i:IP)
WITH i, count(DISTINCT a) AS n
WHERE n >= 2 AND n <= $max_per_ip
MATCH (i)<-[:USED_IP]-(a:Account)
RETURN 'ip' AS kind, i.ip AS value, n AS total,
       collect(DISTINCT {id: a.account_id, at: a.registered_at}) AS accounts
UNION ALL
MATCH (a:Account)-[:HAS_PHONE]->(i:Phone)
WITH i, count(DISTINCT a) AS n
WHERE n >= 2 AND n <= $max_per_phone
MATCH (i)<-[:HAS_PHONE]-(a:Account)
RETURN 'phone' AS kind, i.phone AS value, n AS total,
       collect(DISTINCT {id: a.account_id, at: a.registered_at}) AS accounts
UNION ALL
MATCH (a:Account)-[:HAS_EMAIL]->(i:Email)
WITH i, count(DISTINCT a) AS n
WHERE n >= 2 AND n <= $max_per_email
MATCH (i)<-[:HAS_EMAIL]-(a:Account)
RETURN 'email' AS kind, i.email AS value, n AS total,
       collect(DISTINCT {id: a.account_id, at: a.registered_at}) AS accounts
UNION ALL
MATCH (a:Account)-[:HAS_DOCUMENT]->(i:Document)
WITH i, count(DISTINCT a) AS n
WHERE n >= 2 AND n <= $max_per_document
MATCH (i)<-[:HAS_DOCUMENT]-(a:Account)
RETURN 'document' AS kind, i.doc_id AS value, n AS total,
       collect(DISTINCT {id: a.account_id, at: a.registered_at}) AS accounts
UNION ALL
MATCH (w:Wallet)
WHERE w.label IS NULL OR NOT w.label STARTS WITH $exchange_prefix
MATCH (w)<-[:WITHDREW]-(a:Account)
WITH w, count(DISTINCT a) AS n
WHERE n >= 2 AND n <= $max_per_wallet
MATCH (w)<-[:WITHDREW]-(a:Account)
RETURN 'withdrawal wallet' AS kind, w.address AS value, n AS total,
       collect(DISTINCT {id: a.account_id, at: a.registered_at}) AS accounts
UNION ALL
MATCH (w:Wallet)
WHERE w.label IS NULL OR NOT w.label STARTS WITH $exchange_prefix
MATCH (w)-[:DEPOSITED]->(a:Account)
WITH w, count(DISTINCT a) AS n
WHERE n >= 2 AND n <= $max_per_wallet
MATCH (w)-[:DEPOSITED]->(a:Account)
RETURN 'funding wallet' AS kind, w.address AS value, n AS total,
       collect(DISTINCT {id: a.account_id, at: a.registered_at}) AS accounts
