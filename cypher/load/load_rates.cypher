// title: Load USD rates
// purpose: Merge Rate nodes (an asset's USD rate on one UTC day) by rate_id; later loads compute a missing amount_usd from them.
// mode: write
// param rows: list — validated rows, one map per input row: rate_id ("ASSET|YYYY-MM-DD", the asset upper-cased), asset, day (UTC midnight, epoch ms), usd (USD per unit)
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{rate_id: "BTC|2024-01-01", asset: "BTC", day: 1704067200000, usd: 42500.0}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (x:Rate {rate_id: row.rate_id})
ON CREATE SET x.source = $source, x.load_id = $load_id, x.loaded_at = $loaded_at,
              x.asset = row.asset,
              x.day = row.day,
              x.usd = row.usd
ON MATCH SET x.asset = coalesce(row.asset, x.asset),
             x.day = coalesce(row.day, x.day),
             x.usd = coalesce(row.usd, x.usd)
