"""The registry's read side: turn what a user typed into a subject, and assemble its file.

Shared by the CLI and the web layer so that both give the same answer and the same reasons.
"""

from xinyong.registry.files import SubjectFile, read_subject_file
from xinyong.registry.lookup import resolve_code

__all__ = ["SubjectFile", "read_subject_file", "resolve_code"]
