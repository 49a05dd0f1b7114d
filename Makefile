# Skolebro. `make run` starts everything; `make test` runs the whole test suite.
SHELL := /bin/bash
APP := .venvs/app/bin
ENGINE := .venvs/engine/bin
# Quiet TensorFlow and SQLAlchemy 1.4 start-up chatter in the engine's output.
RASA_ENV := TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 RASA_TELEMETRY_ENABLED=false

.PHONY: run test setup train lint format eval validate test-unit test-e2e test-browser test-security security-scan bench engine-lock clean

run: setup ## install if needed, train if needed, start Rasa + actions + API, print the chat URL
	@$(APP)/python scripts/stack.py run

test: setup lint security-scan train ## lint, security scan, nginx -t, Rasa validation, story, unit, e2e tests
	bash deploy/nginx_check.sh
	$(RASA_ENV) $(ENGINE)/rasa data validate --fail-on-warnings
	$(RASA_ENV) $(ENGINE)/rasa test core --model models/skolebro.tar.gz \
		--stories tests/test_stories.yml --fail-on-prediction-errors --out results/core
	$(APP)/python -m pytest -q tests/unit
	$(APP)/python -m pytest -q tests/security
	$(APP)/python -m pytest -q tests/e2e
	$(APP)/python -m pytest -q tests/robustness
	$(APP)/python -m pytest -q tests/browser

setup:
	@bash scripts/setup_env.sh

train: setup
	@$(APP)/python scripts/stack.py train

validate: setup
	$(RASA_ENV) $(ENGINE)/rasa data validate --fail-on-warnings

# bandit over everything that runs in a deployment (offline tools in scripts/, eval/ and bench/
# are not deployed); accepted findings carry `# nosec <id> - reason` (see pyproject.toml).
security-scan: setup
	$(APP)/bandit -q -c pyproject.toml \
		-r bot api actions nlu_ext rasa_sdk_plugins scripts/stack.py

test-security: setup train
	$(APP)/python -m pytest -q tests/security

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
	@bash scripts/ensure_nginx.sh
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) \
		$(APP)/python bench/run.py --rasa-workers $(BENCH_WORKERS)

# All three run even when one misses its target; the exit status is non-zero if any did.
eval: setup train ## free-text areas, intents (cross-validation, blind sets), danger signals: tables in reports/
	@status=0; \
	$(APP)/python eval/areas_eval.py --report reports/areas.md || status=1; \
	$(APP)/python scripts/nlu_eval.py --folds 3 && $(APP)/python eval/intent_targets.py || status=1; \
	$(APP)/python eval/intents_blind.py eval/blind/intents_heldout*.yaml || status=1; \
	$(APP)/python eval/run_eval.py --report reports/danger.md || status=1; \
	$(APP)/python eval/run_eval.py --report reports/danger_blind.md eval/blind/risk_*.yaml || status=1; \
	$(ENGINE)/python eval/danger_engine.py --report reports/danger_engine.md eval/blind/risk_*.yaml || status=1; \
	exit $$status

# Recompute engine/requirements.lock from engine/requirements.in in a scratch venv.
engine-lock:
	rm -rf .venvs/engine-lock && python3.11 -m venv .venvs/engine-lock
	.venvs/engine-lock/bin/pip install -q -r engine/requirements.in
	{ head -3 engine/requirements.lock; .venvs/engine-lock/bin/pip freeze | grep -v -E '^(rasa|rasa-sdk)=='; } > engine/requirements.lock.new
	mv engine/requirements.lock.new engine/requirements.lock && rm -rf .venvs/engine-lock

clean:
	rm -rf models var .pytest_cache
