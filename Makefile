# Convenience entry points; the build itself is CMake (see CMakeLists.txt).
#   make demo   install what is missing, build, scan a generated demo image
#   make check  install what is missing, build, run every test (normal and
#               ASan+UBSan builds, fuzz-corpus replay included)

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

.PHONY: all bootstrap build demo check check-normal check-asan fuzz bench clean

all: build

bootstrap:
	sh scripts/bootstrap

build: bootstrap
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	sh tests/fixtures/mkfirmware.sh demo $(BUILD)/demo
	./$(BUILD)/fwvet scan $(BUILD)/demo/router.bin -o $(BUILD)/demo/report.txt
	./$(BUILD)/fwvet scan --format json $(BUILD)/demo/router.bin -o $(BUILD)/demo/report.json
	cat $(BUILD)/demo/report.txt
	@echo
	@echo "demo: reports written to $(BUILD)/demo/report.txt and $(BUILD)/demo/report.json"

check-normal: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

check-asan: bootstrap
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DFWVET_SANITIZE=ON $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

check: check-normal check-asan

# libFuzzer builds (clang); run one target with e.g.
#   ./build-fuzz/tests/fuzz_squashfs -max_total_time=60 tests/fuzz/corpus/squashfs
fuzz: bootstrap
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DFWVET_FUZZ=ON \
	  -DFWVET_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build build-fuzz -j $(JOBS)

# Every benchmark against its peer tool, same input, same run; each prints
# the ratio and writes bench/results/.  Installs the peer tools first.
bench: build
	sh scripts/bootstrap-bench
	sh bench/run.sh $(BUILD)
	sh bench/signatures.sh $(BUILD)
	sh bench/elf_hardening.sh $(BUILD)
	sh bench/equiv.sh $(BUILD)
	sh bench/audit_src.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
