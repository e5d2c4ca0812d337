# e-JSiKa — make demo (run it with demo data) and make test (lint + the whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 1

.PHONY: demo test install lint pytest migrate seed serve bench clean vendor messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py load_regions
	$(BIN)/python manage.py seed_demo

demo: seed
	@$(BIN)/python manage.py demo_logins
	HOST=$(HOST) PORT=$(PORT) bash scripts/serve_demo.sh

lint: install
	$(BIN)/ruff check jsika bench
	$(BIN)/python manage.py makemigrations --check --dry-run > /dev/null

pytest: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint pytest

bench: install
	SCALE=$(SCALE) $(BIN)/python bench/run_all.py

vendor:
	bash scripts/vendor_assets.sh

messages: install
	cd jsika && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) db.sqlite3* media .test-media staticfiles
