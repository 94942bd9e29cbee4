// title: UI: a wallet's vendor labels
// purpose: The labels blockchain-analytics vendors gave a wallet (vendor label files: LISTED_ON a vendor:<category> watchlist, with a category), for the explorer's details panel.
// mode: read
// param address: string — the wallet's address
// example: :params {address: "0x00000000000000000000000000000000000000cc"}
MATCH (w:Wallet {address: $address})-[l:LISTED_ON]->(:Watchlist)
WHERE l.category IS NOT NULL
RETURN l.list_source AS vendor, l.category AS category, l.entity AS entity, l.confidence AS confidence,
       l.listed_at AS labelled_at
ORDER BY category, vendor
