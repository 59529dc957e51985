# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
# The suite runs on both cores; browser tests are most of its time.
PYTEST_ARGS ?= -n 2
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test messages extract-messages lint sample-report clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

# The translation catalogues (.mo) are build output, compiled from locale/*/LC_MESSAGES/*.po.
messages: export DEBUG ?= true
messages: $(STAMP)
	$(BIN)/python manage.py compile_catalogues

# After adding or changing a string: brings its msgid into every .po, to be translated there.
extract-messages: export DEBUG ?= true
extract-messages: $(STAMP)
	$(BIN)/python manage.py extract_catalogues

run: export DEBUG ?= true
run: $(STAMP) messages
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving http://127.0.0.1:8000 with a Celery worker and beat. Ctrl-C stops all three."
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

test: export DEBUG ?= true
test: $(STAMP) messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

sample-report: export DEBUG ?= true
sample-report: $(STAMP) messages
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py render_report ACME-PORTAL -o var/sample-report.pdf
	@echo "Wrote var/sample-report.pdf"

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var
