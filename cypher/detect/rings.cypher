// title: Batch-registration rings: shared devices and IPs
// purpose: Every device and IP that 2..cap accounts used; one row per identifier with its accounts and their registration times. With rings_kyc and rings_wallets (run alongside), the evidence from which casegraph/detections/rings.py builds account links, components and bursts.
// mode: read
// note: identifier relationships are merged (one per account and identifier), so counting them counts accounts; each branch counts first and expands only identifiers within the cap, so carrier IPs used by thousands never reach the client
// note: burst_hours, min_link_weight, min_size, min_kinds and min_score are the detection's own parameters, applied by casegraph/detections/rings.py, not here
// param max_per_device: int = 100 in 2.. — a device used by more accounts than this is ignored
// param max_per_ip: int = 100 in 2.. — an IP used by more accounts than this (a carrier, VPN or public Wi-Fi) is ignored
// param burst_hours: float = 6 in >0..720 — two accounts are linked only when they registered at most this many hours apart
// param min_link_weight: float = 0.5 in 0.. — least weight of a link between two accounts (device, document 1; phone, e-mail 0.8; wallet 0.6; IP 0.4; each times the share of the identifier's accounts that registered in that burst)
// param min_size: int = 3 in 2.. — fewest accounts in a ring
// param min_kinds: int = 2 in 1..7 — fewest kinds of identifier (device, IP, phone, ...) the ring's members share
// param min_score: float = 0.5 in 0..1 — lowest ring score reported
// example: :params {max_per_device: 100, max_per_ip: 100, burst_hours: 6.0, min_link_weight: 0.5, min_size: 3, min_kinds: 2, min_score: 0.5}
MATCH (i:Device)<-[:USED_DEVICE]-()
WITH i, count(*) AS n
WHERE n >= 2 AND n <= $max_per_device
MATCH (i)<-[:USED_DEVICE]-(a:Account)
RETURN 'device' AS kind, i.device_id AS value, n AS total, collect({id: a.account_id, at: a.registered_at}) AS accounts
UNION ALL
MATCH (i:IP)<-[:USED_IP]-()
WITH i, count(*) AS n
WHERE n >= 2 AND n <= $max_per_ip
MATCH (i)<-[:USED_IP]-(a:Account)
RETURN 'ip' AS kind, i.ip AS value, n AS total, collect({id: a.account_id, at: a.registered_at}) AS accounts
