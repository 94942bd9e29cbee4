// title: Load model-flagged groups
// purpose: Merge batch-registration Group nodes flagged by the model team and their members.
// mode: write
// param rows: list — validated rows, one map per input row: group_id, account_id, model, score, flagged_at
// param source: string — the file the rows came from (provenance)
// param load_id: string — the load's id (provenance)
// param loaded_at: int — when the load started, UTC epoch ms (provenance)
// example: :params {rows: [{group_id: "G1", account_id: "A000000001", model: "batchreg-v3", score: 0.93, flagged_at: 1704103200000}], source: "example.csv", load_id: "0123456789abcdef", loaded_at: 1735689600000}
UNWIND $rows AS row
MERGE (g:Group {group_id: row.group_id})
ON CREATE SET g.source = $source, g.load_id = $load_id, g.loaded_at = $loaded_at,
              g.model = row.model,
              g.score = row.score,
              g.flagged_at = row.flagged_at
ON MATCH SET g.model = coalesce(row.model, g.model),
             g.score = coalesce(row.score, g.score),
             g.flagged_at = coalesce(row.flagged_at, g.flagged_at)
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.source = $source, a.load_id = $load_id, a.loaded_at = $loaded_at
MERGE (a)-[r:IN_GROUP]->(g)
ON CREATE SET r.source = $source, r.load_id = $load_id, r.loaded_at = $loaded_at
