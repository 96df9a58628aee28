# Everyday commands; the README explains each. Run `make help` for the list.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: help install constraints run sandbox test lint format typecheck check bench

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

install:  ## create .venv and install Agora with its dev tools
	python3 -m venv $(VENV) && $(BIN)/pip install -c constraints.txt -e '.[dev]'

constraints:  ## pin what a fresh '.[dev]' install resolves to (after editing pyproject.toml)
	rm -rf .venv-pin && python3 -m venv .venv-pin && .venv-pin/bin/pip install -q -e '.[dev]'
	{ sed -n '1,3p' constraints.txt; .venv-pin/bin/pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .venv-pin

run:  ## run the bot (BOT_TOKEN in .env)
	$(BIN)/agora run

sandbox:  ## chat with the bot offline, against the fake Telegram
	$(BIN)/agora sandbox

test:  ## the whole test suite
	$(BIN)/pytest

lint:  ## ruff lint and format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format:  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

typecheck:  ## mypy on the bot package
	$(BIN)/mypy bot

check: lint typecheck test  ## everything CI checks

bench:  ## the update-throughput benchmark (needs PostgreSQL and Redis)
	$(BIN)/python -m bench.updates
