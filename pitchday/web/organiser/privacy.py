"""Personal data: the privacy notice's settings, export and erasure for one person, the audit log."""
from __future__ import annotations

from . import bp, organiser_required  # noqa: F401
