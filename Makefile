# Thin wrapper over CMake for the README's commands.
#   make demo   set-up, build, and the main job: bedrock --emulate ask "Hello, world"
#   make test   set-up, build, and the whole suite: normal and ASan+UBSan builds
#   make fuzz   run every libFuzzer target for FUZZ_SECONDS each (clang)
#   make bench  build and run bench/ (Release)
#   make install  install the build (PREFIX=/usr/local, DESTDIR honoured)
#   make deb    a Debian package of it (CPack), in build-deb/

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60
CMAKE ?= cmake
CTEST ?= ctest
CPACK ?= cpack
PREFIX ?= /usr/local
DESTDIR ?=
# The build `make install` installs from.
BUILD_DIR ?= build
DEMO_STREAM = tests/vectors/bedrock/newrelic__invoke_stream__anthropic.claude-3-sonnet-20240229-v1_3A0__What_is_212_degrees_Fahrenheit_converted/response.body

.PHONY: all deps build build-asan demo test test-normal test-asan fuzz bench install deb clean

all: build

deps:
	@sh scripts/install-deps.sh
	@if [ ! -d tests/node/node_modules ] || [ tests/node/package-lock.json -nt tests/node/node_modules ]; then \
		echo "npm ci in tests/node (the official SDKs the emulator is tested with)"; \
		(cd tests/node && npm ci --no-audit --no-fund --loglevel=error) && touch tests/node/node_modules; \
	fi

build: deps
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	$(CMAKE) --build build -j $(JOBS)

build-asan: deps
	$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBEDROCK_SANITIZE=ON \
		-DBEDROCK_BUILD_BENCH=OFF >/dev/null
	$(CMAKE) --build build-asan -j $(JOBS)

# The main job, with no AWS account: ask Claude "Hello, world" through an
# emulator started inside the process (--emulate), then show a real Claude
# answer decoded from a recorded Bedrock response stream.
demo: build
	@echo '$$ bedrock --emulate ask "Hello, world"'
	@./build/bedrock --emulate ask "Hello, world"
	@echo; echo '$$ bedrock debug eventstream --text <a recorded Bedrock stream>'
	@./build/bedrock debug eventstream --text $(DEMO_STREAM)

test-normal: build
	cd build && $(CTEST) --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(CTEST) --output-on-failure -j $(JOBS)

test: test-normal test-asan

fuzz:
	@sh scripts/install-deps.sh --fuzz
	CC=clang CXX=clang++ $(CMAKE) -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DBEDROCK_FUZZERS=ON -DBEDROCK_SANITIZE=ON -DBEDROCK_BUILD_BENCH=OFF >/dev/null
	$(CMAKE) --build build-fuzz -j $(JOBS)
	@set -e; for f in build-fuzz/*_fuzzer; do \
		n=$$(basename $$f _fuzzer); mkdir -p build-fuzz/corpus/$$n; \
		echo "== $$n ($(FUZZ_SECONDS)s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			build-fuzz/corpus/$$n fuzz/corpora/$$n 2>&1 | tail -n 12; \
	done

# deps: bench_platforms runs the official Anthropic SDK from tests/node.
bench: deps
	$(CMAKE) -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBEDROCK_BUILD_TESTS=OFF >/dev/null
	$(CMAKE) --build build-bench -j $(JOBS)
	@set -e; for b in build-bench/bench_*; do \
		case $$b in */bench_multi|*/bench_calls|*/bench_platforms|*/bench_vertex|*/bench_gateway) continue ;; esac; \
		echo "== $$b"; $$b; done
	@set -e; out=$$(mktemp); \
	./build-bench/bedrock emulate --listen 127.0.0.1:0 --quiet > $$out & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; rm -f $$out' EXIT; \
	for i in $$(seq 1 50); do grep -q '^listening on ' $$out && break; sleep 0.1; done; \
	echo "== build-bench/bench_multi"; \
	./build-bench/bench_multi "$$(sed -n 's/^listening on //p' $$out)" 1000 20; \
	echo "== build-bench/bench_calls"; \
	./build-bench/bench_calls "$$(sed -n 's/^listening on //p' $$out)" 20000 32
	@if command -v wrk >/dev/null; then sh bench/bench_emulate_invoke.sh build-bench; \
	else echo "(install wrk for the emulator's requests/s)"; fi
	@python3 bench/bench_emulate_streams.py build-bench/bedrock 1000 20
	@echo "== build-bench/bench_platforms"; ./build-bench/bench_platforms build-bench/bedrock
	@echo "== build-bench/bench_gateway (short; see bench/RESULTS.md for the full run)"; \
	./build-bench/bench_gateway build-bench/bedrock --reps 3 --secs 3 --streams 2000 --leak 100000
	@echo "== build-bench/bench_vertex"; ./build-bench/bench_vertex build-bench/bedrock

# Installs what build/ built (configuring and building it first if needed,
# without the deps step, so `sudo make install` after `make` only copies).
install:
	@[ -f $(BUILD_DIR)/CMakeCache.txt ] || $(MAKE) build
	$(CMAKE) --build $(BUILD_DIR) -j $(JOBS)
	DESTDIR="$(DESTDIR)" $(CMAKE) --install $(BUILD_DIR) --prefix "$(PREFIX)"

# The Debian package: its own build for /usr (multiarch libdir), no tests.
# dpkg-shlibdeps (dpkg-dev) computes its Depends line.
deb:
	@sh scripts/install-deps.sh
	$(CMAKE) -S . -B build-deb -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
		-DBEDROCK_BUILD_TESTS=OFF -DBEDROCK_BUILD_BENCH=OFF -DBEDROCK_BUILD_EXAMPLES=OFF >/dev/null
	$(CMAKE) --build build-deb -j $(JOBS)
	cd build-deb && $(CPACK) -G DEB
	@ls build-deb/*.deb

clean:
	rm -rf build build-asan build-fuzz build-bench build-deb
