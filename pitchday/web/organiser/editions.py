"""An edition's page, its settings, its moderator links and the lengths of its talks."""
from __future__ import annotations

import base64

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...domain.editions import form_values, format_duration, validate
from ...domain.forms import durations_form
from ...domain.shapes import Refused
from ...extensions import db
from ...services import access, accounts, editions, qr
from ..i18n import field_error
from ..pages import public_base_url
from ..unit import by_method
from . import bp, requires

EDITION_FIELDS = ("series", "number", "title", "theme", "slug", "day", "doors", "talks_start", "end", "venue",
                  "partners", "deadline_day", "deadline_time", "talks_wanted", "slides_day", "slides_time", "pitch_ms", "qa_ms", "changeover_ms",
                  "connect_retention_days", "applications_retention_days")


def _link_view(link):
    url = f"{public_base_url()}/m/{access.moderator_token(link)}"
    return {
        "id": link.id, "label": link.label, "url": url, "holder": link.holder_name,
        "qr": "data:image/svg+xml;base64," + base64.b64encode(qr.svg(url)).decode(),
        "expires": link.expires_at,  # written by the template's paris filter, as every date
        "revoked": link.revoked_at is not None,
    }


def edition_or_404(edition_id: int):
    edition = editions.get_edition(edition_id)
    if edition is None:
        abort(404)
    return edition


@bp.get("/editions/<int:edition_id>/")
@requires("area")
@db.read()
def edition(edition_id: int):
    """Everything about one evening at a glance: where it stands, its public links, its moderator links."""
    found = edition_or_404(edition_id)
    form = None
    if found.applications_close_at is not None:  # the public form exists: its address, to share and print
        url = f"{public_base_url()}{url_for('apply.form', slug=found.slug)}"
        form = {"url": url, "qr": "data:image/svg+xml;base64," + base64.b64encode(qr.svg(url)).decode()}
    return render_template("organiser/edition.html", edition=found, overview=editions.overview(edition_id),
                           application_form=form,
                           links=[_link_view(link) for link in access.moderator_links(edition_id)],
                           base_url=public_base_url(), holders=accounts.console_accounts(edition_id))


def _edition_form(template_values: dict, errors: dict, *, edition=None, status: int = 200):
    return render_template("organiser/edition_form.html", values=template_values, errors=errors, edition=edition), status


@bp.route("/editions/new", methods=["GET", "POST"])
@requires("editions.manage")
@by_method
def new_edition():
    if request.method == "GET":
        return _edition_form(editions.new_edition_defaults(), {})
    values = {name: request.form.get(name, "")[:3000] for name in EDITION_FIELDS}
    clean, errors = validate(values)
    created, errors = (None, errors) if errors else editions.create_edition(clean)
    if errors:
        return _edition_form(values, {e.field: field_error(e.code, e.limit) for e in errors}, status=400)
    flash(_("Édition créée."))
    return redirect(url_for(".edition", edition_id=created.id), code=303)


@bp.route("/editions/<int:edition_id>/edit", methods=["GET", "POST"])
@requires("editions.manage")
@by_method
def edit_edition(edition_id: int):
    found = edition_or_404(edition_id)
    if request.method == "GET":
        return _edition_form(form_values(found), {}, edition=found)
    values = {name: request.form.get(name, "")[:3000] for name in EDITION_FIELDS}
    clean, errors = validate(values)
    errors = errors or editions.update_edition(edition_id, clean)
    if errors:
        return _edition_form(values, {e.field: field_error(e.code, e.limit) for e in errors}, edition=found, status=400)
    flash(_("Réglages enregistrés."))
    return redirect(url_for(".edition", edition_id=edition_id), code=303)


@bp.post("/editions/<int:edition_id>/moderator-links")
@requires("editions.manage")
@db.write()
def create_link(edition_id: int):
    edition_or_404(edition_id)
    label = request.form.get("label", "").strip()[:100]
    holder = request.form.get("holder_name", "")[:100]
    # Or for a régie account of the edition: the link then stops with the account.
    chosen = request.form.get("holder_account", "")[:20]
    account = next((a for a in accounts.console_accounts(edition_id) if str(a.id) == chosen), None) if chosen else None
    access.create_moderator_link(edition_id, hours=current_app.config["PITCHDAY_MODERATOR_LINK_HOURS"], label=label,
                                 holder_name=account.display_name if account else holder,
                                 account_id=account.id if account else None)
    flash(_("Lien de régie créé."))
    return redirect(url_for(".edition", edition_id=edition_id) + "#moderator-links", code=303)


@bp.post("/moderator-links/<int:link_id>/revoke")
@requires("editions.manage")
@db.write()
def revoke_link(link_id: int):
    link = access.revoke_moderator_link(link_id)
    if link is None:
        abort(404)
    flash(_("Lien révoqué : les tablettes qui l'utilisaient n'ont plus accès à la régie."))
    return redirect(url_for(".edition", edition_id=link.edition_id) + "#moderator-links", code=303)


@bp.route("/editions/<int:edition_id>/durations", methods=["GET", "POST"])
@requires("programme")
@by_method
def durations(edition_id: int):
    from ...services import show as show_service

    edition = edition_or_404(edition_id)
    values = {"pitch": format_duration(edition.pitch_ms), "qa": format_duration(edition.qa_ms)}
    for talk in edition.pitches:
        values[f"pitch-{talk.id}"] = format_duration(talk.pitch_ms)
        values[f"qa-{talk.id}"] = format_duration(talk.qa_ms)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {key: request.form.get(key, "")[:10] for key in values}
        try:
            parsed = durations_form([t.id for t in edition.pitches]).parse(values)
        except Refused as refused:
            errors = {e.field: _("Indiquez une durée (ex. 5:00).") if e.code == "required" else
                      _("Durée entre 0:01 et 60:00, au format minutes:secondes (ex. 5:00).") for e in refused.errors}
        else:
            show_service.set_durations(
                edition_id, pitch_ms=parsed.pitch, qa_ms=parsed.qa,
                overrides={t.id: (getattr(parsed, f"pitch_{t.id}"), getattr(parsed, f"qa_{t.id}"))
                           for t in edition.pitches})
            flash(_("Durées enregistrées."))
            return redirect(url_for(".durations", edition_id=edition_id))
    return render_template("organiser/durations.html", edition=edition, values=values, errors=errors), \
        (400 if errors else 200)


