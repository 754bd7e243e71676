-- project_sync_times (temp view), for a warehouse without meta.sync_state (rows written by hand or by a
-- generator, never by the ingestion): the newest _synced_at of each project's rows, per stream. This is the
-- time of the last change, not of the last sync; the runner uses it only when meta.sync_state is absent.
CREATE OR REPLACE TEMP VIEW project_sync_times AS
SELECT company_id, id AS project_id, 'projects' AS stream, _synced_at AS last_synced_at FROM raw.projects
UNION ALL
SELECT company_id, project_id, 'rfis', max(_synced_at) FROM raw.rfis GROUP BY ALL
UNION ALL
SELECT company_id, project_id, 'submittals', max(_synced_at) FROM raw.submittals GROUP BY ALL
UNION ALL
SELECT company_id, project_id, 'budget_rows', max(_synced_at) FROM raw.budget_rows GROUP BY ALL;
