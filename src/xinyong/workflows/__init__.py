"""Due process (DESIGN.md invariant 3): officers' entries under four-eyes review, objections,
credit repair, annual reports and notices. Each step is a change through the one apply path,
taken only by a principal whose role and agency may take it; deadlines are working days."""

from xinyong.workflows.errors import Forbidden, NotVisible, Refused, WorkflowError

__all__ = ["Forbidden", "NotVisible", "Refused", "WorkflowError"]
