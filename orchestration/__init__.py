"""Dagster assets, resources, jobs and schedules that keep the DuckDB warehouse in step with Procore."""
