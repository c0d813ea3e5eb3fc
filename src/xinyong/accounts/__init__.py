"""Who may do what: user accounts, roles, API tokens, web sessions and CSRF tokens."""

from xinyong.accounts.roles import ROLES, Principal, Role, anonymous
from xinyong.accounts.users import (
    AccountError,
    User,
    add_user,
    authenticate,
    disable_user,
    find_user,
    issue_token,
    principal_for_token,
    principal_of,
    set_role,
)

__all__ = [
    "ROLES",
    "AccountError",
    "Principal",
    "Role",
    "User",
    "add_user",
    "anonymous",
    "authenticate",
    "disable_user",
    "find_user",
    "issue_token",
    "principal_for_token",
    "principal_of",
    "set_role",
]
