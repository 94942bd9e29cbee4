"""Loaders: files (CSV, Parquet, JSON Lines) + an optional YAML mapping ->
validated batches -> the graph, through the graph store's named write queries."""
