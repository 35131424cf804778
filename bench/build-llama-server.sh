#!/usr/bin/env bash
# Builds the benchmark peer, llama-server, from the pinned llama.cpp source that `make setup`
# unpacked. CPU only, no network features (no OpenSSL, no prebuilt web UI from Hugging Face).
# Threading matches the ggml that clusterllm-runtime binds (the node-llama-cpp prebuilt, which does not
# link OpenMP): ggml's own threadpool, so the comparison measures the servers, not two thread runtimes.
# The build is cached under .deps/ and skipped while its stamp names the same source commit.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../.ci/deps.env
source "$root/.ci/deps.env"
src=$root/.deps/llama/src
build=$root/.deps/llama/server-build
bin=$build/bin/llama-server
stamp=$build/.stamp
want="$LLAMA_CPP_COMMIT release cpu no-openmp"

if [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  printf '%s\n' "$bin"
  exit 0
fi
[ -f "$src/CMakeLists.txt" ] || { echo "llama.cpp source missing at $src: run make setup" >&2; exit 1; }

echo "[bench] building llama-server from $src (takes a while on 2 cores)" >&2
cmake -S "$src" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF \
  -DGGML_NATIVE=ON \
  -DGGML_CUDA=OFF -DGGML_VULKAN=OFF -DGGML_METAL=OFF -DGGML_OPENMP=OFF \
  -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF \
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON >&2
cmake --build "$build" --target llama-server -j2 >&2
printf '%s' "$want" > "$stamp"
printf '%s\n' "$bin"
