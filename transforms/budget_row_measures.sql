-- grain: one row per budget detail row of the chosen view, with every measure
-- marts.budget_row_measures: one row per budget detail row (budgeted and unbudgeted) of each
-- project's chosen view, with every budget measure. Label-named columns are mapped through
-- marts.budget_label_map; where the view has no column for a measure the measure is NULL.
-- Amounts are Procore's strings: "$1,200.00" and "(500.00)" (negative) are read; a cell that is
-- still not a number ("N/A") is NULL and counted in `unreadable_cells`, so one odd cell cannot
-- stop the metrics of every project (the `budget_cells_readable` check names it).
CREATE OR REPLACE TABLE marts.budget_row_measures AS
WITH chosen_rows AS (
    SELECT r.*
    FROM raw.budget_rows AS r
    JOIN marts.project_budget_view AS v
      ON v.project_id = r.project_id AND v.budget_view_id = r.budget_view_id
    WHERE r._deleted_at IS NULL
),
labelled AS (
    -- one row per (budget row, label cell) that the map knows
    SELECT project_id, budget_view_id, budget_row_id, measure, priority, amount_text,
           TRY_CAST(regexp_replace(CASE WHEN amount_text LIKE '(%)' THEN '-' || amount_text ELSE amount_text END,
                                   '[$,()\s]', '', 'g') AS DECIMAL(18, 2)) AS amount
    FROM (
        SELECT c.project_id, c.budget_view_id, c.budget_row_id, m.measure, m.priority,
               trim(json_extract_string(e.value, '$')) AS amount_text
        FROM chosen_rows AS c, json_each(c.label_amounts) AS e
        JOIN marts.budget_label_map AS m ON m.label = e.key
    )
),
unreadable AS (
    SELECT project_id, budget_view_id, budget_row_id, count(*) AS unreadable_cells
    FROM labelled
    WHERE amount IS NULL AND amount_text <> ''
    GROUP BY ALL
),
preferred AS (
    -- a view carrying two labels for one measure uses the earlier label of the map
    SELECT project_id, budget_view_id, budget_row_id, measure,
           arg_min(amount, priority) AS amount
    FROM labelled
    GROUP BY ALL
),
pivoted AS (
    SELECT project_id, budget_view_id, budget_row_id,
           max(amount) FILTER (WHERE measure = 'approved_changes') AS approved_changes,
           max(amount) FILTER (WHERE measure = 'revised_budget') AS revised_budget,
           max(amount) FILTER (WHERE measure = 'committed_costs') AS committed_costs,
           max(amount) FILTER (WHERE measure = 'direct_costs') AS direct_costs,
           max(amount) FILTER (WHERE measure = 'pending_changes') AS pending_changes,
           max(amount) FILTER (WHERE measure = 'projected_costs') AS projected_costs,
           max(amount) FILTER (WHERE measure = 'projected_over_under') AS projected_over_under
    FROM preferred
    GROUP BY ALL
)
SELECT c.project_id, c.company_id, c.budget_view_id, c.budget_row_id,
       c.cost_code, c.category, c.wbs_code,
       c.id IS NULL AS unbudgeted,
       c.original_budget_amount AS original_budget,
       c.budget_modifications,
       p.approved_changes, p.revised_budget, p.committed_costs, p.direct_costs,
       p.pending_changes, p.projected_costs, p.projected_over_under,
       coalesce(u.unreadable_cells, 0) AS unreadable_cells,
       c._synced_at AS synced_at
FROM chosen_rows AS c
LEFT JOIN pivoted AS p USING (project_id, budget_view_id, budget_row_id)
LEFT JOIN unreadable AS u USING (project_id, budget_view_id, budget_row_id);
