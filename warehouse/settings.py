"""The warehouse's part of the deployment settings: the SQL models' `TransformSettings` from `PipelineSettings`.

Without Dagster, the transforms run on the warehouse as

    settings = PipelineSettings.from_env()
    with Warehouse(settings.data_dir).connect() as con:
        run_all(con, transform_settings(settings))
"""

from __future__ import annotations

from pipeline_settings import PipelineSettings
from transforms.settings import TransformSettings


def transform_settings(settings: PipelineSettings) -> TransformSettings:
    """The models' settings: the timezone of "today", links into Procore, the budget view and labels, the pin."""
    return TransformSettings.from_values(timezone=settings.timezone, web_base_url=settings.web_base_url,
                                         budget_view=settings.budget_view, budget_labels=settings.budget_labels,
                                         as_of=settings.as_of)
