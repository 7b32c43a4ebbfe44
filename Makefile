# Every target builds .venv from requirements.txt when it is missing or older than it.
# Readers need only `make book` and `make test` (README); the rest is for maintainers.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NB     ?=
# Quiet TensorFlow, and keep hash-dependent ordering identical between runs. (No MPLBACKEND:
# kernels inherit it, and a non-inline backend would drop every figure from the notebooks.)
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0
# Every Python command runs in the canonical numerical environment of numerics.env
# (README, "Reproducible numbers"); its values override the caller's. MODE is "canonical"
# on Linux x86-64 with AVX2, else "tolerant: <why>", and then `make test` compares the
# notebooks with a tolerance instead of strictly.
RUN    := $(PYTHON) tests/tools/numerics.py run --
MODE   := $(shell $(PYTHON) tests/tools/numerics.py status)
PORTABILITY_JOBS ?= 2
# `make test` runs the test files and notebooks side by side with pytest-xdist: one worker
# per core (`auto`), at most TEST_MAX_JOBS of them (a notebook kernel may take 1.5 GB), and
# each file whole in one worker (`loadfile`), so a notebook's cells share one kernel in
# order. The budget plugin (chapters/conftest.py) gathers each notebook's time and memory
# from the workers and enforces the budgets in the controller. `make budget` stays serial.
TEST_JOBS ?= auto
TEST_MAX_JOBS ?= 4
XDIST  := -n $(TEST_JOBS) --maxprocesses $(TEST_MAX_JOBS) --dist loadfile
# The book's PDF lives in the built site, where the intro page links to it.
PDF    := _build/html/neural-networks-checked-by-code.pdf
SITE_PYTEST := -m pytest -p no:nbval -p no:cacheprovider -o addopts=""

.PHONY: book test unit nbval build site pdf budget outputs bench stress portability lab clean figures
.PHONY: book-without-solutions test-without-solutions

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

## make book: build the website into _build/html and print where its front page is
book: $(STAMP)
	$(RUN) $(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

# After the tests and notebooks, the two Sphinx builds (the book, the teacher's copy) run
# side by side (`-j2`): each is single-threaded, independent of the other, and prints its
# log whole when it is done. The browser stages then use both cores by themselves.
## make test: unit tests, strict nbval over every notebook (with budgets), warning-free build,
## the PDF, the browser test
test: $(STAMP)
ifeq ($(MODE),canonical)
	$(RUN) $(BIN)/python -m pytest $(XDIST)
else
	@echo "numerics: $(MODE)."
	@echo "numerics: the canonical pins cannot apply, so notebook outputs are compared with a"
	@echo "numerics: relative tolerance (tests/tools/portability.py) instead of strict nbval."
	$(RUN) $(BIN)/python -m pytest tests $(XDIST)
	$(RUN) $(BIN)/python tests/tools/portability.py --config current --jobs $(PORTABILITY_JOBS)
endif
	$(MAKE) -j2 build book-without-solutions
	$(MAKE) pdf
	$(MAKE) site
	$(MAKE) test-without-solutions

## make build: the warning-free build from a clean _build (fails on any warning)
build: $(STAMP)
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	mkdir -p _build
	$(RUN) $(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going > _build/build.log 2>&1; \
	  status=$$?; cat _build/build.log; \
	  if [ $$status -ne 0 ] || grep -qE "WARNING|ERROR" _build/build.log; then \
	    echo "The book build failed or printed warnings (see above)"; exit 1; fi

## make site [SCREENSHOTS=full]: open every page of the built book in headless Chromium
## (needs `make build`, and `make pdf` for the intro page's link to the PDF); screenshots
## of the top of each page in _build/screenshots, of each whole page with SCREENSHOTS=full
site: $(STAMP)
	$(RUN) $(BIN)/python $(SITE_PYTEST) tests/site $(if $(SCREENSHOTS),--screenshots $(SCREENSHOTS))

## make pdf: the whole book as one PDF printed from the HTML build (needs `make build`),
## then the checks of that PDF
pdf: $(STAMP)
	$(RUN) $(BIN)/python tests/tools/make_pdf.py --output $(PDF)
	$(RUN) $(BIN)/python $(SITE_PYTEST) tests/site/test_pdf.py --pdf $(PDF)

## make stress: the strict nbval suite three times in a fresh venv; reports any changed cell
stress: $(STAMP)
	$(RUN) $(BIN)/python tests/tools/stress.py $(STRESS_ARGS)

unit: $(STAMP)
	$(RUN) $(BIN)/python -m pytest tests

# Serial on purpose: notebooks side by side inflate each other's times.
nbval: $(STAMP)
	$(RUN) $(BIN)/python -m pytest chapters -p no:xdist

## make budget: run every notebook under nbval and fail when one breaks 90 s or 1.5 GB
budget: nbval

## make outputs [NB=path.ipynb]: re-execute notebooks in place (the only way outputs are made)
outputs: $(STAMP)
	$(RUN) $(BIN)/python tests/tools/execute_notebooks.py $(NB)

## make bench: the side-by-side benchmarks, ratios measured in one run
bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(RUN) $(BIN)/python $$script || exit 1; done

## make portability: every notebook WITHOUT the pins, under several kernel/SIMD/thread
## configurations, compared with the committed outputs within a tolerance
portability: $(STAMP)
	$(BIN)/python tests/tools/portability.py --jobs $(PORTABILITY_JOBS) $(PORTABILITY_ARGS)

## make lab: JupyterLab in the venv, its kernels in the canonical numerical environment
lab: $(STAMP)
	$(RUN) $(BIN)/jupyter lab

clean:
	rm -rf _build

## make figures: redraw the SVG figures of the theory pages (chapters/*/figures/), byte for byte
figures: $(STAMP)
	$(RUN) $(BIN)/python figures/make_figures.py

## make book-without-solutions: the teacher's build, every solution removed at its source
## (tests/tools/strip_solutions.py filters a copy of the pages), no download or launch
## buttons and no page sources; the site is in _build/teacher/html
book-without-solutions: $(STAMP)
	rm -rf _build/teacher
	$(RUN) $(BIN)/python tests/tools/strip_solutions.py . _build/teacher/src
	$(RUN) $(BIN)/jupyter-book build _build/teacher/src --warningiserror --nitpick --keep-going > _build/teacher/build.log 2>&1; \
	  status=$$?; cat _build/teacher/build.log; \
	  if [ $$status -ne 0 ] || grep -qE "WARNING|ERROR" _build/teacher/build.log; then \
	    echo "The teacher's build failed or printed warnings (see above)"; exit 1; fi
	mv _build/teacher/src/_build/html _build/teacher/html
	@echo "The book without solutions is at file://$(CURDIR)/_build/teacher/html/index.html"

## make test-without-solutions: search every file of the teacher's build for solution text,
## and check that exercises, stubs and checker calls are still there (needs the build above)
test-without-solutions: $(STAMP)
	NNBOOK_TEACHER_BUILD=required $(RUN) $(BIN)/python -m pytest tests/test_without_solutions.py -p no:nbval -p no:cacheprovider -o addopts=""
