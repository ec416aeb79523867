# Two commands on a fresh clone: `make site` builds the sample site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

LOCK := requirements.lock

.PHONY: site serve test check clean golden bench venv lock

# Every Python package (the test extras, pip and setuptools included) comes from requirements.lock, each
# checked against its sha256 hashes; the project itself is then installed without fetching anything.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --only-binary :all: -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

# After changing a dependency in pyproject.toml (or requirements-tools.in): make lock, then commit
# requirements.lock. Versions already locked are kept; make lock LOCK_FLAGS=--upgrade takes the newest.
LOCK_FLAGS ?=
lock: $(STAMP)
	cp $(LOCK) $(LOCK).new
	$(BIN)/uv pip compile pyproject.toml requirements-tools.in --extra test --generate-hashes \
		--python-version 3.11.5 --custom-compile-command 'make lock' --quiet $(LOCK_FLAGS) -o $(LOCK).new
	cmp -s $(LOCK).new $(LOCK) && rm $(LOCK).new || mv $(LOCK).new $(LOCK)  # unchanged: no reinstall

BUILD_FLAGS ?=
site: $(STAMP) $(NODE_STAMP)
	$(BIN)/portal build --notices notices --site-dir site $(BUILD_FLAGS)
	@echo "网站在 site/ 文件夹；预览请运行 make serve，然后打开 http://127.0.0.1:8000/"

serve: $(STAMP)
	$(BIN)/portal serve --notices notices --site-dir site

check: $(STAMP)
	$(BIN)/portal check --strict --notices notices

$(NODE_STAMP): package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $(NODE_STAMP)

# Lint, format and types first (seconds), then the tests.
test: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

clean:
	rm -rf site .portal-cache $(VENV) .pytest_cache node_modules

golden: $(STAMP)
	REFRESH_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_fixture_site.py -k golden

# Benchmark (not a test): make bench SCALE=0.1 (0.01 … 1); results in bench/results.md, see bench/README.md.
SCALE ?= 0.1
SEED ?= 1
BENCH_WORK ?= /tmp/portal-bench
bench: $(STAMP) $(NODE_STAMP)
	$(BIN)/python bench/run.py --scale $(SCALE) --seed $(SEED) --work $(BENCH_WORK)
