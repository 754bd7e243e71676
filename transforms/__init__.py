"""SQL models that build per-project metrics (`marts.*`) from the raw tables.

Usable without Dagster: `run_all(con, settings)` rebuilds every model on a DuckDB connection to the
warehouse (`settings` from `TransformSettings.from_values(...)`, or from the deployment's variables
with `warehouse.settings.transform_settings(PipelineSettings.from_env())`);
`record_budget_snapshot(con, settings)` records today's budget; `rebuild_history(con, settings, start,
end)` the daily history.
"""

from transforms.budget_snapshots import record_budget_snapshot
from transforms.history import rebuild_history
from transforms.runner import MODELS, Model, run_all, run_model
from transforms.settings import TransformSettings, TransformSettingsError

__all__ = [
    "MODELS", "Model", "TransformSettings", "TransformSettingsError", "rebuild_history", "record_budget_snapshot",
    "run_all", "run_model",
]
