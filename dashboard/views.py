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


def render_no_projects(show_health: bool = False) -> None:
    """A valid group or company token whose projects are not in the snapshot (yet); a company token
    (`show_health`) still gets its way to the pipeline-health view."""
    st.title("Projects", anchor=False)
    if show_health:
        health_button()
    st.info("No projects to show yet. Projects appear here after their first sync.", icon="📭")


def render_project_not_synced() -> None:
    """A valid project token whose project is not in the snapshot (yet)."""
    st.title("Project dashboard", anchor=False)
    st.info("This project has not been synced yet. Its dashboard appears after the next sync.", icon="⏳")


# Navigation. Button callbacks run with the query parameters of the rerun that clicked them, so they
# change only the view and the project and never write `api_token`: the token the next page checks is
# the one the current request carries. (A callback holding the token as an argument would hand it to
# whoever resumes the session and clicks the old button.)
NAVIGATION_PARAMS = ("project_id", "procore_project_id", "view")


def _navigate(**changes: str) -> None:
    for key in NAVIGATION_PARAMS:
        if key in st.query_params:
            del st.query_params[key]
    for key, value in changes.items():
        st.query_params[key] = value


def open_project(project_id: int) -> None:
    """Button callback: show one project, dropping Procore's context id and any view."""
    _navigate(project_id=str(project_id))


def back_to_list() -> None:
    """Button callback: back to the project list."""
    _navigate()


def open_health() -> None:
    """Button callback: the pipeline-health view of a company token."""
    _navigate(view="health")


def health_button() -> None:
    """The list page's way to the pipeline-health view (company tokens only)."""
    st.button("Pipeline health", key="pipeline_health", icon="🩺", on_click=open_health)
