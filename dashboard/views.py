"""Page-level states shared by the app: the refusal page, empty states, and navigation."""

from __future__ import annotations

import streamlit as st

REFUSAL_TITLE = "This dashboard is not available"
REFUSAL_TEXT = ("The link you followed is not valid, has expired, or does not give access to this page. "
                "Ask your Procore administrator for a new link.")
FIRST_SYNC_TITLE = "Your data is on its way"
FIRST_SYNC_TEXT = ("The first sync is still running. The dashboard fills in as soon as it finishes; "
                   "reload this page in a few minutes.")
UNAVAILABLE_TITLE = "The dashboard is temporarily unavailable"
UNAVAILABLE_TEXT = "Something went wrong on our side. Please reload the page in a moment."


PAGE_CSS = "<style>.block-container{padding-top:1.5rem;padding-bottom:2rem}</style>"


def apply_page_style() -> None:
    """Tighten Streamlit's top padding: inside Procore's frame every pixel of height counts."""
    st.markdown(PAGE_CSS, unsafe_allow_html=True)


def render_refusal() -> None:
    """The one page every refused request gets: it names no project, id or count."""
    st.title(REFUSAL_TITLE, anchor=False)
    st.write(REFUSAL_TEXT)


def render_first_sync() -> None:
    """Shown to a valid token while no serving snapshot exists yet."""
    st.title(FIRST_SYNC_TITLE, anchor=False)
    st.info(FIRST_SYNC_TEXT, icon="⏳")


def render_unavailable() -> None:
    """Shown when the snapshot or the access store cannot be read; no error details."""
    st.title(UNAVAILABLE_TITLE, anchor=False)
    st.write(UNAVAILABLE_TEXT)


def render_no_projects(health_token: str | None = None) -> None:
    """A valid group or company token whose projects are not in the snapshot (yet); a company token
    (`health_token`) still gets its way to the pipeline-health view."""
    st.title("Projects", anchor=False)
    if health_token:
        health_button(health_token)
    st.info("No projects to show yet. Projects appear here after their first sync.", icon="📭")


def render_project_not_synced() -> None:
    """A valid project token whose project is not in the snapshot (yet)."""
    st.title("Project dashboard", anchor=False)
    st.info("This project has not been synced yet. Its dashboard appears after the next sync.", icon="⏳")


def open_project(token: str, project_id: int) -> None:
    """Button callback: show one project, keeping the token and dropping Procore's context id."""
    st.query_params.from_dict({"api_token": token, "project_id": str(project_id)})


def back_to_list(token: str) -> None:
    """Button callback: back to the project list with the same token."""
    st.query_params.from_dict({"api_token": token})


def open_health(token: str) -> None:
    """Button callback: the pipeline-health view of a company token, keeping the token."""
    st.query_params.from_dict({"api_token": token, "view": "health"})


def health_button(token: str) -> None:
    """The list page's way to the pipeline-health view (company tokens only)."""
    st.button("Pipeline health", key="pipeline_health", icon="🩺", on_click=open_health, args=(token,))
