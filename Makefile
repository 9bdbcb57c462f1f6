# Thin wrapper over CMake. `make run` and `make test` are the README's two
# set-up commands: each installs what is missing, builds, and runs.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 30
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test test-unit test-asan test-fuzz test-bench format format-check clean

all: build

deps:
	@tools/scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROCSHARE_WERROR=ON $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Runs the server with its defaults: the Unix socket /tmp/procshare.sock (mode
# 0600) only; TCP needs --tcp HOST:PORT.
run: build
	exec $(BUILD)/server/procshare-server

# Everything CI checks: the test suite, the same suite under ASan+UBSan,
# bounded fuzzing runs, and the micro-benchmarks in a short mode.
test: build format-check test-unit test-asan test-fuzz test-bench
	@echo "all checks passed"

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300

test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPROCSHARE_SANITIZE=ON -DPROCSHARE_WERROR=ON \
	  -DPROCSHARE_BENCHMARKS=OFF $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 600

test-fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DPROCSHARE_FUZZ=ON -DPROCSHARE_BENCHMARKS=OFF -DPROCSHARE_WERROR=OFF >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	tools/scripts/run-fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

test-bench: build
	tools/scripts/run-microbenchmarks.sh $(BUILD) short

format:
	git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format -i

format-check:
	@git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
