-- grain: one row per (project, week) with RFI activity
-- marts.rfi_weekly: one row per (project, week) with RFI activity: RFIs opened that week (by
-- initiated_at, else created_at; drafts are not counted) and RFIs closed (by time_resolved).
-- Weeks start on Monday in the configured timezone ($tz).
CREATE OR REPLACE TABLE marts.rfi_weekly AS
WITH rfis AS (
    SELECT project_id, lower(status) AS state,
           coalesce(initiated_at, created_at) AS opened_at, time_resolved
    FROM raw.rfis
    WHERE _deleted_at IS NULL
),
opened AS (
    SELECT project_id, date_trunc('week', (opened_at AT TIME ZONE $tz)::DATE)::DATE AS week_start,
           count(*) AS rfis_opened
    FROM rfis
    WHERE state NOT IN ('draft', 'closed_draft') AND opened_at IS NOT NULL
    GROUP BY ALL
),
closed AS (
    SELECT project_id, date_trunc('week', (time_resolved AT TIME ZONE $tz)::DATE)::DATE AS week_start,
           count(*) AS rfis_closed
    FROM rfis
    WHERE state IN ('closed', 'closed_with_revision') AND time_resolved IS NOT NULL
    GROUP BY ALL
)
SELECT project_id, week_start,
       coalesce(o.rfis_opened, 0) AS rfis_opened,
       coalesce(c.rfis_closed, 0) AS rfis_closed
FROM opened AS o
FULL OUTER JOIN closed AS c USING (project_id, week_start)
WHERE project_id IN (SELECT id FROM raw.projects WHERE _deleted_at IS NULL)
ORDER BY project_id, week_start;
