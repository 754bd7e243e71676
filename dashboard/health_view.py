"""The "Pipeline health" view of a company token: freshness per stream, problem projects, rate-limit use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard import formatting as fmt
from dashboard import queries
from dashboard.views import back_to_list

HOUR, DAY, WEEK = timedelta(hours=1), timedelta(days=1), timedelta(weeks=1)
CADENCE_WORDS = {HOUR: "hourly", DAY: "daily", WEEK: "weekly"}
# The streams' names on the page, in the order shown when the snapshot names no cadence (an older one).
STREAM_LABELS = {"rfis": "RFIs", "submittals": "Submittals", "projects": "Projects",
                 "budget_views": "Budget views", "budget_rows": "Budget rows"}
HIGH_USE = 0.8  # warn when the last hour's requests reach this share of the limit


def _utc(moment) -> datetime | None:
    if fmt.is_missing(moment):
        return None
    stamp = pd.Timestamp(moment)
    return (stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)).to_pydatetime()


def stream_cadences(frame: pd.DataFrame) -> dict[str, timedelta]:
    """Stream -> how often the pipeline syncs it, from the snapshot's `meta.stream_cadence` (most frequent
    first); empty for a snapshot published before the table existed."""
    if frame.empty:
        return {}
    return {str(r.stream): timedelta(seconds=int(r.cadence_seconds)) for r in frame.itertuples(index=False)}


def is_stale(stream: str, last_success, now: datetime, cadences: dict[str, timedelta]) -> bool:
    """True when `stream` never synced successfully or did so longer ago than twice its cadence (a stream the
    snapshot gives no cadence: daily)."""
    moment = _utc(last_success)
    return moment is None or now - moment > 2 * cadences.get(stream, DAY)


def _short_ago(moment, now: datetime) -> str:
    """`fmt.ago` short enough for a narrow KPI card: `14 min ago`."""
    return fmt.ago(moment, now).replace(" minutes", " min").replace(" minute", " min")


def _cadence_text(stream: str, cadences: dict[str, timedelta]) -> str:
    every = cadences.get(stream, DAY)
    return CADENCE_WORDS.get(every) or f"every {every.total_seconds() / 3600:g} hours"


def _streams(df: pd.DataFrame, cadences: dict[str, timedelta], now: datetime) -> None:
    st.subheader("Last successful sync", anchor=False)
    if df.empty:
        st.info("No sync has been recorded yet. Figures appear here after the next sync.", icon="⏳")
        return
    rows = {r.stream: r for r in df.itertuples(index=False)}
    known = list(cadences or STREAM_LABELS)
    names = known + sorted(set(rows) - set(known))
    cards = st.columns(len(names))
    stale = []
    for card, name in zip(cards, names, strict=True):
        row = rows.get(name)
        last = row.last_success_at if row is not None else None
        card.metric(STREAM_LABELS.get(name, name), _short_ago(last, now), border=True,
                    help=f"Synced {_cadence_text(name, cadences)}")
        if is_stale(name, last, now, cadences):
            stale.append(name)
    for name in stale:
        when = fmt.ago(rows[name].last_success_at, now) if name in rows else "never"
        st.warning(f"{STREAM_LABELS.get(name, name)}: last successful sync {when}, more than twice its "
                   f"{_cadence_text(name, cadences)} cadence.", icon="⚠️")
    synced = [rows[n] for n in names if n in rows]
    table = pd.DataFrame({
        "Stream": [STREAM_LABELS.get(r.stream, r.stream) for r in synced],
        "Last success": [fmt.ago(r.last_success_at, now) for r in synced],
        "Last attempt": [fmt.ago(r.last_attempt_at, now) for r in synced],
        "Latest run": [str(r.last_status) for r in synced],
        "Projects ok": [int(r.projects_ok) for r in synced],
        "Skipped": [int(r.projects_skipped) for r in synced],
        "Failed": [int(r.projects_failed) for r in synced],
    })
    st.dataframe(table, hide_index=True, width="stretch")


def _problems(df: pd.DataFrame, now: datetime) -> None:
    st.subheader("Projects skipped or failing", anchor=False)
    if df.empty:
        st.success("Every project synced in the latest runs.", icon="✅")
        return
    table = pd.DataFrame({
        "Project": ["Company-wide" if int(r.project_id) == 0 else
                    (str(r.project_name) if not fmt.is_missing(r.project_name) else f"Project {int(r.project_id)}")
                    for r in df.itertuples(index=False)],
        "Stream": [STREAM_LABELS.get(s, s) for s in df["stream"]],
        "Status": df["status"].astype(str).tolist(),
        "Why": ["" if fmt.is_missing(e) else str(e) for e in df["error"]],
        "When": [fmt.ago(t, now) for t in df["occurred_at"]],
    })
    st.caption("Skipped: Procore refused access (tool disabled or project not visible to the app). "
               "Failed: the read went wrong and is retried on the next run.")
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"Why": st.column_config.TextColumn("Why", width="large")})


def _until(moment: datetime, now: datetime) -> str:
    seconds = int((moment - now).total_seconds())
    if seconds < 0:
        return "already reset"
    minutes = seconds // 60
    if minutes == 0:
        return "in less than a minute"
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"


def _window_text(row, name: str, now: datetime) -> tuple[str, str]:
    """(value, help) of one window's card: `2,900 of 3,600 left` and when Procore said so."""
    limit = row.get(f"{name}_limit")
    if fmt.is_missing(limit):
        return "not seen yet", ("Procore reports whichever window is closest to running out; this one has not "
                                "been reported yet")
    reset = _utc(row.get(f"{name}_reset_at"))
    seen = fmt.ago(row.get(f"{name}_observed_at"), now)
    if reset is not None and reset <= now:
        return f"{int(limit):,} limit", f"Seen {seen}; that window has reset since"
    remaining = row.get(f"{name}_remaining")
    left = "–" if fmt.is_missing(remaining) else f"{int(remaining):,}"
    when = "" if reset is None else f"; resets at {reset:%H:%M:%S} UTC ({_until(reset, now)})"
    return f"{left} of {int(limit):,} left", f"Seen {seen}{when}"


def _rate_limit(df: pd.DataFrame, now: datetime) -> None:
    st.subheader("Requests against the rate limit", anchor=False)
    if df.empty:
        st.info("No request figures yet. They appear here after the next sync.", icon="⏳")
        return
    row = df.iloc[0].to_dict()
    used, hourly = int(row["requests_last_hour"]), row.get("hourly_limit")
    a, b, c = st.columns(3)
    a.metric("Requests in the last hour", f"{used:,}" if fmt.is_missing(hourly) else f"{used:,} of {int(hourly):,}",
             border=True, help="Requests the syncs made in the hour before this snapshot, against Procore's hourly "
                               "limit")
    for card, name, label in ((b, "hourly", "Hourly window"), (c, "spike", "10-second window")):
        value, help_text = _window_text(row, name, now)
        card.metric(label, value, border=True, help=help_text)
    if fmt.is_missing(hourly) or int(hourly) <= 0:
        st.caption("The hourly limit is not known yet: Procore's headers describe whichever window is closest to "
                   "running out, and so far that was the 10-second window. It appears after a sync that sees it.")
        return
    share = used / int(hourly)
    st.progress(min(1.0, share), text=f"{share:.0%} of the hourly limit used in the last hour")
    if share >= HIGH_USE:
        st.warning("The syncs use most of the company's hourly request limit: other integrations may be "
                   "slowed down. Consider PROCORE_HOURLY_REQUEST_BUDGET.", icon="⚠️")


def render(path: str, version: str, company_id: int, now: datetime | None = None) -> None:
    """The health page of `company_id` (the token's own company; nothing of other companies is read)."""
    now = now or datetime.now(UTC)
    bundle = queries.health_bundle(path, version, company_id)
    st.title("Pipeline health", anchor=False)
    st.button("← Projects", key="back_to_list", on_click=back_to_list)
    _streams(bundle["streams"], stream_cadences(bundle["cadence"]), now)
    _problems(bundle["problems"], now)
    _rate_limit(bundle["rate_limit"], now)
