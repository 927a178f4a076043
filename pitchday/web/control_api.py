"""The hardware control API: a Stream Deck (Bitfocus Companion's Generic HTTP module) or any HTTP
client drives an edition's run of show with a per-device bearer token (docs/control.md).

    GET  /api/v1/control/<slug>/state       what the console shows of the stage, and the version
    POST /api/v1/control/<slug>/<action>    start, pause, next… (domain/control.ACTIONS)

Token-authenticated only: no cookie opens anything here, so the blueprint is exempt from the
organiser area's CSRF protection, and it sends no CORS header (no web page of another site may
drive the show). Every refusal is ``{"ok": false, "error": code, "message": text}`` with its
status, and changes nothing. A thin layer: parse, authorise, open the unit of work, call the service.
"""
from __future__ import annotations

import json

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, OperationalError

from ..domain import control as rules
from ..domain.shapes import Refused
from ..domain.text import InvalidField
from ..extensions import csrf, db, rate_limits
from ..services import control, editions
from ..realtime.replies import REFUSALS, localised
from .i18n import rate_limited

bp = Blueprint("control_api", __name__, url_prefix="/api/v1/control")
csrf.exempt(bp)  # no cookie is read here: a bearer token cannot be sent by another site's form

# A refusal's status by its code; a refusal of the domain not listed (wrong_phase, no_talk,
# already_paused, last_slide…) conflicts with the state: 409.
STATUS = {"bad_request": 400, "bad_args": 400, "invalid": 400, "unknown_command": 400,
          "unauthorized": 401, "forbidden": 403, "not_found": 404, "too_large": 413,
          "method_not_allowed": 405, "unsupported_media_type": 415, "rate_limited": 429, "stale": 409, "database_unavailable": 503}


def _error(code: str, message: str, *, status: int | None = None, headers: dict | None = None, **extra):
    response = jsonify({"ok": False, "error": code, "message": message, **extra})
    response.status_code = status or STATUS.get(code, 409)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="pitchday control"'
    return response


@bp.after_request
def _never_cached(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(DBAPIError)
def _database_unavailable(error: DBAPIError):
    """The database does not answer: the unit of work rolled back, nothing was stored. Anything
    else is a bug and keeps its traceback."""
    if not (error.connection_invalidated or isinstance(error, OperationalError)):
        raise error
    return _error("database_unavailable", str(REFUSALS["database_unavailable"]), headers={"Retry-After": "5"})


def _throttled(limit: str, token: str | None):
    """A refusal when this token (or this address) sent too much; None to go on. Counted before any
    query, on the token's digest: a flood costs no database work."""
    key = rules.token_digest(token or "")[:32]
    decision = rate_limits.check(limit, device_id=key, address=request.remote_addr)
    if decision.allowed:
        return None
    return _error("rate_limited", rate_limited(decision.retry_after_s), headers={"Retry-After": str(decision.retry_after_s)},
                  retry_after=decision.retry_after_s)


def _authorised(slug: str, limit: str):
    """(edition, device, None) for a request whose token opens ``slug``, else (None, None, refusal)."""
    token = rules.bearer_token(request.headers.get("Authorization"))
    refused = _throttled(limit, token)
    if refused is not None:
        return None, None, refused
    device = control.device_for_token(token) if token is not None else None
    if device is None:
        return None, None, _error("unauthorized", _("Jeton absent, inconnu ou révoqué : créez-en un sur la page "
                                                     "« Télécommandes » de l'édition."))
    edition = editions.edition_by_slug(slug)
    if edition is None:
        return None, None, _error("not_found", _("Aucune édition à cette adresse."))
    if edition.id != device.edition_id:
        return None, None, _error("forbidden", _("Ce jeton est celui d'une autre édition."))
    return edition, device, None


@bp.get("/<slug>/state")
@db.read()
def state(slug: str):
    edition, _device, refused = _authorised(slug, "control_state")
    if refused is not None:
        return refused
    return jsonify(control.state(edition))


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _body() -> tuple[dict | None, object]:
    """(the body as an object, None) or (None, refusal): at most ``MAX_BODY_BYTES``, JSON, an object.
    An empty body is ``{}`` (a button with nothing to say)."""
    limit = rules.MAX_BODY_BYTES
    too_large = _error("too_large", _("Corps de requête trop long : %(limit)d octets au plus.", limit=limit))
    if request.content_length is not None and request.content_length > limit:
        return None, too_large
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        return None, too_large
    if not raw.strip():
        return {}, None
    if request.mimetype != "application/json":
        return None, _error("unsupported_media_type",
                            _("Le corps doit être du JSON, envoyé avec l'en-tête Content-Type: application/json."))
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant), None
    except (ValueError, UnicodeDecodeError):
        return None, _error("bad_request", _("Le corps n'est pas du JSON valide."))


@bp.post("/<slug>/<action>")
@db.write()
def command(slug: str, action: str):
    edition, device, refused = _authorised(slug, "control")
    if refused is not None:
        return refused
    payload, refused = _body()
    if refused is not None:
        return refused
    try:
        body = rules.ControlBody.parse(payload)
        key = rules.parse_key(request.headers.get("Idempotency-Key"))
    except Refused as malformed:
        answer = localised(malformed.answer())["error"]
        return _error(answer["code"], answer["message"])
    except InvalidField:
        return _error("bad_request", _("L'en-tête Idempotency-Key doit compter 8 à 64 lettres, chiffres ou tirets."))
    if key is not None and body.command_id is not None and key != body.command_id:
        return _error("bad_request", _("L'en-tête Idempotency-Key et le champ command_id diffèrent."))
    if action not in rules.ACTIONS:
        return _error("bad_request", _("Action inconnue : %(action)s. Actions possibles : %(actions)s.",
                                       action=action[:40], actions=", ".join(rules.ACTIONS)))
    answer = rules.public_body(localised(control.run(edition, device, action, version=body.version,
                                                     key=key or body.command_id, text=body.text)))
    if answer["ok"]:
        return jsonify(answer)
    status = 400 if action == "message" and answer["error"] == "too_long" else STATUS.get(answer["error"], 409)
    response = jsonify(answer)
    response.status_code = status
    return response


@bp.route("/", defaults={"_rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(_rest: str):
    """Any other address or method under the control API answers in JSON too (no HTML error page)."""
    if request.method not in ("GET", "POST"):
        return _error("method_not_allowed", _("Méthode refusée : l'API de contrôle n'accepte que GET et POST."),
                      status=405, headers={"Allow": "GET, POST"})
    return _error("not_found", _("Pas de telle adresse dans l'API de contrôle : voir /api/v1/openapi.json."), status=404)
