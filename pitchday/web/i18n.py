"""Language choice (French first) and the strings the browser scripts need."""
from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..domain import audience as audience_rules
from ..domain.text import N_plural
from ..services.editions import ITEM_KIND_LABELS, KIND_LABELS

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


# Counts a live view's script shows, as they change: "<key>.one" and "<key>.other" reach the
# browser in this request's language, with which counts take the singular (live.js ``tn``).
SCRIPT_PLURALS = {
    "agenda.before": N_plural("… {count} séquence passée", "… {count} séquences passées"),
    "agenda.after": N_plural("… et {count} séquence ensuite", "… et {count} séquences ensuite"),
    "vote.label": N_plural("Voter pour cette question ({count} vote)", "Voter pour cette question ({count} votes)"),
    "vote.done": N_plural("Vous avez voté pour cette question ({count} vote)",
                          "Vous avez voté pour cette question ({count} votes)"),
    "votes": N_plural("{count} vote", "{count} votes"),
    "mod.connect": N_plural("{count} demande d'échange", "{count} demandes d'échange"),
}


def script_plurals() -> dict[str, Any]:
    """Both forms of each count of ``SCRIPT_PLURALS``, and the language's rule as data: the counts
    up to 1 that take the singular (French: 0 and 1; English: 1), from Babel's plural rules."""
    forms: dict[str, Any] = {}
    for key, (singular, plural) in SCRIPT_PLURALS.items():
        forms[f"{key}.one"] = ngettext(singular, plural, 1)
        forms[f"{key}.other"] = ngettext(singular, plural, 2)
    forms["plural.zero_is_one"] = get_locale().plural_form(0) == "one"
    return forms


def script_strings() -> dict[str, str]:
    """Every string a live view's script shows, translated for this request."""
    return {
        **script_plurals(),
        "phase.welcome": _("Bienvenue"),
        "phase.ready": _("À suivre"),
        "phase.pitch": _("Pitch"),
        "phase.questions": _("Questions"),
        "phase.networking": _("Temps d'échanges"),
        "phase.ended": _("Fin"),
        "phase.segment": _("En cours"),
        **{f"item.{code}": str(label) for code, label in ITEM_KIND_LABELS.items()},
        **{f"kind.{code}": str(label) for code, label in KIND_LABELS.items()},
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
        "agenda.late": _("Fin estimée {end}, après la fin prévue de la soirée ({planned})"),
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
        "undone": _("Défait"),
        # audience questions
        "question.sending": _("envoi en cours…"),
        "question.queued": _("en attente de réseau : elle partira dès le retour de la connexion"),
        "question.pending": _("en attente de modération"),
        "question.published": _("publiée"),
        "question.answered": _("répondue"),
        "question.rejected": _("non retenue"),
        "question.sent": _("Question envoyée : elle sera publiée après relecture."),
        "question.sent_published": _("Question envoyée et publiée."),
        "question.by": _("— {author}"),
        "question.anonymous": _("anonyme"),
        "question.none": _("Pas encore de question publiée pour cette intervention."),
        "chars": _("{count}/{max} caractères"),
        "spotlight.label": _("Question du public"),
        "connect.sent": _("Demande envoyée. L'équipe organisatrice vous mettra en relation."),
        "connect.queued": _("Hors ligne : votre demande est gardée et partira dès le retour du réseau."),
        "error.offline_pending": _("Hors ligne : envoi dès le retour du réseau."),
        "error.required": _("Ce champ est obligatoire."),
        # moderator: questions
        "mod.approve": _("Publier"),
        "mod.reject": _("Refuser"),
        "mod.answer": _("Répondue"),
        "mod.reopen": _("Rouvrir"),
        "mod.edit": _("Modifier"),
        "mod.save_approve": _("Publier ce texte"),
        "mod.cancel": _("Annuler la modification"),
        "mod.spotlight": _("Projeter"),
        "mod.unspotlight": _("Retirer du projecteur"),
        "mod.suspect": _("Mots à vérifier : {words}"),
        "mod.edited": _("modifiée (texte d'origine : « {text} »)"),
        "mod.empty": _("Aucune question pour cette intervention."),
        "mod.waiting": _("{count} en attente"),
    }


FIELD_ERRORS = {
    "required": _l("Ce champ est obligatoire."),
    "not_text": _l("Ce champ attend du texte."),
    "invalid_email": _l("Adresse e-mail invalide (exemple : prenom.nom@exemple.fr)."),
    "invalid_phone": _l("Numéro de téléphone invalide (exemple : 01 99 00 10 01)."),
    "invalid_choice": _l("Choisissez l'une des propositions."),
    "unknown_talk": _l("Choisissez une intervention de la soirée."),
    "consent_required": _l("Cochez la case pour accepter la transmission de vos coordonnées."),
    "out_of_range": _l("Valeur hors des limites."),
    "invalid_date": _l("Date attendue (exemple : 23/01/2020)."),
    "invalid_time": _l("Heure attendue (exemple : 17:25)."),
    "invalid_duration": _l("Durée au format minutes:secondes (exemple : 5:00)."),
    "invalid_slug": _l("Lettres minuscules, chiffres et tirets seulement (exemple : jdn11)."),
    "taken": _l("Déjà utilisée par une autre édition."),
    "out_of_order": _l("Le premier pitch doit commencer entre l'ouverture des portes et la fin."),
    "slides_after_evening": _l("La date limite des présentations doit précéder la fin de la soirée."),
    "invalid_url": _l("Adresse web invalide (exemple : https://exemple.fr)."),
    "invalid_reference": _l("Référence invalide : lettres, chiffres et tirets seulement."),
    "invalid_datetime": _l("Date et heure attendues avec leur décalage (exemple : 2020-01-13T10:00:00+01:00)."),
    "duplicate_in_file": _l("Cette référence apparaît plusieurs fois dans le fichier."),
    "audit_required": _l("Sans audit, le service se déclare « non conforme » : indiquez la date et le taux de l'audit."),
    "total_needs_100": _l("« Totalement conforme » demande un taux de 100, tous les critères respectés."),
    "already_imported": _l("Une candidature porte déjà cette référence."),
}


def field_error(code: str, limit: int | None = None) -> str:
    """The sentence shown under a field, in the request's language."""
    if code == "too_long":
        return _("%(limit)d caractères au plus.", limit=limit or 0)
    if code == "too_many_lines":
        return _("%(limit)d lignes au plus.", limit=limit or 0)
    return str(FIELD_ERRORS.get(code, _("Valeur refusée.")))


def rate_limited(seconds: int) -> str:
    return _("Doucement : trop d'envois d'un coup. Réessayez dans %(seconds)d s.", seconds=seconds)


# What someone may want from a talk's team (domain.audience.INTENTS_BY_KIND gives which, by kind of talk).
INTENT_LABELS = {code: _l(label) for code, label in audience_rules.INTENT_LABELS.items()}


def plain(labels) -> dict[str, str]:
    """Translated labels as plain strings, in this request's language.

    A lazy translation has ``__html__``, so Jinja would print it unescaped as trusted markup:
    templates get plain strings, which autoescape treats like any other text.
    """
    return {code: str(label) for code, label in labels.items()}
