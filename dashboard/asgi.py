"""The ASGI launcher `procore-dashboard serve` runs: `app.py` wrapped in the security headers.

`streamlit run dashboard/asgi.py` finds the `st.App` below and serves it on uvicorn with the
usual Streamlit flags (base URL path, XSRF, ...), so no separate proxy process is needed.
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from dashboard.security import SecurityHeadersMiddleware
from dashboard.settings import DashboardSettings

app = st.App(
    str(Path(__file__).with_name("app.py")),
    middleware=[Middleware(SecurityHeadersMiddleware,
                           frame_ancestors=DashboardSettings.from_env().frame_ancestors)],
)
