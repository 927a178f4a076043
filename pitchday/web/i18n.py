"""Language choice (French first) and the strings the browser scripts need."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

LANGUAGES = ("fr", "en")
LANG_COOKIE = "pitchday_lang"


def select_locale() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    saved = request.cookies.get(LANG_COOKIE)
    return saved if saved in LANGUAGES else "fr"


def remember_language(response):
    """``?lang=en`` sticks for the next pages."""
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def script_strings() -> dict[str, str]:
    """Every string a live view's script shows, translated for this request."""
    return {
        "phase.welcome": _("Bienvenue"),
        "phase.ready": _("À suivre"),
        "phase.pitch": _("Pitch"),
        "phase.questions": _("Questions"),
        "phase.networking": _("Networking"),
        "phase.ended": _("Fin"),
        "kind.solution": _("Solution"),
        "kind.besoin": _("Pitch inversé"),
        "kind.retour_experience": _("Retour d'expérience"),
        "status.done": _("terminé"),
        "status.now": _("en cours"),
        "status.next": _("à suivre"),
        "status.planned": _("prévu"),
        "status.skipped": _("annulé"),
        "wrap.minute": _("Dernière minute"),
        "wrap.30s": _("30 secondes"),
        "wrap.over": _("Temps écoulé"),
        "paused": _("En pause"),
        "next": _("Ensuite"),
        "last_talk": _("Dernière intervention"),
        "reconnecting": _("Reconnexion…"),
        "drift.on_time": _("À l'heure"),
        "drift.late": _("+{min} min, fin prévue {end}"),
        "drift.early": _("−{min} min, fin prévue {end}"),
        "drift.replayed": _("répétition : horaires comptés depuis le démarrage réel"),
        "confirm.next": _("Passer à l'intervention suivante ?"),
        "error.stale": _("L'état a changé entre-temps : vérifiez puis recommencez."),
        "error.forbidden": _("Réservé à la régie : rouvrez le lien de régie."),
        "error.offline": _("Hors ligne : la commande n'a pas été envoyée."),
        "error.generic": _("Commande refusée"),
        "done": _("Fait"),
        "undone": _("Annulé"),
    }
