// title: Batch-registration rings: shared devices and IPs
// purpose: Every device and IP that 2..cap accounts used; one row per identifier with its accounts, their registration times and when each used it (first and last seen). With rings_kyc and rings_wallets (run alongside), the evidence from which casegraph/detections/rings.py builds account links, groups and their scores.
// mode: read
// note: identifier relationships are merged (one per account and identifier), so counting them counts accounts; each branch counts first and expands only identifiers within the cap, so carrier IPs used by thousands never reach the client
// note: link_days, overlap_hours, min_link_weight, min_size and min_score are the detection's own parameters, applied by casegraph/detections/rings.py, not here
// param max_per_device: int = 100 in 2.. — a device used by more accounts than this is ignored
// param max_per_ip: int = 100 in 2.. — an IP used by more accounts than this (a carrier, VPN or public Wi-Fi) is ignored
// param link_days: float = 30 in >0..3650 — two accounts are linked by what they share only when they registered at most this many days apart (slow rings register over weeks; a family member who joins a year later is not linked)
// param overlap_hours: float = 24 in 0..8760 — two accounts are linked by a device or IP only when they used it at overlapping times, give or take this many hours (a device sold on, or an internet café's computer, is used one after another)
// param min_link_weight: float = 0.5 in 0.. — least weight of a link through devices, documents, phones, e-mails and wallets (1, 1, 0.8, 0.8, 0.9 / 0.7, each times the share of the identifier's accounts that registered within link_days of each other); IPs never link on their own
// param min_size: int = 3 in 2.. — fewest accounts in a ring
// param min_score: float = 0.5 in 0..1 — lowest ring score reported (the score estimates how likely the group is one operator's ring)
// param fresh_days: float = 30 in >0..3650 — a withdrawal wallet is a ring's cash-out wallet when its accounts first withdrew to it within this many days of registering
// example: :params {max_per_device: 100, max_per_ip: 100, link_days: 30.0, overlap_hours: 24.0, min_link_weight: 0.5, min_size: 3, min_score: 0.5, fresh_days: 30.0}
MATCH (i:Device)<-[:USED_DEVICE]-()
WITH i, count(*) AS n
WHERE n >= 2 AND n <= $max_per_device
MATCH (i)<-[u:USED_DEVICE]-(a:Account)
RETURN 'device' AS kind, i.device_id AS value, n AS total,
       collect({id: a.account_id, at: a.registered_at, first: u.first_seen, last: u.last_seen}) AS accounts
UNION ALL
MATCH (i:IP)<-[:USED_IP]-()
WITH i, count(*) AS n
WHERE n >= 2 AND n <= $max_per_ip
MATCH (i)<-[u:USED_IP]-(a:Account)
RETURN 'ip' AS kind, i.ip AS value, n AS total,
       collect({id: a.account_id, at: a.registered_at, first: u.first_seen, last: u.last_seen}) AS accounts
