-- project_sync_times (temp view): one row per (company, project, stream) with the last SUCCESSFUL sync of
-- that stream, from meta.sync_state (written by the ingestion in the transaction of the rows it read;
-- last_synced_at is set only by successful reads, project_id 0 = a company-scoped stream).
-- raw._synced_at cannot say this: rows are rewritten only when they change, so it is the last CHANGE.
CREATE OR REPLACE TEMP VIEW project_sync_times AS
SELECT company_id, project_id, stream, last_synced_at
FROM meta.sync_state
WHERE last_synced_at IS NOT NULL;
