"""The deployment settings several packages share, each read and parsed in one place.

`PipelineSettings.from_env()` reads them all at once (the Dagster code location does so once, at load);
`variables` holds one parser per variable for packages that need only a few (the dashboard, the
webhooks, the client). A leaf package: it imports nothing of this project.
"""

from pipeline_settings.settings import PipelineSettings
from pipeline_settings.variables import SettingsError

__all__ = ["PipelineSettings", "SettingsError"]
