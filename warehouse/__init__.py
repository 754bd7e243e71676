"""The warehouse contract without Dagster: the raw, meta and serving tables of DuckDB, idempotent upserts,
cursors and the sync log, schema drift, one sync of many scopes, and the atomic publish of the snapshot.

Everything here takes a `warehouse.connection.Warehouse` (or a DuckDB connection), never a Dagster resource.
"""
