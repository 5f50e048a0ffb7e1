"""Errors: the server's RFC 9457 problem details as exceptions."""

from __future__ import annotations

from typing import Any


class RippleError(Exception):
    """An error answer of the Ripple API (``application/problem+json``), or a job that failed.

    ``status`` is the HTTP status (or the job's), ``code`` the problem code (``bad-input``, ``not-found``…),
    ``detail`` the server's sentence and ``errors`` the field list of a validation error.
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str = "error",
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.detail = detail
        self.code = code
        self.title = title
        self.errors = errors or []
        self.request_id = request_id
        fields = "; ".join(f"{e.get('path', '')}: {e.get('message', '')}" for e in self.errors)
        extra = f" ({fields})" if fields and fields not in detail else ""
        super().__init__(f"{status} {code}: {detail}{extra}")

    @classmethod
    def from_problem(cls, status: int, body: Any, fallback: str) -> RippleError:
        if not isinstance(body, dict):
            return cls(status, fallback)
        errors = body.get("errors")
        return cls(
            int(body.get("status", status)),
            str(body.get("detail", fallback)),
            code=str(body.get("code", "error")),
            title=body.get("title"),
            errors=errors if isinstance(errors, list) else None,
            request_id=body.get("requestId"),
        )


class JobFailed(RippleError):
    """A job ended in ``failed``; ``job_id`` names it."""

    def __init__(self, job_id: str, status: int, code: str, detail: str) -> None:
        self.job_id = job_id
        super().__init__(status, f"job {job_id} failed: {detail}", code=code)


class JobCancelled(RippleError):
    """A job ended in ``cancelled`` (by ``cancel_job``, Ctrl-C, a deleted graph or a server shutdown)."""

    def __init__(self, job_id: str, detail: str) -> None:
        self.job_id = job_id
        super().__init__(499, f"job {job_id} was cancelled: {detail}", code="cancelled")
