-- grain: one row per (project, cost code)
-- marts.budget_by_cost_code: one row per (project, cost code) of the chosen budget view, the
-- budget measures summed over its rows (categories, unbudgeted rows), and the variance
-- (revised budget minus projected costs; NULL when either is unknown).
CREATE OR REPLACE TABLE marts.budget_by_cost_code AS
WITH rows AS (
    SELECT *, coalesce(cost_code, wbs_code, '(none)') AS code
    FROM marts.budget_row_measures
)
SELECT project_id,
       code AS cost_code,
       sum(original_budget)::DECIMAL(18, 2) AS original_budget,
       sum(budget_modifications)::DECIMAL(18, 2) AS budget_modifications,
       sum(approved_changes)::DECIMAL(18, 2) AS approved_changes,
       sum(revised_budget)::DECIMAL(18, 2) AS revised_budget,
       sum(committed_costs)::DECIMAL(18, 2) AS committed_costs,
       sum(direct_costs)::DECIMAL(18, 2) AS direct_costs,
       sum(pending_changes)::DECIMAL(18, 2) AS pending_changes,
       sum(projected_costs)::DECIMAL(18, 2) AS projected_costs,
       sum(projected_over_under)::DECIMAL(18, 2) AS projected_over_under,
       (sum(revised_budget) - sum(projected_costs))::DECIMAL(18, 2) AS variance
FROM rows
GROUP BY project_id, code
ORDER BY project_id, cost_code;
