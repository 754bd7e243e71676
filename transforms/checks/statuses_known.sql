-- checks: marts.project_metrics
-- severity: WARN
-- blocking: no
-- description: Warns (never blocks) when RFIs or submittals have a NULL or unknown status (`rfis_other`,
--   `submittals_other`): they count in the totals but in no open/closed/draft bucket.
-- failing rows: projects with RFIs or submittals of an unknown status
SELECT project_id, rfis_other, submittals_other FROM marts.project_metrics
WHERE rfis_other > 0 OR submittals_other > 0
