# Tasks for the trigger-point CE platform. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv may have been installed into the user's pip bin directory by ensure-system-deps.
export PATH := $(HOME)/.local/bin:$(PATH)
UV ?= uv
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(UV) run --frozen flask --app wsgi

.PHONY: help
help: ## List the tasks
	@grep -hE '^[a-z][a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.PHONY: system-deps
system-deps: ## Install the Debian packages the suite needs (PostgreSQL 15, Chromium, ...) and uv
	@bash scripts/ensure-system-deps.sh

.PHONY: uv
uv:
	@command -v $(UV) >/dev/null 2>&1 || python3 -m pip install --user --quiet uv || python3 -m pip install --quiet uv

.venv: pyproject.toml uv.lock
	@$(MAKE) --no-print-directory uv
	$(UV) sync --frozen
	@touch .venv

.PHONY: install
install: .venv ## Create the virtual environment from the lockfile

.PHONY: db
db: .venv ## Migrate the embedded SQLite database and load the demo content
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) lms seed-demo

.PHONY: run
run: db ## Set everything up and serve the demo on http://127.0.0.1:5000
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

.PHONY: lint
lint: .venv ## ruff lint and format check
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

.PHONY: format
format: .venv ## Format the code with ruff
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

.PHONY: test
test: system-deps .venv ## Install what is missing, lint, and run the whole suite on PostgreSQL and Chromium
	$(MAKE) --no-print-directory lint
	$(UV) run --frozen pytest

.PHONY: bench
bench: system-deps .venv ## Benchmarks: pages with gunicorn + wrk, dashboards and quiz item analysis at two sizes; writes bench/results.json
	$(UV) run --frozen python bench/run.py
	$(UV) run --frozen python bench/dashboards.py
	$(UV) run --frozen python bench/quiz_item_analysis.py
	$(UV) run --frozen python bench/certificates.py

.PHONY: load
load: system-deps .venv ## Load and faults: 200 learners for 2 min, PostgreSQL restart, 10 s S3 outage; nothing lost (LOAD_SMOKE=1: quick)
	$(UV) run --frozen python bench/load.py

.PHONY: bench-certificates
bench-certificates: .venv ## Certificate rendering+signing rate and bulk issuance of 1,000 to S3
	$(UV) run --frozen python bench/certificates.py

.PHONY: run-jobs
run-jobs: .venv ## Run queued background jobs (bulk certificate issuance) once
	$(FLASK) lms run-jobs

.PHONY: worker
worker: .venv ## Run background jobs from Redis (JOB_RUNNER=rq, REDIS_URL) until stopped
	$(FLASK) lms worker

.PHONY: clean
clean: ## Remove the virtual environment and the local database
	rm -rf .venv instance .pytest_cache .ruff_cache
