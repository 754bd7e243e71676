-- checks: marts.project_metrics
-- severity: WARN
-- blocking: no
-- description: Warns (never blocks) when budget cells of a mapped label are not numbers ("N/A"): they are
--   left out of the sums (NULL), so the project's budget measures are incomplete until Procore's data is
--   fixed.
-- failing rows: budget rows with unreadable amounts (project, view, row, cells)
SELECT project_id, budget_view_id, budget_row_id, unreadable_cells
FROM marts.budget_row_measures WHERE unreadable_cells > 0
