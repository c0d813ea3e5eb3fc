"""The roles of DESIGN.md's users table, and the principal a request acts as."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

# public: anyone, not signed in. subject: an enterprise's own account, bound to its code.
# officer: enters data for an agency. reviewer: the second pair of eyes of that agency.
# authority: decides listings. admin: manages accounts. auditor: reads everything, changes nothing.
# system: an agency system calling with an API key (`xinyong apikey`), scoped to routes.
Role = Literal[
    "public", "subject", "officer", "reviewer", "authority", "admin", "auditor", "system"
]
ROLES: tuple[Role, ...] = get_args(Role)
# Roles that act for an agency and so must name one.
AGENCY_ROLES: frozenset[str] = frozenset({"officer", "reviewer", "authority", "system"})
# Roles a person can hold (system belongs to API keys).
USER_ROLES: tuple[Role, ...] = tuple(r for r in ROLES if r not in ("public", "system"))


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts as. `actor` is what the journal records as accountable."""

    role: Role
    name: str = ""
    agency: str | None = None
    subject_key: str | None = None
    user_id: int | None = None
    via: Literal["anonymous", "session", "token", "apikey"] = "anonymous"
    scopes: tuple[str, ...] = ()
    email: str | None = None

    @property
    def actor(self) -> str:
        if self.via == "apikey":
            return self.name  # apikey:<agency>:<key id>
        return f"user:{self.name}" if self.name else "public"

    @property
    def signed_in(self) -> bool:
        return self.via != "anonymous"


def anonymous() -> Principal:
    return Principal("public")
