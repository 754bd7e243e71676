"""Dagster wiring only: the code location, resources, assets, checks, jobs, schedules and sensors that keep the
DuckDB warehouse (`warehouse/`) in step with Procore (`procore_source/`)."""
