-- history_days (temp): one row per (day from $start to $end, not-deleted project) with the RFI and
-- submittal counts as of the end of that day in $tz, rebuilt from the raw timestamps.
-- An item is open on day D when opened_day <= D < closed_day; overdue when also due_date < D;
-- closed to date when closed_day <= D. Opened: RFIs initiated_at (else created_at), submittals
-- issue_date (else created_at). Closed: RFIs time_resolved, submittals closed_at (else updated_at).
-- Items that are drafts now were never open; a closed item with no close or update time counts as
-- closed from the day it opened. The history.py merge adds the budget columns.
CREATE OR REPLACE TEMP TABLE history_days AS
WITH projects AS (
    SELECT id AS project_id, company_id FROM raw.projects WHERE _deleted_at IS NULL
),
items AS (
    SELECT project_id, 'rfi' AS kind,
           (coalesce(initiated_at, created_at) AT TIME ZONE $tz)::DATE AS opened_day,
           CASE WHEN lower(status) IN ('closed', 'closed_with_revision')
                THEN coalesce((coalesce(time_resolved, updated_at) AT TIME ZONE $tz)::DATE,
                              (coalesce(initiated_at, created_at) AT TIME ZONE $tz)::DATE) END AS closed_day,
           lower(status) IN ('closed', 'closed_with_revision') AS is_closed,
           due_date
    FROM raw.rfis
    WHERE _deleted_at IS NULL AND lower(status) IN ('open', 'closed', 'closed_with_revision')
    UNION ALL
    SELECT project_id, 'submittal',
           coalesce(issue_date, (created_at AT TIME ZONE $tz)::DATE),
           CASE WHEN lower(status) = 'closed'
                THEN coalesce((coalesce(closed_at, updated_at) AT TIME ZONE $tz)::DATE,
                              issue_date, (created_at AT TIME ZONE $tz)::DATE) END,
           lower(status) = 'closed',
           due_date
    FROM raw.submittals
    WHERE _deleted_at IS NULL AND lower(status) IN ('open', 'closed')
),
spans AS (
    SELECT project_id, kind, opened_day, closed_day, is_closed,
           -- greatest() skips NULLs: without a due date an item is never overdue
           CASE WHEN due_date IS NOT NULL AND opened_day IS NOT NULL
                THEN greatest(opened_day, due_date + 1) END AS overdue_from
    FROM items
),
events AS (
    -- per item, up to five dated deltas: open +1 / -1 at the edges of its open span, overdue +1 / -1
    -- at the edges of its overdue span, closed +1 on its closing day (undated ones are dropped below)
    SELECT project_id, kind, unnest([
        {'day': opened_day, 'd_open': 1, 'd_overdue': 0, 'd_closed': 0},
        {'day': CASE WHEN opened_day IS NOT NULL AND closed_day IS NOT NULL THEN greatest(closed_day, opened_day) END,
         'd_open': -1, 'd_overdue': 0, 'd_closed': 0},
        {'day': CASE WHEN closed_day IS NULL OR overdue_from < closed_day THEN overdue_from END,
         'd_open': 0, 'd_overdue': 1, 'd_closed': 0},
        {'day': CASE WHEN overdue_from < closed_day THEN closed_day END,
         'd_open': 0, 'd_overdue': -1, 'd_closed': 0},
        {'day': CASE WHEN is_closed THEN coalesce(closed_day, opened_day) END,
         'd_open': 0, 'd_overdue': 0, 'd_closed': 1}
    ], recursive := true)
    FROM spans
),
daily AS (
    SELECT project_id, day,
           sum(d_open) FILTER (WHERE kind = 'rfi') AS rfi_open,
           sum(d_overdue) FILTER (WHERE kind = 'rfi') AS rfi_overdue,
           sum(d_closed) FILTER (WHERE kind = 'rfi') AS rfi_closed,
           sum(d_open) FILTER (WHERE kind = 'submittal') AS sub_open,
           sum(d_overdue) FILTER (WHERE kind = 'submittal') AS sub_overdue,
           sum(d_closed) FILTER (WHERE kind = 'submittal') AS sub_closed
    FROM events
    WHERE day IS NOT NULL AND day <= $end::DATE
    GROUP BY ALL
),
running AS (
    SELECT project_id, day,
           sum(coalesce(rfi_open, 0)) OVER w AS rfis_open,
           sum(coalesce(rfi_overdue, 0)) OVER w AS rfis_overdue,
           sum(coalesce(rfi_closed, 0)) OVER w AS rfis_closed_to_date,
           sum(coalesce(sub_open, 0)) OVER w AS submittals_open,
           sum(coalesce(sub_overdue, 0)) OVER w AS submittals_overdue,
           sum(coalesce(sub_closed, 0)) OVER w AS submittals_closed_to_date
    FROM daily
    WINDOW w AS (PARTITION BY project_id ORDER BY day ROWS UNBOUNDED PRECEDING)
),
grid AS (
    SELECT d.metric_date::DATE AS metric_date, p.project_id, p.company_id
    FROM range($start::DATE, $end::DATE + 1, INTERVAL 1 DAY) AS d(metric_date)
    CROSS JOIN projects AS p
)
SELECT g.metric_date, g.project_id, g.company_id,
       coalesce(r.rfis_open, 0)::BIGINT AS rfis_open,
       coalesce(r.rfis_overdue, 0)::BIGINT AS rfis_overdue,
       coalesce(r.rfis_closed_to_date, 0)::BIGINT AS rfis_closed_to_date,
       coalesce(r.submittals_open, 0)::BIGINT AS submittals_open,
       coalesce(r.submittals_overdue, 0)::BIGINT AS submittals_overdue,
       coalesce(r.submittals_closed_to_date, 0)::BIGINT AS submittals_closed_to_date
FROM grid AS g
ASOF LEFT JOIN running AS r
  ON r.project_id = g.project_id AND r.day <= g.metric_date;
