-- checks: marts.project_metrics
-- severity: ERROR
-- blocking: yes
-- description: Only impossible states block publishing: a negative count, more overdue than open, or a total
--   that is not open + closed + draft + other (`*_other` holds NULL or unknown statuses, so odd data never
--   fails it).
-- failing rows: projects whose counts are negative or do not add up
SELECT project_id FROM marts.project_metrics
WHERE least(rfis_total, rfis_open, rfis_closed, rfis_draft, rfis_other, rfis_overdue, submittals_total,
            submittals_open, submittals_closed, submittals_draft, submittals_other, submittals_overdue) < 0
   OR rfis_total <> rfis_open + rfis_closed + rfis_draft + rfis_other
   OR submittals_total <> submittals_open + submittals_closed + submittals_draft + submittals_other
   OR rfis_overdue > rfis_open OR submittals_overdue > submittals_open
