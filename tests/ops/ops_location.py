"""Test-only Dagster code location: the product's definitions, an every-minute `hourly_sync` schedule, no sensors.

The operations tests start `dagster-webserver` and `dagster-daemon` on this module (`-f`), turn
`ops_every_minute` on through the webserver, and let the daemon launch its runs. The product's
sensors (history after a sync, webhooks) are left out so that the only runs are the ones the
tests start: on 2 shared cores, sensor-launched runs would slow the drills and blur which run
holds the `duckdb` pool slot.
"""

import dagster as dg

from orchestration import definitions as product

EVERY_MINUTE = dg.ScheduleDefinition(
    name="ops_every_minute", job_name="hourly_sync", cron_schedule="* * * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Operations tests only: hourly_sync every minute.",
)

defs = dg.Definitions(
    assets=product.defs.assets, asset_checks=product.defs.asset_checks, jobs=product.defs.jobs,
    schedules=[*(product.defs.schedules or []), EVERY_MINUTE], sensors=[], resources=product.defs.resources,
)
