"""The unit of work of a view that answers both GET and POST: a GET never writes."""
from __future__ import annotations

from functools import wraps

from flask import request

from ..extensions import db

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def by_method(view):
    """Run the view in ``db.read()`` for GET and HEAD, in ``db.write()`` for the other methods."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        with db.read() if request.method in READ_METHODS else db.write():
            return view(*args, **kwargs)
    return wrapper
