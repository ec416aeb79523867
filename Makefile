# Two commands on a fresh clone: `make site` builds the sample site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: site serve test check clean golden bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

site: $(STAMP) $(NODE_STAMP)
	$(BIN)/portal build --notices notices --site-dir site
	@echo "网站在 site/ 文件夹；预览请运行 make serve，然后打开 http://127.0.0.1:8000/"

serve: $(STAMP)
	$(BIN)/portal serve --notices notices --site-dir site

check: $(STAMP)
	$(BIN)/portal check --strict --notices notices

$(NODE_STAMP): package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $(NODE_STAMP)

test: $(STAMP) $(NODE_STAMP)
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
