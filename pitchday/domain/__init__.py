"""Pure domain: no Flask, no SQLAlchemy, no clock. See DESIGN.md §2."""
