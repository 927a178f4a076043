# The two commands of the README: `make demo` and `make test`.
.PHONY: demo test test-fast bench translations

# Served on every interface, so that the venue's phones and tablet reach it; `PORT=5400 make demo`.
PORT ?= 5000
demo:
	./scripts/setup.sh app
	.venv/bin/pitchday demo --host 0.0.0.0 --port $(PORT)

# lint-imports first (a broken layer contract fails the run: pyproject.toml, [tool.importlinter]), then the
# browser's countdown arithmetic (Node's own runner, no npm package), then every Python test.
test:
	./scripts/setup.sh test
	.venv/bin/lint-imports
	node --test tests/js/*.test.js
	.venv/bin/python -m pytest

# Domain and integration tests only (no browser).
test-fast:
	./scripts/setup.sh test
	.venv/bin/lint-imports
	.venv/bin/python -m pytest -m "unit or integration"

# Benchmarks against a real server (see docs/benchmarks.md); results in bench/results/.
bench:
	./scripts/setup.sh bench
	.venv/bin/python bench/state_sizes.py
	.venv/bin/python bench/broadcast_latency.py
	.venv/bin/python bench/question_storm.py

# Refresh the English catalogue after changing user-facing strings (French is the source language).
translations:
	.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_plural:1,2 -o translations/messages.pot .
	.venv/bin/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations
	.venv/bin/python scripts/french_plurals.py
