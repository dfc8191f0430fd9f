# Chibo — the two commands: `make run` (the whole system on this machine) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
# pytest reads its paths from pyproject.toml; run and bench need them spelled out.
export PYTHONPATH := .:services/members:services/meetings:services/reports

.PHONY: install run test bench constraints clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt requirements-nodeps.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	touch $@

run: install  ## the three services, nats-server and the gateway on http://127.0.0.1:8000 (ARGS="--port 9000 --no-demo")
	$(BIN)/python -m deploy.local.run $(ARGS)

test: install  ## the whole suite, PostgreSQL tier included (ARGS="-x -k roster")
	mkdir -p var
	$(BIN)/python -m pytest -q --basetemp=$(CURDIR)/var/test-tmp $(ARGS)

bench: install
	$(BIN)/python -m bench $(ARGS)
	$(BIN)/python -m bench.hr_import  # 100,000-row HR import (members README)
	$(BIN)/python -m bench.hr_import --xlsx
	$(BIN)/python -m bench.members_search  # 100,000 members, 10,000 organizations: search p99

constraints:  ## re-pin every transitive version after changing requirements*.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	{ sed -n '1,2p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:  ## removes the local data (var/): the next `make run` loads the demo again
	rm -rf var
