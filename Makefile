# neurogym-app: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PSYCHOPY_STAMP := $(VENV)/.psychopy-installed

.PHONY: run test venv psychopy lint bench check clean

# Create the virtualenv and install the package with its extras.
# torch is pinned and installed FIRST: an unconstrained resolve would pull a
# multi-GB CUDA build; 2.13.0 is the CPU build available on this machine.
venv: $(STAMP)
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev,plot,agents,rl,adaptive,lsl,cluster,media]"
	@touch $(STAMP)

# PsychoPy, lean: its runtime dependencies, then psychopy itself without the
# ~1.6 GB of optional ones (scripts/install_psychopy.sh says which).
psychopy: $(PSYCHOPY_STAMP)
$(PSYCHOPY_STAMP): $(STAMP) scripts/install_psychopy.sh
	bash scripts/install_psychopy.sh $(VENV)
	@touch $(PSYCHOPY_STAMP)

# Open the desktop app on the default task. Without a display it prints one
# line saying how to run headless (exit code 3 means exactly that).
run: venv
	@$(BIN)/neurogym-app app || [ $$? -eq 3 ]

# The whole suite, headless: layer contracts, the type checker on every layer below the views, then pytest.
test: venv psychopy
	$(BIN)/lint-imports
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

check: venv
	$(BIN)/neurogym-app check

lint: venv
	$(BIN)/ruff check neurogym_app tests bench

bench: venv
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
