"""The audience's pages (phones): the live page, the "Je veux échanger" form, the privacy notice.

The connect form is a real HTML form (it works without JavaScript, with a CSRF token and a
client id in a hidden field, so a resubmitted form is stored once); with JavaScript, the page
sends it through the socket's offline-safe outbox instead. Both end in ``connections.submit``.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..domain.audience import INTENTS_BY_KIND, MESSAGE_MAX_CHARS
from ..domain.events import ConnectRequest
from ..domain.privacy import LEGAL_BASES
from ..domain.shapes import Refused
from ..extensions import db
from ..services import connections, devices
from ..services import privacy as privacy_service
from .i18n import INTENT_LABELS, field_error, rate_limited, script_strings
from .pages import edition_or_404, render_view
from .unit import by_method

bp = Blueprint("audience", __name__)

FORM_FIELDS = ("name", "organisation", "email", "phone", "intent", "message")


def with_device_cookie(response, device_cookie: str | None = None):
    """Give the phone its device id, unless it already has a valid one."""
    if device_cookie is None and devices.device_from_cookie(request.cookies.get(devices.DEVICE_COOKIE)) is not None:
        return response
    if device_cookie is None:
        _device_id, device_cookie = devices.new_device()
    response.set_cookie(devices.DEVICE_COOKIE, device_cookie, max_age=devices.DEVICE_COOKIE_DAYS * 24 * 3600,
                        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"], path="/")
    return response


def _device_for_post() -> tuple[str, str | None]:
    """The posting phone's device id, and a new cookie to set if it had none."""
    device_id = devices.device_from_cookie(request.cookies.get(devices.DEVICE_COOKIE))
    if device_id is not None:
        return device_id, None
    return devices.new_device()


def _talk_or_404(edition, talk_id: int):
    talk = next((t for t in edition.pitches if t.id == talk_id), None)
    if talk is None:
        abort(404)
    return talk


@bp.get("/e/<slug>/")
@db.read()
def live(slug: str):
    response = current_app.make_response(render_view("audience", slug))
    return with_device_cookie(response)


@bp.route("/e/<slug>/echanger/<int:talk_id>", methods=["GET", "POST"])
@by_method
def connect(slug: str, talk_id: int):
    edition = edition_or_404(slug)
    talk = _talk_or_404(edition, talk_id)
    values = {name: "" for name in FORM_FIELDS} | {"client_id": str(uuid.uuid4()), "consent": False}
    errors: dict[str, str] = {}
    new_cookie = None
    if request.method == "POST":
        values = {name: request.form.get(name, "")[:MESSAGE_MAX_CHARS * 2] for name in FORM_FIELDS}
        values["client_id"] = request.form.get("client_id", "")[:64]
        values["consent"] = request.form.get("consent") == "yes"
        device_id, new_cookie = _device_for_post()
        try:
            answer = connections.submit(edition.id, device_id=device_id, address=request.remote_addr,
                                        sent=ConnectRequest.parse({**values, "talk_id": talk.id}),
                                        locale=str(get_locale()))
        except Refused as refused:
            answer = refused.answer()
        if answer["ok"]:
            response = redirect(url_for(".connect_sent", slug=slug, talk_id=talk.id), code=303)
            return with_device_cookie(response, new_cookie) if new_cookie else response
        error = answer["error"]
        if error["code"] == "invalid":
            errors = {name: field_error(e["code"], e.get("limit")) for name, e in error["fields"].items()}
        elif error["code"] == "rate_limited":
            errors = {"form": rate_limited(error["retry_after"])}
        else:
            errors = {"form": script_strings()["error.generic"]}
    response = current_app.make_response((render_template(
        "audience/connect.html", edition=edition, talk=talk, values=values, errors=errors,
        intents=[(code, str(INTENT_LABELS[code])) for code in INTENTS_BY_KIND[talk.kind]],
        consent_text=connections.consent_sentence(talk, privacy_service.controller_name()), i18n=script_strings(), view="connect",
        message_max=MESSAGE_MAX_CHARS,
    ), 400 if errors else 200))
    return with_device_cookie(response, new_cookie)


@bp.get("/e/<slug>/echanger/<int:talk_id>/envoye")
@db.read()
def connect_sent(slug: str, talk_id: int):
    edition = edition_or_404(slug)
    return render_template("audience/connect_sent.html", edition=edition, talk=_talk_or_404(edition, talk_id))


@bp.get("/e/<slug>/confidentialite")
@db.read()
def privacy(slug: str):
    edition = edition_or_404(slug)
    return render_template("audience/privacy.html", edition=edition, notice=privacy_service.notice_settings(),
                           legal_bases=[(_(what), _(basis)) for what, basis in LEGAL_BASES])
