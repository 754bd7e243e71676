-- checks: marts.project_metrics
-- severity: ERROR
-- blocking: yes
-- description: Exactly one row per project in scope (every not-deleted `raw.projects` row), none extra.
-- failing rows: project ids with other than one row
WITH live AS (SELECT id AS project_id FROM raw.projects WHERE _deleted_at IS NULL),
     rows AS (SELECT project_id, count(*) AS n FROM marts.project_metrics GROUP BY project_id)
SELECT coalesce(l.project_id, r.project_id) AS project_id, coalesce(r.n, 0) AS n
FROM live AS l FULL OUTER JOIN rows AS r USING (project_id)
WHERE r.n IS DISTINCT FROM 1 OR l.project_id IS NULL
