"""Extension objects, created unbound and bound to the app in create_app()."""
from flask_babel import Babel
from flask_socketio import SocketIO
from flask_wtf import CSRFProtect

from .db import Database
from .services.ratelimit import RateLimits

db = Database()
socketio = SocketIO()
babel = Babel()
csrf = CSRFProtect()
rate_limits = RateLimits()
