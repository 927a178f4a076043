"""After the evening: who wants to meet whom, and the introductions."""
from __future__ import annotations

from flask import abort, render_template

from ...timeutil import PARIS, as_utc
from . import bp, organiser_required


@bp.get("/editions/<int:edition_id>/connections")
@organiser_required
def connections(edition_id: int):
    """The connect requests of the evening, grouped by talk (who wants to meet whom, and why)."""
    from ...services import connections as connection_service
    from ...services import editions
    from ..i18n import INTENT_LABELS

    edition = editions.get_edition(edition_id)
    if edition is None:
        abort(404)
    groups = connection_service.by_talk(edition_id)
    # Lazy strings count as safe markup in Jinja: made plain strings so that they are escaped.
    intents = {code: str(label) for code, label in INTENT_LABELS.items()}
    return render_template("organiser/connections.html", edition=edition, groups=groups, intents=intents,
                           paris=lambda moment: as_utc(moment).astimezone(PARIS).strftime("%d/%m/%Y %H:%M"),
                           total=sum(len(requests) for _talk, requests in groups))
