"""An edition's control devices: the bearer tokens of the hardware control API (a Stream Deck through
Bitfocus Companion, a script), made by those who manage the edition and listed to those who run the
show. A token is shown once, in the answer to its creation, and never stored (only its digest)."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...domain import control as rules
from ...domain.text import InvalidField
from ...extensions import db
from ...services import audit
from ...services import control as control_service
from ..i18n import field_error
from ..pages import public_base_url
from ..unit import by_method
from . import bp, requires
from .auth import current_account
from .editions import edition_or_404


def _page(edition, *, errors: dict | None = None, name: str = "", created: dict | None = None, status: int = 200):
    base = f"{public_base_url()}{url_for('control_api.state', slug=edition.slug)}".removesuffix("/state")
    response = make_response(render_template(
        "organiser/control/devices.html", edition=edition, devices=control_service.devices(edition.id),
        errors=errors or {}, name=name, created=created, api_base=base, actions=list(rules.ACTIONS),
        max_chars=rules.DEVICE_NAME_MAX_CHARS), status)
    response.headers["Cache-Control"] = "no-store"  # a page that shows a token: kept by no cache, no back button
    return response


@bp.route("/editions/<int:edition_id>/control", methods=["GET", "POST"])
@requires("live", write="editions.manage")
@by_method
def control_devices(edition_id: int):
    edition = edition_or_404(edition_id)
    if request.method == "GET":
        return _page(edition)
    typed = request.form.get("name", "")[: rules.DEVICE_NAME_MAX_CHARS * 8]
    try:
        name = rules.check_device_name(typed)
    except InvalidField as refused:
        return _page(edition, errors={"name": field_error(refused.code, refused.limit)}, name=typed, status=400)
    account = current_account()
    device, token = control_service.create_device(edition_id, name=name,
                                                  created_by_id=account.id if account is not None else None)
    audit.record(db.current(), "control_device_create", edition_id=edition_id, object_type="control_device",
                 object_id=device.id)
    return _page(edition, created={"name": device.name, "token": token}, status=201)


@bp.post("/editions/<int:edition_id>/control/revoke")
@requires("editions.manage")
@db.write()
def revoke_control_device(edition_id: int):
    edition_or_404(edition_id)
    chosen = request.form.get("device_id", "")
    device = control_service.revoke_device(edition_id, int(chosen)) if chosen.isdecimal() and len(chosen) < 10 else None
    if device is None:
        abort(404)
    audit.record(db.current(), "control_device_revoke", edition_id=edition_id, object_type="control_device",
                 object_id=device.id)
    flash(_("Jeton révoqué : « %(name)s » ne peut plus rien commander.", name=device.name))
    return redirect(url_for(".control_devices", edition_id=edition_id), code=303)
