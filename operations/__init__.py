"""Operations helpers: the run launcher the production Dagster instance loads, process groups,
PostgreSQL set-up, the Dagster home, and the warehouse rebuild (not named `*_ops`: Dagster has ops)."""
