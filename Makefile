# Skolebro. `make run` starts everything; `make test` runs the whole test suite.
SHELL := /bin/bash
APP := .venvs/app/bin
ENGINE := .venvs/engine/bin

.PHONY: run test setup train lint format eval validate test-unit test-e2e test-stories engine-lock clean

run: setup ## install if needed, train if needed, start Rasa + actions + API, print the chat URL
	@$(APP)/python scripts/stack.py run

test: setup lint ## unit tests, Rasa data validation, story tests and end-to-end tests
	@$(APP)/python scripts/stack.py train
	$(ENGINE)/rasa data validate --fail-on-warnings --quiet
	$(APP)/python -m pytest -q tests/unit
	$(APP)/python -m pytest -q tests/e2e

setup:
	@bash scripts/setup_env.sh

train: setup
	@$(APP)/python scripts/stack.py train

validate: setup
	$(ENGINE)/rasa data validate --fail-on-warnings

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

eval: setup train ## NLU cross-validation report and the risk-detection evaluation
	$(APP)/python eval/run_eval.py

# Recompute engine/requirements.lock from engine/requirements.in in a scratch venv.
engine-lock:
	rm -rf .venvs/engine-lock && python3.11 -m venv .venvs/engine-lock
	.venvs/engine-lock/bin/pip install -q -r engine/requirements.in
	{ head -3 engine/requirements.lock; .venvs/engine-lock/bin/pip freeze | grep -v -E '^(rasa|rasa-sdk)=='; } > engine/requirements.lock.new
	mv engine/requirements.lock.new engine/requirements.lock && rm -rf .venvs/engine-lock

clean:
	rm -rf models var .pytest_cache
