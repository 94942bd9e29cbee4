// title: Known USD rates
// purpose: Every Rate node, read at the start of a load so that money rows without amount_usd are valued with rates loaded earlier.
// mode: read
// example: :params {}
MATCH (x:Rate)
RETURN x.asset AS asset, x.day AS day, x.usd AS usd
