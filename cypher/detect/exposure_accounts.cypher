// title: Exposure: account count
// purpose: How many accounts the graph holds: the exposure ranking's percentile scores are shares of all accounts, including those no walk reaches.
// mode: read
// example: :params {}
MATCH (a:Account)
RETURN count(a) AS accounts
