"""Following a job to its end: server-sent events (``GET /jobs/:id/events``), else polling, with a tqdm bar.

Ctrl-C while following cancels the job on the server (``DELETE /jobs/:id``) and then raises KeyboardInterrupt,
so an interrupted notebook cell does not leave work running.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from httpx_sse import SSEError, connect_sse
from tqdm.auto import tqdm

from ._models import Job
from .errors import JobCancelled, JobFailed

#: Bar resolution: progress 0..1 shown in thousandths.
_TICKS = 1000


def job_events(http: httpx.Client, job_id: str, path: str) -> Iterator[tuple[str, Job]]:
    """(event name, job) for each server-sent event until ``done`` or ``error``."""
    timeout = httpx.Timeout(10.0, read=60.0)  # the server sends a heartbeat every 15 s
    with connect_sse(http, "GET", path, timeout=timeout) as source:
        source.response.raise_for_status()
        for event in source.iter_sse():
            job = Job.model_validate(json.loads(event.data))
            yield event.event, job
            if event.event in ("done", "error"):
                return


class JobFollower:
    """Follows one job; ``get`` and ``cancel`` are the client's ``get_job`` and ``cancel_job``."""

    def __init__(
        self,
        http: httpx.Client,
        get: Callable[[str], Job],
        cancel: Callable[[str], Job],
        events_path: Callable[[str], str],
        poll_interval: float = 0.5,
    ) -> None:
        self._http = http
        self._get = get
        self._cancel = cancel
        self._events_path = events_path
        self._poll = poll_interval

    def wait(self, job: Job, *, progress: bool, description: str | None = None) -> Any:
        """Blocks until the job ends; returns its result, raises JobFailed / JobCancelled."""
        bar = tqdm(total=_TICKS, desc=description or job.kind, unit="‰", disable=not progress, leave=False)
        try:
            final = self._follow(job, bar)
        except KeyboardInterrupt:
            try:
                self._cancel(job.id)
                print(f"ripple: cancelled job {job.id}", file=sys.stderr)
            except Exception as err:  # the interrupt matters more than a failed cancel
                print(f"ripple: could not cancel job {job.id}: {err}", file=sys.stderr)
            raise
        finally:
            bar.close()
        if final.state == "succeeded":
            if final.result is None:
                final = self._get(final.id)
            return final.result
        detail = final.error.detail if final.error else final.state
        if final.state == "cancelled":
            raise JobCancelled(final.id, detail)
        raise JobFailed(final.id, final.error.status if final.error else 500, final.error.code if final.error else "internal", detail)

    def _follow(self, job: Job, bar: Any) -> Job:
        if job.done:
            return job
        try:
            for _, current in job_events(self._http, job.id, self._events_path(job.id)):
                self._show(bar, current)
                if current.done:
                    return current
        except (httpx.TransportError, httpx.HTTPStatusError, SSEError, ValueError):
            pass  # no event stream (a proxy, an old server): poll instead
        while True:
            current = self._get(job.id)
            self._show(bar, current)
            if current.done:
                return current
            time.sleep(self._poll)

    @staticmethod
    def _show(bar: Any, job: Job) -> None:
        target = round(job.progress * _TICKS)
        if target > bar.n:
            bar.update(target - bar.n)
        post = job.state if job.eta_ms is None else f"{job.state}, server ETA {job.eta_ms / 1000:.1f}s"
        bar.set_postfix_str(post, refresh=False)
