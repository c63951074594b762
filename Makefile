# Every target builds .venv from pyproject.toml on first use; nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench tensorboard protos clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,examples]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) examples/linear_regression.py

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) tools/bench

tensorboard: $(STAMP)
	$(VENV)/bin/tensorboard --logdir ./tf_logs

protos: $(STAMP)
	$(PY) tools/gen-protos

clean:
	rm -rf $(VENV) build dist *.egg-info
