"""The ASGI launcher `procore-dashboard serve` runs: `app.py` behind the route gate and the security headers.

`streamlit run dashboard/asgi.py` finds the `st.App` below and serves it on uvicorn with the
usual Streamlit flags (base URL path, XSRF, ...), so no separate proxy process is needed.
Middleware listed first runs first: headers on every response, then the gate (see `dashboard.gate`).
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from dashboard.access_store import AccessStore
from dashboard.gate import GateMiddleware
from dashboard.security import SecurityHeadersMiddleware
from dashboard.settings import BASE_URL_PATH, DashboardSettings

_settings = DashboardSettings.from_env()
_store = AccessStore(_settings.database_url)  # engine created lazily, on the first CSV download

app = st.App(
    str(Path(__file__).with_name("app.py")),
    middleware=[
        Middleware(SecurityHeadersMiddleware, frame_ancestors=_settings.frame_ancestors,
                   static_prefix=f"/{BASE_URL_PATH}/static/"),
        Middleware(GateMiddleware, base_path=BASE_URL_PATH, live_digests=_store.live_digests),
    ],
)
