-- grain: one row per project
-- marts.project_metrics: one row per (not deleted) project: identity, RFI and submittal counts
-- and timings as of $as_of (today = $today in the configured zone), and the budget of the
-- project's chosen view summed over its rows (NULL where the view lacks a measure or there is none).
-- last_synced_at: the latest successful sync of any of the project's streams or of its company's project
-- list, from the temp view project_sync_times that the runner creates first (meta.sync_state, or raw
-- _synced_at when the warehouse has no meta.sync_state).
-- rfis_other / submittals_other count items whose status is NULL or none of the known ones (Procore
-- may add statuses): they are in the totals, so total = open + closed + draft + other.
CREATE OR REPLACE TABLE marts.project_metrics AS
WITH projects AS (
    SELECT * FROM raw.projects WHERE _deleted_at IS NULL
),
rfis AS (
    SELECT *, lower(status) AS state, coalesce(initiated_at, created_at) AS opened_at
    FROM raw.rfis WHERE _deleted_at IS NULL
),
rfi_stats AS (
    SELECT project_id,
           count(*) AS rfis_total,
           count(*) FILTER (WHERE state = 'open') AS rfis_open,
           count(*) FILTER (WHERE state IN ('closed', 'closed_with_revision')) AS rfis_closed,
           count(*) FILTER (WHERE state IN ('draft', 'closed_draft')) AS rfis_draft,
           count(*) FILTER (WHERE state IS NULL
                            OR state NOT IN ('open', 'closed', 'closed_with_revision', 'draft', 'closed_draft'))
               AS rfis_other,
           count(*) FILTER (WHERE state = 'open' AND due_date < $today) AS rfis_overdue,
           avg(date_diff('second', opened_at, time_resolved) / 86400.0)
               FILTER (WHERE state IN ('closed', 'closed_with_revision') AND time_resolved IS NOT NULL)
               AS rfi_avg_days_to_close,
           avg(date_diff('second', opened_at, $as_of::TIMESTAMPTZ) / 86400.0)
               FILTER (WHERE state = 'open') AS rfi_open_avg_age_days,
           sum(cost_impact_value) FILTER (WHERE cost_impact_status = 'yes_known') AS rfi_cost_impact_total,
           sum(schedule_impact_days) FILTER (WHERE schedule_impact_status = 'yes_known')
               AS rfi_schedule_impact_days
    FROM rfis
    GROUP BY project_id
),
submittals AS (
    SELECT *, lower(status) AS state FROM raw.submittals WHERE _deleted_at IS NULL
),
submittal_stats AS (
    SELECT project_id,
           count(*) AS submittals_total,
           count(*) FILTER (WHERE state = 'open') AS submittals_open,
           count(*) FILTER (WHERE state = 'closed') AS submittals_closed,
           count(*) FILTER (WHERE state = 'draft') AS submittals_draft,
           count(*) FILTER (WHERE state IS NULL OR state NOT IN ('open', 'closed', 'draft')) AS submittals_other,
           count(*) FILTER (WHERE state = 'open' AND due_date < $today) AS submittals_overdue
    FROM submittals
    GROUP BY project_id
),
approver_reviews AS (
    -- one row per approver response with both dates (dates may come as timestamps: keep the day)
    SELECT s.project_id,
           try_cast(left(json_extract_string(a.value, '$.sent_date'), 10) AS DATE) AS sent,
           try_cast(left(json_extract_string(a.value, '$.returned_date'), 10) AS DATE) AS returned
    FROM submittals AS s, json_each(s.approvers) AS a
    WHERE json_type(s.approvers) = 'ARRAY'
),
review_stats AS (
    SELECT project_id, avg(returned - sent)::DOUBLE AS submittal_avg_review_days
    FROM approver_reviews
    WHERE sent IS NOT NULL AND returned IS NOT NULL
    GROUP BY project_id
),
budget_stats AS (
    SELECT v.project_id, v.budget_view_name,
           sum(b.original_budget)::DECIMAL(18, 2) AS original_budget,
           sum(b.budget_modifications)::DECIMAL(18, 2) AS budget_modifications,
           sum(b.approved_changes)::DECIMAL(18, 2) AS approved_changes,
           sum(b.revised_budget)::DECIMAL(18, 2) AS revised_budget,
           sum(b.committed_costs)::DECIMAL(18, 2) AS committed_costs,
           sum(b.direct_costs)::DECIMAL(18, 2) AS direct_costs,
           sum(b.pending_changes)::DECIMAL(18, 2) AS pending_changes,
           sum(b.projected_costs)::DECIMAL(18, 2) AS projected_costs,
           sum(b.projected_over_under)::DECIMAL(18, 2) AS projected_over_under
    FROM marts.project_budget_view AS v
    LEFT JOIN marts.budget_row_measures AS b USING (project_id, budget_view_id)
    GROUP BY v.project_id, v.budget_view_name
),
sync_stats AS (
    -- the project's own streams plus its company's projects stream (project_id 0)
    SELECT p.id AS project_id, max(t.last_synced_at) AS last_synced_at
    FROM projects AS p
    JOIN project_sync_times AS t
      ON t.company_id = p.company_id AND (t.project_id = p.id OR (t.project_id = 0 AND t.stream = 'projects'))
    GROUP BY p.id
)
SELECT p.id AS project_id,
       p.company_id,
       coalesce(p.display_name, p.name) AS project_name,
       p.project_number,
       p.stage,
       p.active,
       p.start_date,
       p.completion_date,
       sy.last_synced_at::TIMESTAMPTZ AS last_synced_at,
       coalesce(r.rfis_total, 0) AS rfis_total,
       coalesce(r.rfis_open, 0) AS rfis_open,
       coalesce(r.rfis_closed, 0) AS rfis_closed,
       coalesce(r.rfis_draft, 0) AS rfis_draft,
       coalesce(r.rfis_overdue, 0) AS rfis_overdue,
       r.rfi_avg_days_to_close::DOUBLE AS rfi_avg_days_to_close,
       r.rfi_open_avg_age_days::DOUBLE AS rfi_open_avg_age_days,
       coalesce(r.rfi_cost_impact_total, 0)::DECIMAL(18, 2) AS rfi_cost_impact_total,
       coalesce(r.rfi_schedule_impact_days, 0)::BIGINT AS rfi_schedule_impact_days,
       coalesce(s.submittals_total, 0) AS submittals_total,
       coalesce(s.submittals_open, 0) AS submittals_open,
       coalesce(s.submittals_closed, 0) AS submittals_closed,
       coalesce(s.submittals_draft, 0) AS submittals_draft,
       coalesce(s.submittals_overdue, 0) AS submittals_overdue,
       rv.submittal_avg_review_days,
       b.original_budget, b.budget_modifications, b.approved_changes, b.revised_budget,
       b.committed_costs, b.direct_costs, b.pending_changes, b.projected_costs, b.projected_over_under,
       CASE WHEN b.revised_budget <> 0
            THEN (100.0 * b.committed_costs / b.revised_budget)::DOUBLE END AS pct_committed,
       b.budget_view_name,
       $web_base || '/' || p.id || '/project/home' AS procore_url,
       -- added after the contract's columns (never reorder them): statuses outside the known ones
       coalesce(r.rfis_other, 0) AS rfis_other,
       coalesce(s.submittals_other, 0) AS submittals_other
FROM projects AS p
LEFT JOIN rfi_stats AS r ON r.project_id = p.id
LEFT JOIN submittal_stats AS s ON s.project_id = p.id
LEFT JOIN review_stats AS rv ON rv.project_id = p.id
LEFT JOIN budget_stats AS b ON b.project_id = p.id
LEFT JOIN sync_stats AS sy ON sy.project_id = p.id
ORDER BY p.id;
