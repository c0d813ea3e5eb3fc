"""The registry's read side: turn what a user typed into a subject, and assemble its file.

Shared by the CLI and the web layer so that both give the same answer and the same reasons.
"""

from xinyong.registry.files import BeyondJournal, SubjectFile, pin_position, read_subject_file
from xinyong.registry.lookup import ResolvedCode, resolve_code

__all__ = [
    "BeyondJournal",
    "ResolvedCode",
    "SubjectFile",
    "pin_position",
    "read_subject_file",
    "resolve_code",
]
