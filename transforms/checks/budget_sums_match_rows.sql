-- checks: marts.project_metrics
-- severity: ERROR
-- blocking: yes
-- description: Budget measures equal the sums of the rows they come from: original budget and modifications
--   against the raw rows of the chosen view, every measure against the mapped rows
--   (`marts.budget_row_measures`, which `project_metrics` is built from, so every job that builds
--   `project_metrics` has it; `budget_by_cost_code` is not in `hourly_sync`).
-- failing rows: projects whose budget differs from its rows
WITH raw_sums AS (
    SELECT v.project_id, sum(r.original_budget_amount) AS original_budget,
           sum(r.budget_modifications) AS budget_modifications
    FROM marts.project_budget_view AS v
    JOIN raw.budget_rows AS r ON r.budget_view_id = v.budget_view_id AND r.project_id = v.project_id
    WHERE r._deleted_at IS NULL GROUP BY v.project_id),
code_sums AS (
    SELECT project_id,
           sum(original_budget) AS original_budget, sum(budget_modifications) AS budget_modifications,
           sum(approved_changes) AS approved_changes, sum(revised_budget) AS revised_budget,
           sum(committed_costs) AS committed_costs, sum(direct_costs) AS direct_costs,
           sum(pending_changes) AS pending_changes, sum(projected_costs) AS projected_costs,
           sum(projected_over_under) AS projected_over_under
    FROM marts.budget_row_measures GROUP BY project_id)
SELECT m.project_id FROM marts.project_metrics AS m
LEFT JOIN raw_sums AS r USING (project_id)
LEFT JOIN code_sums AS c USING (project_id)
WHERE m.original_budget IS DISTINCT FROM r.original_budget
   OR m.budget_modifications IS DISTINCT FROM r.budget_modifications
   OR (c.project_id IS NOT NULL AND (
           m.original_budget IS DISTINCT FROM c.original_budget
        OR m.budget_modifications IS DISTINCT FROM c.budget_modifications
        OR m.approved_changes IS DISTINCT FROM c.approved_changes
        OR m.revised_budget IS DISTINCT FROM c.revised_budget
        OR m.committed_costs IS DISTINCT FROM c.committed_costs
        OR m.direct_costs IS DISTINCT FROM c.direct_costs
        OR m.pending_changes IS DISTINCT FROM c.pending_changes
        OR m.projected_costs IS DISTINCT FROM c.projected_costs
        OR m.projected_over_under IS DISTINCT FROM c.projected_over_under))
