"""`ProcoreClient`: JSON reads, paginated record iteration and stream reads against the Procore API.

One client per run, shared by all threads: it holds the token provider, one pacer per company and
the run's counters. Lists are read with the largest page each endpoint allows, following
`rel="next"` on the configured API base while keeping the caller's parameters.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from procore_source.auth import TokenProvider, make_token_provider
from procore_source.counters import RequestCounters
from procore_source.errors import MalformedResponseError
from procore_source.pacing import Pacer
from procore_source.pagination import (
    Params,
    as_params,
    link_path,
    merge_params,
    page_number,
    parse_link_header,
    records_of,
)
from procore_source.settings import ProcoreSettings
from procore_source.streams import Stream
from procore_source.token_store import TokenStore
from procore_source.transport import Transport


class PagedRead(Iterator[dict]):
    """The records of one paginated list, fetched page by page as they are consumed.

    After the first page, `total` is its `Total` header (Procore's count at the time page 1 was
    served; None when absent or not a number); `records` counts what was yielded and `pages` the
    pages read. A read is known complete only when the distinct ids read reach `total` (see
    `missing`): records deleted or filtered out between page fetches shift later ones up a page.
    """

    def __init__(self) -> None:
        self.total: int | None = None
        self.records = 0
        self.pages = 0
        self._records: Iterator[dict] = iter(())

    def __iter__(self) -> PagedRead:
        return self

    def __next__(self) -> dict:
        record = next(self._records)
        self.records += 1
        return record

    def missing(self, distinct_read: int) -> int:
        """How many records page 1's `Total` promised beyond `distinct_read` (0 when no Total was sent)."""
        return 0 if self.total is None else max(0, self.total - distinct_read)


def _total(response: Any) -> int | None:
    try:
        return int(response.headers.get("Total", ""))
    except ValueError:
        return None


class ProcoreClient:
    """A thread-safe Procore REST client; share one per run across threads."""

    def __init__(self, settings: ProcoreSettings, *, token_store: TokenStore | None = None,
                 token_provider: TokenProvider | None = None) -> None:
        self.settings = settings
        self.counters = RequestCounters()
        self.tokens = token_provider or make_token_provider(settings, token_store)
        self._pacers: dict[int, Pacer] = {}
        self._pacers_lock = threading.Lock()
        self._transport = Transport(settings, self.tokens, self.counters, self.pacer)

    def pacer(self, company_id: int) -> Pacer:
        """The pacer shared by every request of `company_id`."""
        with self._pacers_lock:
            pacer = self._pacers.get(company_id)
            if pacer is None:
                pacer = Pacer(hourly_budget=self.settings.hourly_request_budget,
                              max_wait=self.settings.max_rate_limit_wait, label=str(company_id))
                self._pacers[company_id] = pacer
            return pacer

    def get_json(self, path: str, *, company_id: int, params: dict[str, Any] | None = None) -> Any:
        """GET `path` for `company_id` and return its JSON; `MalformedResponseError` when it is not JSON."""
        response = self._transport.get(path, company_id=company_id, params=as_params(params))
        return _json(response)

    def send_json(self, method: str, path: str, *, company_id: int, params: dict[str, Any] | None = None,
                  json: Any = None) -> Any:
        """POST/PATCH/PUT/DELETE `json` to `path` for `company_id`; the JSON answer, or None when empty.

        Writes are not retried on 5xx or connection errors (they may have reached Procore); they do
        get the one refresh on 401 and wait out rate limits like reads.
        """
        response = self._transport.request(method.upper(), path, company_id=company_id,
                                           params=as_params(params), json=json)
        return _json(response) if response.content else None

    def iter_records(self, path: str, *, company_id: int, params: dict[str, Any] | None = None,
                     per_page: int = 1000) -> PagedRead:
        """Every record of a paginated list, page by page (`per_page` is capped by `PROCORE_PAGE_SIZE`);
        the returned `PagedRead` also carries page 1's `Total`."""
        read = PagedRead()
        read._records = self._pages(read, path, company_id=company_id, params=params, per_page=per_page)
        return read

    def _pages(self, read: PagedRead, path: str, *, company_id: int, params: dict[str, Any] | None,
               per_page: int) -> Iterator[dict]:
        if self.settings.page_size:
            per_page = min(per_page, self.settings.page_size)
        caller = [(k, v) for k, v in as_params(params) if k not in ("page", "per_page")]
        request_params: Params = [*caller, ("page", "1"), ("per_page", str(per_page))]
        seen_pages: set[int] = set()
        while True:
            response = self._transport.get(path, company_id=company_id, params=request_params)
            records = records_of(_json(response), response.url)
            if read.pages == 0:
                read.total = _total(response)
            read.pages += 1
            self.counters.add(records=len(records))
            yield from records
            next_url = parse_link_header(response.headers.get("Link")).get("next")
            if not records or not next_url:
                return
            seen_pages.add(page_number(request_params) or 0)
            path, request_params = link_path(next_url, self.settings.api_base_url), merge_params(caller, next_url)
            if (page_number(request_params) or 0) in seen_pages:
                raise MalformedResponseError("the Link header's rel=\"next\" points back to a page already read",
                                             url=response.url)

    def read_stream(self, stream: Stream, scope_ids: dict[str, int], since: datetime | None = None,
                    until: datetime | None = None) -> PagedRead:
        """Every record of `stream` in `scope_ids`, changed in [since, until] where the endpoint filters."""
        path, params = stream.request(scope_ids, since=since, until=until)
        return self.iter_records(path, company_id=scope_ids["company_id"], params=params,
                                 per_page=stream.max_per_page)

    def read_recycle_bin(self, stream: Stream, scope_ids: dict[str, int], since: datetime | None = None,
                         until: datetime | None = None) -> PagedRead:
        """The deleted records of `stream` (its recycle bin); ValueError for streams without one."""
        request = stream.recycle_bin_request(scope_ids, since=since, until=until)
        if request is None:
            raise ValueError(f"stream {stream.name!r} has no recycle bin; its deletions need a full re-read")
        path, params = request
        return self.iter_records(path, company_id=scope_ids["company_id"], params=params,
                                 per_page=stream.max_per_page)

    def track(self) -> AbstractContextManager[RequestCounters]:
        """Counters of only this thread's requests inside the `with` block (the totals still count them)."""
        return self.counters.track()

    def close(self) -> None:
        """Close the HTTP sessions."""
        self._transport.close()

    def __enter__(self) -> ProcoreClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        raise MalformedResponseError("the response is not valid JSON", status=response.status_code,
                                     url=response.url, body=response.text) from None
