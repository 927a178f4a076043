"""Pure domain: no Flask, no SQLAlchemy, no clock. See README's "Layout"; import-linter checks it."""
