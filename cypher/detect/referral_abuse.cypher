// title: Referral abuse
// purpose: Referral trees whose members (the referrer and its referees) share evidence of being one person: an identifier used by two or more of them, a plus-address of the same mailbox, or a referee withdrawing to a wallet the referrer deposits from or withdraws to; one row per piece of evidence, plus one 'tree' row per referrer with its referees.
// mode: read
// note: identifiers shared by more than $max_identifier_accounts accounts anywhere (carrier IPs, public Wi-Fi) are no evidence; they are dropped after the (small) in-tree sharing is found, so their whole user list is only counted for identifiers shared inside a tree
// note: e-mails match on the mailbox with any +tag removed (name+3@mail.com is name@mail.com); exchange hot wallets (label 'exchange:...') are no evidence of money going home
// param min_referees: int = 2 — smallest tree (number of referees) considered
// param max_identifier_accounts: int = 50 — an identifier used by more accounts than this is no evidence
// example: :params {min_referees: 2, max_identifier_accounts: 50}
MATCH (r:Account)-[:REFERRED]->(e:Account)
WITH r, collect(DISTINCT e.account_id) AS referees
WHERE size(referees) >= $min_referees
RETURN r.account_id AS referrer, 'tree' AS kind, NULL AS identifier, referees AS users, size(referees) AS sharers
UNION ALL
MATCH (r:Account)-[:REFERRED]->(e:Account)
WITH r, collect(DISTINCT e) AS referees
WHERE size(referees) >= $min_referees
UNWIND [r] + referees AS m
MATCH (m)-[:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]->(i)
WITH r, i, collect(DISTINCT m.account_id) AS users
WHERE size(users) >= 2
MATCH (i)<-[:USED_DEVICE|USED_IP|HAS_PHONE|HAS_EMAIL|HAS_DOCUMENT]-(o:Account)
WITH r, i, users, count(DISTINCT o) AS sharers
WHERE sharers <= $max_identifier_accounts
RETURN r.account_id AS referrer, labels(i)[0] AS kind,
       coalesce(i.device_id, i.ip, i.phone, i.email, i.doc_id) AS identifier, users, sharers
UNION ALL
MATCH (r:Account)-[:REFERRED]->(e:Account)
WITH r, collect(DISTINCT e) AS referees
WHERE size(referees) >= $min_referees
UNWIND [r] + referees AS m
MATCH (m)-[:HAS_EMAIL]->(x:Email)
WITH r, m, x, split(x.email, '@') AS parts
WHERE size(parts) = 2
WITH r, toLower(split(parts[0], '+')[0] + '@' + parts[1]) AS mailbox,
     collect(DISTINCT m.account_id) AS users, collect(DISTINCT x.email) AS emails
WHERE size(users) >= 2
RETURN r.account_id AS referrer, 'Mailbox' AS kind, mailbox AS identifier, users, size(emails) AS sharers
UNION ALL
MATCH (r:Account)-[:REFERRED]->(e:Account)-[:WITHDREW]->(x:Wallet)
WHERE NOT (coalesce(x.label, '') STARTS WITH 'exchange:')
  AND ((r)-[:WITHDREW]->(x) OR (x)-[:DEPOSITED]->(r))
WITH r, x, collect(DISTINCT e.account_id) AS referees
RETURN r.account_id AS referrer, 'Wallet' AS kind, x.address AS identifier,
       [r.account_id] + referees AS users, size(referees) AS sharers
