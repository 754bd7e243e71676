-- grain: one row per project with a budget view: the chosen view
-- marts.project_budget_view: one row per (not deleted) project that has a budget view; the view its budget
-- metrics come from: the view named $budget_view when the project has one, else its lowest id.
CREATE OR REPLACE TABLE marts.project_budget_view AS
WITH views AS (
    SELECT project_id, id AS budget_view_id, name AS budget_view_name,
           row_number() OVER (
               PARTITION BY project_id
               ORDER BY (name IS NOT DISTINCT FROM $budget_view) DESC, id
           ) AS preference
    FROM raw.budget_views
    WHERE _deleted_at IS NULL
      AND project_id IN (SELECT id FROM raw.projects WHERE _deleted_at IS NULL)
)
SELECT project_id, budget_view_id, budget_view_name
FROM views
WHERE preference = 1;
