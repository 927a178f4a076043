"""Single sign-on's first rule: only an address the provider vouches for names anyone."""
from __future__ import annotations

import pytest

from pitchday.domain.forms import AuditFilter
from pitchday.domain.shapes import Refused
from pitchday.services.oidc import SsoRefused, verified_email

pytestmark = pytest.mark.unit


def test_a_verified_address_is_taken_lower_cased():
    assert verified_email({"email": " Lea.Fontaine@Example.org ", "email_verified": True}) == "lea.fontaine@example.org"


@pytest.mark.parametrize("claims, code", [
    ({}, "no_email"),
    ({"email": "", "email_verified": True}, "no_email"),
    ({"email": 42, "email_verified": True}, "no_email"),
    ({"email": "a\x00@example.org", "email_verified": True}, "no_email"),
    ({"email": "x" * 250 + "@example.org", "email_verified": True}, "no_email"),
    ({"email": "lea@example.org"}, "unverified"),
    ({"email": "lea@example.org", "email_verified": False}, "unverified"),
    # Not the provider's boolean: refused, whatever it seems to say.
    ({"email": "lea@example.org", "email_verified": "true"}, "unverified"),
    ({"email": "lea@example.org", "email_verified": 1}, "unverified"),
])
def test_anything_else_is_refused_with_its_reason(claims, code):
    with pytest.raises(SsoRefused) as refused:
        verified_email(claims)
    assert refused.value.code == code


def test_audit_filters_parse_blank_as_no_filter_and_refuse_garbage_per_field():
    assert AuditFilter.parse({"actor": "", "action": "", "edition": "", "since": "", "until": ""}).model_dump() == {
        "actor": None, "action": None, "edition": None, "since": None, "until": None}
    chosen = AuditFilter.parse({"actor": "7", "action": "organiser.edit_edition", "edition": "3",
                                "since": "2026-03-01", "until": "2026-03-31"})
    assert (chosen.actor, chosen.action, chosen.edition, str(chosen.since)) == (7, "organiser.edit_edition", 3,
                                                                              "2026-03-01")
    with pytest.raises(Refused) as refused:
        AuditFilter.parse({"actor": "٣", "action": "DROP TABLE", "edition": "0", "since": "01/03/2026",
                           "until": "2026-02-30"})
    assert {e.field: e.code for e in refused.value.errors} == {
        "actor": "invalid_choice", "action": "invalid_choice", "edition": "invalid_choice",
        "since": "invalid_date", "until": "invalid_date"}
