"""Project profiles: how big, how busy, how late and how far over budget each seeded project is.

A real company is uneven: a few large busy projects carry most of the RFIs, the overdue items and the
overruns; most projects are medium; some are tiny (bidding, pre-construction) with no RFIs or no
budget yet; closed and warranty projects are quiet (everything closed, nothing recent). Each seeded
project draws one profile, deterministically from the seed; `records_per_project` is the size of a
medium project, so the company's total stays near `projects x records_per_project`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

KINDS = ("busy", "steady", "small", "tiny", "closed")
_KIND_WEIGHTS = (8, 55, 15, 10, 12)
# (stage id, stage name) weights per kind, over vocab.STAGES
_STAGE_WEIGHTS = {
    "busy": (0, 1, 8, 0, 0), "steady": (0, 1, 8, 0, 0), "small": (1, 2, 3, 0, 0),
    "tiny": (2, 2, 1, 0, 0), "closed": (0, 0, 0, 1, 1),
}
_SCALE = {"busy": (2.0, 3.0), "steady": (0.7, 1.3), "small": (0.15, 0.45), "closed": (0.4, 0.9)}
_OVERRUN_CHANCE = {"busy": 0.7, "steady": 0.25, "small": 0.15, "tiny": 0.0, "closed": 0.3}
_LATE_SHARE = {"busy": (0.55, 0.8), "steady": (0.1, 0.35), "small": (0.0, 0.2), "tiny": (0.0, 0.0),
               "closed": (0.0, 0.0)}
MAX_PER_RESOURCE = 9_000  # below the id layout's stride of 10,000 per project


@dataclass(frozen=True)
class Profile:
    """What one project holds and how it behaves."""

    kind: str
    rfis: int
    submittals: int
    change_events: int
    budget_rows: int  # rows per budget view; 0 = views without rows (no budget yet)
    late_share: float  # share of open RFIs and submittals already past their due date
    over_budget: bool  # projected costs run above the revised budget
    closed: bool  # every RFI and submittal closed, nothing changed lately

    @property
    def cost_ratio(self) -> tuple[float, float]:
        """Range of committed cost / revised budget per budget line."""
        if self.closed:
            return (0.93, 1.08) if self.over_budget else (0.88, 1.0)
        return (1.0, 1.3) if self.over_budget else (0.45, 0.95)


def _count(rng: random.Random, records: int, kind: str) -> int:
    low, high = _SCALE[kind]
    return min(MAX_PER_RESOURCE, max(1, round(records * rng.uniform(low, high))))


def draw_profile(rng: random.Random, n: int, records: int) -> Profile:
    """The profile of a company's `n`-th project; the first is busy and the second steady, so even a
    two-project sandbox has data to show."""
    kind = "busy" if n == 0 else "steady" if n == 1 else rng.choices(KINDS, weights=_KIND_WEIGHTS)[0]
    late_low, late_high = _LATE_SHARE[kind]
    late_share = rng.uniform(late_low, late_high)
    over_budget = rng.random() < _OVERRUN_CHANCE[kind]
    if records == 0:
        return Profile(kind, 0, 0, 0, 0, late_share, over_budget, kind == "closed")
    if kind == "tiny":
        rfis = rng.choice((0, 0, 0, 1, 2))
        rows = rng.choice((0, 0, 3))
        return Profile(kind, rfis, rng.choice((0, 0, 1, 2)), 0, rows, 0.0, False, False)
    rfis = _count(rng, records, kind)
    submittals = min(MAX_PER_RESOURCE, max(1, rfis * 4 // 5))
    rows = min(4_000, max(3, records // 2) * (3 if kind == "busy" else 2) // 2)
    return Profile(kind, rfis, submittals, rfis // 5, rows, late_share, over_budget, kind == "closed")


def stage_weights(kind: str) -> tuple[int, ...]:
    """Weights over `vocab.STAGES` for a project of this kind."""
    return _STAGE_WEIGHTS[kind]
