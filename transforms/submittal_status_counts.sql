-- grain: one row per (project, status label, coarse status)
-- marts.submittal_status_counts: one row per (project, company status label, coarse status)
-- with the number of submittals in it.
CREATE OR REPLACE TABLE marts.submittal_status_counts AS
SELECT s.project_id,
       coalesce(s.status_name, s.status, '(none)') AS status_name,
       s.status,
       count(*) AS submittals
FROM raw.submittals AS s
WHERE s._deleted_at IS NULL
  AND s.project_id IN (SELECT id FROM raw.projects WHERE _deleted_at IS NULL)
GROUP BY ALL
ORDER BY s.project_id, status_name, s.status;
