# The guide's commands. `make serve` and `make test` each set everything up first (venv, pip, npm, Debian packages).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup browser serve build test pdf offline bench cpu-variants lock clean

help:  ## list the commands
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 10

setup: $(VENV)/.installed node_modules/.installed  ## install Python and npm dependencies (pinned)

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund --loglevel=error
	touch $@

browser:  # Debian's Chromium, poppler and the PDF's math font for the browser and PDF tests (installed when missing, as root)
	@bash scripts/system-packages.sh chromium poppler-utils fonts-dejavu-extra

serve: setup  ## serve the site at http://127.0.0.1:8000; an edit re-renders only the pages it changed
	$(BIN)/mkdocs serve --dirty --no-strict --dev-addr 127.0.0.1:8000  # dirty builds always warn that they are dirty

build: setup  ## strict build into site/
	$(BIN)/mkdocs build

pdf: setup browser  ## build the site with its one-page print edition and print it to site/ml-interview-guide.pdf
	PRINT_SITE=true $(BIN)/mkdocs build
	$(BIN)/python scripts/make_pdf.py site

OFFLINE_DIR := .cache/offline
offline: setup  ## zip the offline edition (opens from file://, search too) to site/ml-interview-guide-offline.zip
	rm -rf $(OFFLINE_DIR)/ml-interview-guide
	OFFLINE=true $(BIN)/mkdocs build --site-dir $(OFFLINE_DIR)/ml-interview-guide
	$(BIN)/python scripts/make_offline.py $(OFFLINE_DIR)/ml-interview-guide $(OFFLINE_DIR)/ml-interview-guide-offline.zip
	$(BIN)/mkdocs build  # the site again: it publishes the zip, and every page says its size (hooks/offline.py)
	@if [ -f $(OFFLINE_DIR)/ml-interview-guide/ml-interview-guide.pdf ]; then \
	  cp $(OFFLINE_DIR)/ml-interview-guide/ml-interview-guide.pdf site/; fi  # keep the PDF `make pdf` printed

test: setup browser  ## run every test (what CI runs): in parallel, then the wall-clock budgets alone
	$(BIN)/python -m pytest -m "not alone"
	$(BIN)/python -m pytest -m alone --numprocesses=0

bench: setup browser  ## measure build times, page weights and Lighthouse scores (needs npm dev packages)
	npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed
	$(BIN)/python scripts/bench.py

cpu-variants: setup  ## run every notebook with PyTorch, MKL and NumPy held to AVX2, then to pre-AVX paths
	$(BIN)/python scripts/cpu_variants.py

lock:  ## re-pin the full environment into constraints.txt
	$(BIN)/pip freeze --exclude-editable | grep -v '^mlguide' > constraints.tmp
	{ echo '# Full pinned environment (pip freeze), applied with -c. Regenerate with `make lock`.'; cat constraints.tmp; } > constraints.txt
	rm constraints.tmp

clean:  ## remove the built site and caches
	rm -rf site .cache .pytest_cache
