# Skolebro. `make run` starts everything; `make test` runs the whole test suite.
SHELL := /bin/bash
APP := .venvs/app/bin
ENGINE := .venvs/engine/bin
# Quiet TensorFlow and SQLAlchemy 1.4 start-up chatter in the engine's output.
RASA_ENV := TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 RASA_TELEMETRY_ENABLED=false

.PHONY: run test setup train lint format eval validate test-unit test-e2e test-browser bench engine-lock clean

run: setup ## install if needed, train if needed, start Rasa + actions + API, print the chat URL
	@$(APP)/python scripts/stack.py run

test: setup lint train ## lint, Rasa data validation, story tests, unit and end-to-end tests
	bash deploy/nginx_check.sh
	$(RASA_ENV) $(ENGINE)/rasa data validate --fail-on-warnings
	$(RASA_ENV) $(ENGINE)/rasa test core --model models/skolebro.tar.gz \
		--stories tests/test_stories.yml --fail-on-prediction-errors --out results/core
	$(APP)/python -m pytest -q tests/unit
	$(APP)/python -m pytest -q tests/e2e
	$(APP)/python -m pytest -q tests/robustness
	$(APP)/python -m pytest -q tests/browser

setup:
	@bash scripts/setup_env.sh

train: setup
	@$(APP)/python scripts/stack.py train

validate: setup
	$(RASA_ENV) $(ENGINE)/rasa data validate --fail-on-warnings

lint: setup
	$(APP)/ruff check .
	$(APP)/ruff format --check .

format: setup
	$(APP)/ruff format .
	$(APP)/ruff check --fix .

test-unit: setup
	$(APP)/python -m pytest -q tests/unit

test-e2e: setup train
	$(APP)/python -m pytest -q tests/e2e

test-browser: setup train
	$(APP)/python -m pytest -q tests/browser

# `make bench` measures the production layout on this machine: two Rasa workers behind one entry
# point, PostgreSQL tracker store, Redis lock store (the local services; override to move them).
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/0
BENCH_WORKERS ?= 2

bench: setup train ## load benchmark: 50/200/600 people, ramp, bare Rasa baseline (~13 min)
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) \
		$(APP)/python bench/run.py --rasa-workers $(BENCH_WORKERS)

eval: setup ## risk-detection recall/false alarms, NLU cross-validation (reports/)
	$(APP)/python eval/run_eval.py
	$(APP)/python scripts/nlu_eval.py --folds 3

# Recompute engine/requirements.lock from engine/requirements.in in a scratch venv.
engine-lock:
	rm -rf .venvs/engine-lock && python3.11 -m venv .venvs/engine-lock
	.venvs/engine-lock/bin/pip install -q -r engine/requirements.in
	{ head -3 engine/requirements.lock; .venvs/engine-lock/bin/pip freeze | grep -v -E '^(rasa|rasa-sdk)=='; } > engine/requirements.lock.new
	mv engine/requirements.lock.new engine/requirements.lock && rm -rf .venvs/engine-lock

clean:
	rm -rf models var .pytest_cache
