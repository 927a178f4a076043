"""Personal data: the privacy notice's settings, export and erasure for one person, the audit log."""
from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ...domain import accessibility as statement_rules
from ...domain import privacy as rules

from ...domain.forms import NoticeSettings, PersonLookup
from ...domain.shapes import Refused
from ...services import accessibility, privacy
from ..i18n import field_error
from ..unit import by_method
from . import bp, requires


@bp.route("/privacy", methods=["GET", "POST"])
@requires("privacy")
@by_method
def privacy_settings():
    """Who the controller is, how to reach the DPO, purposes, recipients, rights (blank: default wording)."""
    values, errors = privacy.notice_settings(), {}
    if request.method == "POST":
        values = {name: request.form.get(name, "")[:limit * 2] for name, limit in privacy.SETTING_FIELDS.items()}
        try:
            privacy.save_notice_settings(NoticeSettings.parse(values))
        except Refused as refused:
            errors = {e.field: field_error(e.code, e.limit) for e in refused.errors}
        else:
            flash(_("Mentions enregistrées : elles s'affichent sur la page « Vos données personnelles » de chaque édition."))
            return redirect(url_for(".privacy_settings"), code=303)
    return render_template("organiser/privacy_settings.html", values=values, errors=errors), 400 if errors else 200


def counted(key: str, count: int) -> str:
    """"3 demandes d'échange": a count of the privacy log or of an erasure, in words."""
    if key in rules.COUNT_LABELS:
        return ngettext(*rules.COUNT_LABELS[key], count)
    return _("%(what)s : %(count)d", what=key, count=count)  # a count another feature added, not named here yet


def action_label(action: str) -> str:
    return _(rules.ACTION_LABELS[action]) if action in rules.ACTION_LABELS else action


@bp.route("/personal-data", methods=["GET", "POST"])
@requires("privacy")
@by_method
def personal_data():
    """Find what is held about one e-mail address, then export it or erase it."""
    typed = (request.values.get("email") or "")[:300]
    email, held, error = None, None, None
    if typed:
        try:
            # Looked up case-insensitively: the stored addresses keep the case people typed.
            email = PersonLookup.parse({"email": typed}).email.lower()
            held = privacy.held_about(email)
        except Refused as refused:
            error = field_error(refused.errors[0].code, refused.errors[0].limit)
    if request.method == "POST" and email is not None:
        if request.form.get("action") == "export":
            # The person's language, chosen by the organiser who answers them; the keys stay the same.
            exported = privacy.export_for(email, language=request.form.get("language") or "fr")
            data = json.dumps(exported, ensure_ascii=False, indent=2)
            return Response(data, mimetype="application/json", headers={
                "Content-Disposition": "attachment; filename=donnees-personnelles.json", "Cache-Control": "no-store"})
        if request.form.get("action") == "erase":
            if request.form.get("confirm") != "yes":
                error = _("Cochez la case de confirmation : l'effacement est définitif.")
            else:
                counts = privacy.erase(email)
                flash(_("Effacé : %(what)s.", what=", ".join(counted(key, counts[key]) for key in rules.HELD_KINDS)))
                return redirect(url_for(".personal_data"), code=303)
    status = 400 if error else 200
    return render_template("organiser/personal_data.html", typed=typed, email=email, error=error,
                           held=None if held is None else [counted(key, held[key]) for key in rules.HELD_KINDS],
                           log=privacy.audit_log(), counted=counted, action_label=action_label), status


@bp.route("/accessibility", methods=["GET", "POST"])
@requires("privacy")
@by_method
def accessibility_settings():
    """The accessibility statement: conformity level, audit, non-accessible content, contact."""
    values, errors = accessibility.stored(), {}
    if request.method == "POST":
        values = {name: request.form.get(name, "")[:statement_rules.LIMITS.get(name, 20) * 2]
                  for name in statement_rules.DEFAULTS}
        try:
            accessibility.save(statement_rules.parse_settings(values))
        except Refused as refused:
            errors = {e.field: field_error(e.code, e.limit) for e in refused.errors}
        else:
            flash(_("Déclaration d'accessibilité enregistrée : elle est liée depuis le pied de chaque page."))
            return redirect(url_for(".accessibility_settings"), code=303)
    levels = [(code, _(statement_rules.CONFORMITY_LABELS[code])) for code in statement_rules.CONFORMITY_LEVELS]
    return render_template("organiser/accessibility_settings.html", values=values, errors=errors, levels=levels,
                           controller=privacy.controller_name()), 400 if errors else 200
