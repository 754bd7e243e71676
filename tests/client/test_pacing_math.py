"""The pacer's decisions at given moments, with a fake clock (no sleeping, no server)."""

from __future__ import annotations

import pytest

from procore_source.errors import RateLimitedError
from procore_source.pacing import RESET_MARGIN, Pacer

pytestmark = pytest.mark.timeout(10)


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def headers(limit: int, remaining: int, reset: float) -> dict[str, str]:
    return {"X-Rate-Limit-Limit": str(limit), "X-Rate-Limit-Remaining": str(remaining),
            "X-Rate-Limit-Reset": str(int(reset))}


def test_bursts_while_plenty_left():
    clock = Clock()
    pacer = Pacer(clock=clock)
    assert pacer.acquire() == 0
    pacer.release(headers(100, 90, 1010))
    assert pacer.wait_needed(clock.now)[0] == 0


def test_spreads_the_rest_over_the_window():
    clock = Clock()
    pacer = Pacer(clock=clock)
    pacer.acquire()
    pacer.release(headers(100, 10, 1010))  # 10 left for 10 s: one per second
    wait, reason = pacer.wait_needed(clock.now)
    assert wait == pytest.approx((10 + RESET_MARGIN) / 10)
    assert "spreading" in reason


def test_waits_for_reset_when_spent_and_counts_in_flight():
    clock = Clock()
    pacer = Pacer(clock=clock)
    pacer.acquire()
    pacer.release(headers(2, 1, 1004))
    assert pacer.acquire() == 0  # in flight: the last request of the window
    wait, reason = pacer.wait_needed(clock.now)
    assert wait == pytest.approx(4 + RESET_MARGIN)
    assert "used up" in reason
    clock.now = 1005
    assert pacer.wait_needed(clock.now)[0] == 0  # window rolled over: full again


def test_out_of_order_responses_keep_the_lowest_remaining():
    clock = Clock()
    pacer = Pacer(clock=clock)
    pacer.release(headers(100, 3, 1010))
    pacer.release(headers(100, 7, 1010))
    assert pacer.state().remaining == 3


def test_hourly_budget_and_longest_wait():
    clock = Clock()
    pacer = Pacer(clock=clock, hourly_budget=2, max_wait=60)
    pacer.acquire()
    pacer.release(None)
    pacer.acquire()
    pacer.release(None)
    with pytest.raises(RateLimitedError, match="PROCORE_HOURLY_REQUEST_BUDGET"):
        pacer.acquire()
    clock.now += 3600
    assert pacer.acquire() == 0


def test_block_until_holds_everyone():
    clock = Clock()
    pacer = Pacer(clock=clock)
    pacer.block_until(clock.now + 3)
    assert pacer.wait_needed(clock.now)[0] == pytest.approx(3)


def test_repeated_headers_take_the_tightest_window():
    from procore_source.pacing import parse_rate_limit

    state = parse_rate_limit({"X-Rate-Limit-Limit": "100, 3600", "X-Rate-Limit-Remaining": "0, 3000",
                              "X-Rate-Limit-Reset": "1002, 4000"})
    assert (state.limit, state.remaining, state.reset) == (100, 0, 1002.0)
    assert parse_rate_limit({"X-Rate-Limit-Limit": "x"}) is None
