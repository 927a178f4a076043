"""Socket.IO events of the live views. Roles are decided at connect and checked in every handler."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_socketio import ConnectionRefusedError, join_room

from ..extensions import socketio
from ..services import access, broadcast, presence
from ..services import show as show_service
from ..timeutil import now_ms


@socketio.on("connect")
def on_connect(auth):
    auth = auth if isinstance(auth, dict) else {}
    view = auth.get("view")
    if view not in presence.VIEWS:
        raise ConnectionRefusedError("bad_view")
    edition = show_service.edition_by_slug(auth.get("edition"))
    if edition is None:
        raise ConnectionRefusedError("unknown_edition")
    link = None
    if view == "moderator":
        link = access.moderator_from_cookie(request.cookies.get(access.MODERATOR_COOKIE), edition.id)
        if link is None:
            raise ConnectionRefusedError("forbidden")
    presence.join(request.sid, presence.Client(edition.id, view, link.token_id if link else None))
    is_moderator = view == "moderator"
    join_room(broadcast.moderator_room(edition.id) if is_moderator else broadcast.public_room(edition.id))
    socketio.emit("snapshot", broadcast.snapshot(edition.id, moderator=is_moderator), to=request.sid)
    broadcast.presence_changed(edition.id)


@socketio.on("disconnect")
def on_disconnect(*_args):
    client = presence.leave(request.sid)
    if client is not None:
        broadcast.presence_changed(client.edition_id)


@socketio.on("clock")
def on_clock(*_args):
    """Clock sync sample: the client brackets this with performance.now()."""
    return {"server_time": now_ms()}


@socketio.on("resync")
def on_resync(*_args):
    client = presence.client(request.sid)
    if client is None:
        return {"ok": False, "error": {"code": "forbidden", "message": _("Connexion inconnue")}}
    return {"ok": True, "snapshot": broadcast.snapshot(client.edition_id, moderator=client.view == "moderator")}


def _refusal(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


# What the moderator reads when the server refuses a command, in the console's language.
REFUSALS = {
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
    "no_change": _l("Le projecteur est déjà dans ce mode."),
    "no_message": _l("Aucun message n'est affiché sur scène."),
    "nothing_to_undo": _l("Rien à annuler."),
    "unknown_talk": _l("Intervention inconnue."),
}


def _localised(ack: dict) -> dict:
    if ack.get("ok"):
        return ack
    code = ack["error"]["code"]
    if code in REFUSALS:
        return {**ack, "error": {"code": code, "message": str(REFUSALS[code])}}
    # bad_args / bad_request: keep the precise reason, which names the field.
    return {**ack, "error": {"code": code, "message": _("Commande mal formée : %(detail)s", detail=ack["error"]["message"])}}


@socketio.on("command")
def on_command(payload=None, *_extra):
    client = presence.client(request.sid)
    if client is None or client.view != "moderator" or not access.link_still_valid(client.moderator_link):
        return _refusal("forbidden", _("Réservé à la régie"))
    try:
        command_id, name, args, version = show_service.parse_command(payload)
    except show_service.BadRequest as error:
        return _localised(_refusal("bad_request", str(error)))
    return _localised(show_service.run_command(client.edition_id, command_id=command_id, name=name, args=args,
                                               version=version))
