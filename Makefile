# ClusterLlm: every target installs what it needs first (`setup` is idempotent and quick when done).
SHELL := /bin/bash
.DEFAULT_GOAL := help
CONFIGURATION ?= Release
RESULTS := .test-results
DOTNET := dotnet
export PATH := $(CURDIR)/.deps/bin:$(PATH)

.PHONY: help setup build test demo bench crds lint clean
.PHONY: bench-runtime

help:
	@echo "make demo   run ClusterLlm end to end on this machine"
	@echo "make test   build and run every test project"
	@echo "make setup | build | bench | crds | lint | clean"

setup:
	@.ci/setup

build: setup
	$(DOTNET) build ClusterLlm.sln -c $(CONFIGURATION) --no-restore -v quiet -nologo

test: build
	@rm -rf $(RESULTS)
	@$(DOTNET) test ClusterLlm.sln -c $(CONFIGURATION) --no-build -v quiet -nologo \
		--results-directory $(RESULTS); \
	status=$$?; .ci/test-summary $(RESULTS) tests/*.Tests/*.Tests.csproj && exit $$status

demo: build
	@echo "make demo: the end-to-end demo is not built yet (issue 10)."; exit 1

bench: bench-runtime bench-pull

# clusterllm-runtime vs llama-server, same model, slots, context and threads; writes bench/results/runtime.md.
BENCH_MODEL := .deps/bench/bench.gguf
bench-runtime: build
	@bench/build-llama-server.sh >/dev/null
	@[ -f $(BENCH_MODEL) ] || { mkdir -p $(dir $(BENCH_MODEL)) && \
		runtime/ClusterLlm.Runtime/bin/$(CONFIGURATION)/net10.0/clusterllm-runtime testmodel --out $(BENCH_MODEL).tmp --preset bench && \
		mv $(BENCH_MODEL).tmp $(BENCH_MODEL); }
	$(DOTNET) run --project bench/ClusterLlm.Bench.Runtime -c $(CONFIGURATION) --no-build -- \
		--llama-server .deps/llama/server-build/bin/llama-server \
		--runtime runtime/ClusterLlm.Runtime/bin/$(CONFIGURATION)/net10.0/clusterllm-runtime \
		--model $(BENCH_MODEL) --parallel 16 --ctx-size 8192 --threads 2 --prompt-words 64 --max-tokens 48 --duration 20 \
		--concurrency 1,4,8,16 \
		--out bench/results/runtime.md

# Pull throughput of a 1 GiB GGUF over loopback, against curl in the same run.
.PHONY: bench-pull
bench-pull: build
	$(DOTNET) bench/ClusterLlm.Bench.Pull/bin/$(CONFIGURATION)/net10.0/ClusterLlm.Bench.Pull.dll \
		runtime/ClusterLlm.Runtime/bin/$(CONFIGURATION)/net10.0/clusterllm-runtime bench/results/pull.md

crds: build
	@echo "make crds: the CRD generator is not built yet (issue 7)."; exit 1

lint: setup
	$(DOTNET) format ClusterLlm.sln --verify-no-changes --no-restore -v quiet
	$(DOTNET) build ClusterLlm.sln -c $(CONFIGURATION) --no-restore -v quiet -nologo -warnaserror

clean:
	$(DOTNET) clean ClusterLlm.sln -v quiet -nologo
	rm -rf $(RESULTS)
