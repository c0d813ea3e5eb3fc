"""Why a workflow step was not taken, in the three ways a caller must tell apart."""

from __future__ import annotations


class WorkflowError(Exception):
    status = 422

    def __init__(self, *reasons: str) -> None:
        self.reasons = list(reasons)
        super().__init__("; ".join(reasons))


class Forbidden(WorkflowError):
    """The caller's role or agency may not take this step (HTTP 403)."""

    status = 403


class NotVisible(WorkflowError):
    """The caller may not see the thing, or it does not exist (HTTP 404): the two are not told
    apart, so that probing ids reveals nothing."""

    status = 404


class Refused(WorkflowError):
    """The step is not possible now, with the reason (HTTP 422)."""

    status = 422
