"""pitchday: run a live pitch evening end to end.

Importing the package imports nothing heavy, so that the eventlet entry point can
monkey-patch the standard library before Flask and friends are loaded.
"""


def create_app(config=None):
    """The Flask application (see ``pitchday.app``)."""
    from .app import create_app as factory

    return factory(config)
