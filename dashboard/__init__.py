"""The embedded Streamlit dashboard and its access store (project groups and API tokens)."""
