# Xieshang: `make run` serves the demo, `make test` runs the suite. See README.md.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Server processes. Python runs one request's code at a time per process, so one process serves at most
# about one core's worth of pages: with Redis (the channel layer every process shares) one per core;
# without it (the in-memory channel layer lives in one process) one.
WORKERS ?= $(if $(REDIS_URL),$(shell nproc),1)
SYS_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils gettext
BROWSER_PACKAGES := chromium

.PHONY: run test sysdeps browser venv migrate seed serve worker bench clean check

sysdeps:  ## system packages for WeasyPrint (Pango, HarfBuzz subsetter, CJK font) and pdftotext
	@missing=""; for p in $(SYS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

browser:  ## Debian's Chromium, for the browser tests (Playwright's own download does not work offline)
	@dpkg -s chromium >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; }

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py compilemessages -v0 --ignore=.venv
	$(BIN)/python manage.py collectstatic --noinput -v0

seed: migrate
	$(BIN)/python manage.py seed_demo

serve:  ## uvicorn: half daphne's websocket fan-out time in bench/ws_bench.py (issue 14); WORKERS processes
	@echo "Serving on http://$(HOST):$(PORT)/ with $(WORKERS) worker process(es)  (Ctrl-C to stop)"
	$(BIN)/uvicorn --host $(HOST) --port $(PORT) --workers $(WORKERS) --ws websockets --lifespan off config.asgi:application

run: sysdeps venv seed serve  ## everything: system packages, virtualenv, database, demo data, ASGI server

test: sysdeps browser venv  ## the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py compilemessages -v0 --ignore=.venv
	$(BIN)/pytest $(PYTEST_ARGS)

worker: venv  ## Celery worker with beat (needs REDIS_URL)
	@test -n "$$REDIS_URL" || { echo "set REDIS_URL (e.g. redis://127.0.0.1:6379/0)"; exit 2; }
	@mkdir -p var
	$(BIN)/celery -A config worker -B -s var/celerybeat-schedule -l info --concurrency 2

check: venv
	DJANGO_ENV=production DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) DJANGO_ALLOWED_HOSTS=xieshang.example \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: venv
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 var
