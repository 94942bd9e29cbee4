// title: Transfer risk: users of listed identifiers
// purpose: How many accounts used or have each of the given identifiers (the listed ones a pending transfer's sender or recipient shares), so that an identifier over the max_shared cap does not hold a transfer on its own.
// mode: read
// note: asked only when the sender or the recipient has a listed identifier; each identifier is found by its key
// param devices: list = [] — device ids
// param ips: list = [] — IP addresses
// param phones: list = [] — phone numbers
// param emails: list = [] — e-mail addresses
// param documents: list = [] — document ids
// example: :params {devices: ['x1'], ips: [], phones: [], emails: [], documents: []}
UNWIND $devices AS key
MATCH (i:Device {device_id: key})
RETURN 'Device' AS label, key, size([(i)<-[:USED_DEVICE]-(a:Account) | a]) AS users
UNION ALL
UNWIND $ips AS key
MATCH (i:IP {ip: key})
RETURN 'IP' AS label, key, size([(i)<-[:USED_IP]-(a:Account) | a]) AS users
UNION ALL
UNWIND $phones AS key
MATCH (i:Phone {phone: key})
RETURN 'Phone' AS label, key, size([(i)<-[:HAS_PHONE]-(a:Account) | a]) AS users
UNION ALL
UNWIND $emails AS key
MATCH (i:Email {email: key})
RETURN 'Email' AS label, key, size([(i)<-[:HAS_EMAIL]-(a:Account) | a]) AS users
UNION ALL
UNWIND $documents AS key
MATCH (i:Document {doc_id: key})
RETURN 'Document' AS label, key, size([(i)<-[:HAS_DOCUMENT]-(a:Account) | a]) AS users
