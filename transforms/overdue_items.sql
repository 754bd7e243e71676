-- grain: one row per overdue open RFI or submittal
-- marts.overdue_items: one row per open RFI or open submittal whose due date is before today
-- ($today in the configured zone; due today is not overdue), with a link into Procore: the RFI's
-- own `link` when Procore sent one, else {web}/{project}/project/rfi/show/{id}; submittals
-- {web}/{project}/project/submittal_logs/{id} (Procore's web routes: docs/procore-facts.md).
CREATE OR REPLACE TABLE marts.overdue_items AS
WITH projects AS (
    SELECT id FROM raw.projects WHERE _deleted_at IS NULL
),
rfis AS (
    SELECT project_id, 'rfi' AS item_type, id AS item_id,
           coalesce(full_number, number) AS number, subject AS title, due_date,
           ball_in_court_name AS ball_in_court,
           coalesce(nullif(link, ''), $web_base || '/' || project_id || '/project/rfi/show/' || id) AS url
    FROM raw.rfis
    WHERE _deleted_at IS NULL AND lower(status) = 'open' AND due_date < $today
),
submittals AS (
    SELECT project_id, 'submittal' AS item_type, id AS item_id,
           coalesce(formatted_number, number) AS number, title, due_date,
           ball_in_court_name AS ball_in_court,
           $web_base || '/' || project_id || '/project/submittal_logs/' || id AS url
    FROM raw.submittals
    WHERE _deleted_at IS NULL AND lower(status) = 'open' AND due_date < $today
),
items AS (
    SELECT * FROM rfis
    UNION ALL
    SELECT * FROM submittals
)
SELECT project_id, item_type, item_id, number, title, due_date,
       ($today::DATE - due_date)::INTEGER AS days_overdue,
       ball_in_court, url
FROM items
WHERE project_id IN (SELECT id FROM projects)
ORDER BY project_id, days_overdue DESC, item_type, item_id;
