"""Acknowledgements in the socket's language: every refusal code gets a sentence a person can act on.

Services answer with codes and limits only; the wording lives here (and in web.i18n for fields).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..web.i18n import field_error, rate_limited

REFUSALS = {
    # moderator commands
    "stale": _l("L'état a changé entre-temps : vérifiez puis recommencez."),
    "wrong_phase": _l("Impossible à cette étape de la soirée."),
    "no_talk": _l("Il ne reste aucune intervention."),
    "already_paused": _l("Le décompte est déjà en pause."),
    "already_running": _l("Le décompte tourne déjà."),
    "too_short": _l("La phase ne peut pas durer moins de zéro."),
    "too_long": _l("Trop long (une phase dure au plus une heure, un message 140 caractères)."),
    "no_previous": _l("Il n'y a pas d'intervention précédente."),
    "already_current": _l("Cette intervention est déjà sur scène."),
    "bad_order": _l("Le nouvel ordre doit reprendre chaque intervention à venir une seule fois."),
    "not_planned": _l("Cette intervention est déjà passée ou annulée."),
    "on_stage": _l("Cette intervention est sur scène : passez d'abord à la suivante."),
    "no_change": _l("C'est déjà ce qui est affiché."),
    "no_message": _l("Aucun message n'est affiché sur scène."),
    "nothing_to_undo": _l("Rien à annuler."),
    "unknown_talk": _l("Intervention inconnue."),
    "no_spotlight": _l("Aucune question n'est projetée."),
    "no_deck": _l("L'intervention sur scène n'a pas de présentation."),
    "first_slide": _l("C'est déjà la première diapositive."),
    "last_slide": _l("C'est déjà la dernière diapositive."),
    "bad_page": _l("Cette diapositive n'existe pas."),
    "forbidden": _l("Réservé à la régie : rouvrez le lien de régie."),
    # questions and connect requests
    "unknown_question": _l("Cette question n'existe pas ou n'est pas publiée."),
    "not_votable": _l("Cette question a déjà reçu sa réponse : le vote est clos."),
    "wrong_status": _l("Impossible pour une question dans cet état (elle a changé entre-temps ?)."),
    "unknown_action": _l("Action inconnue."),
    "too_soon": _l("Un instant : envoi dans quelques secondes."),
    "no_device": _l("Votre navigateur refuse les cookies de ce site : autorisez-les puis rechargez la page."),
    "bad_request": _l("Requête mal formée."),
    "invalid": _l("Vérifiez les champs signalés."),
    # any event, when the database does not answer (a restart): nothing was stored
    "database_unavailable": _l("La base de données ne répond pas : rien n'a été enregistré. Réessayez dans un instant."),
}


def refusal(code: str, message: str | None = None) -> dict:
    return localised({"ok": False, "error": {"code": code, **({"message": message} if message else {})}})


def localised(ack: dict) -> dict:
    """The acknowledgement with a ``message`` (and one per field) in the socket's language."""
    if ack.get("ok"):
        return ack
    error = dict(ack["error"])
    code = error["code"]
    if code == "rate_limited":
        error["message"] = rate_limited(error.get("retry_after", 60))
    elif code in ("bad_args", "bad_request") and error.get("message"):
        # A malformed moderator command: keep the precise reason, which names the argument.
        error["message"] = _("Commande mal formée : %(detail)s", detail=error["message"])
    elif code in REFUSALS:
        error["message"] = str(REFUSALS[code])
    else:
        error["message"] = error.get("message") or _("Refusé.")
    if "fields" in error:
        error["fields"] = {name: field_error(e["code"], e.get("limit")) for name, e in error["fields"].items()}
    return {**ack, "error": error}
