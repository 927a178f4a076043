"""The public application form of an open edition ("dossier de candidature")."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("apply", __name__)
