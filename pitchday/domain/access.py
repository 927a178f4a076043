"""Who may do what in the organiser area: the roles, the permissions, and the one table between them.

Pure data and one pure function: the services (``services/accounts.can``), the organiser views
(``@requires``), the navigation and the tests all read this table, and nothing else decides.

A role is granted either for every edition (``edition_id`` None) or for one edition. A permission
asked "for an edition" is given by a grant for that edition or for every edition; a permission
asked with no edition (creating an edition, the accounts page) needs a grant for every edition,
except ``area`` (opening the organiser area at all), which any grant gives.
"""
from __future__ import annotations

from collections.abc import Iterable

ADMIN = "admin"
ORGANISER = "organisateur"
REVIEWER = "relecteur"
REGIE = "regie"
ROLES = (ADMIN, ORGANISER, REVIEWER, REGIE)

# The fixed vocabulary of permissions, with what each one opens.
PERMISSIONS = {
    "area": "open the organiser area and the list of one's editions",
    "editions.manage": "create an edition, change its settings, durations and moderator links",
    "applications.read": "list an edition's applications and read a dossier",
    "applications.review": "add a review to an application",
    "applications.decide": "retain, refuse, import applications",
    "personal_data": "see applicants' and attendees' contact details beyond the dossier",
    "exports": "download files that hold personal data or the report",
    "programme": "edit the running order and the talks",
    "live": "open the moderator console and moderate questions",
    "followup": "the networking follow-up: connect requests, introductions",
    "report": "the report of an evening",
    "accounts": "invite people, give roles, disable accounts",
    "privacy": "privacy settings and requests of a person (export, erasure)",
    "audit": "read the audit trail",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    ADMIN: frozenset(PERMISSIONS),
    ORGANISER: frozenset({"area", "editions.manage", "applications.read", "applications.review",
                          "applications.decide", "personal_data", "exports", "programme", "live", "followup",
                          "report"}),
    REVIEWER: frozenset({"area", "applications.read", "applications.review"}),
    REGIE: frozenset({"area", "live"}),
}

# Permissions that any grant gives, whatever its edition, when asked with no edition.
ANYWHERE = frozenset({"area"})


def allows(grants: Iterable[tuple[str, int | None]], permission: str, edition_id: int | None = None) -> bool:
    """Whether ``grants`` (pairs of role and edition id, None for every edition) give ``permission``
    for ``edition_id`` (None: for no edition in particular, i.e. instance-wide)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    for role, grant_edition in grants:
        if permission not in ROLE_PERMISSIONS.get(role, ()):
            continue
        if grant_edition is None:
            return True
        if edition_id is not None and grant_edition == edition_id:
            return True
        if edition_id is None and permission in ANYWHERE:
            return True
    return False


def roles_allowed(permission: str) -> frozenset[str]:
    """The roles whose table holds ``permission`` (for the role table test and the docs)."""
    return frozenset(role for role, permissions in ROLE_PERMISSIONS.items() if permission in permissions)
