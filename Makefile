# SPDX-License-Identifier: MIT
# Makefile: the README's commands, a thin layer over Meson + Ninja.
BUILD ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
NOPCAP_BUILD ?= build-nopcap
DEB_BUILD ?= build-deb
MESON ?= meson

.PHONY: all deps test demo demo-shell bench mutation fuzz install deb clean abi-baseline

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=debugoptimized

# -Dtest_hooks=true: the control commands tests/integration/sandbox.sh probes the sandbox
# with; never in $(BUILD), which `make install` installs.
$(ASAN_BUILD)/build.ninja:
	CC=clang $(MESON) setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dtest_hooks=true

# The build without packet capture (NAT only), with the flags of $(BUILD): its engine and daemon unit tests run in `test`.
$(NOPCAP_BUILD)/build.ninja:
	$(MESON) setup $(NOPCAP_BUILD) --buildtype=debugoptimized -Dpcap=disabled

$(TSAN_BUILD)/build.ninja:
	CC=clang $(MESON) setup $(TSAN_BUILD) --buildtype=debug -Db_sanitize=thread -Db_lundef=false

# The NIC model's pump thread (and the engine it talks to) under ThreadSanitizer; not part of `test`.
test-tsan: $(TSAN_BUILD)/build.ninja
	ninja -C $(TSAN_BUILD)
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 $(MESON) test -C $(TSAN_BUILD) --suite nic --print-errorlogs
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 $(MESON) test -C $(TSAN_BUILD) daemon-http --print-errorlogs

deps:
	bash scripts/install-deps.sh

test: deps
	$(MAKE) all
	$(MAKE) $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	$(MAKE) $(NOPCAP_BUILD)/build.ninja
	ninja -C $(NOPCAP_BUILD)
	NOPCAP_BUILD=$(NOPCAP_BUILD) bash tests/run-all.sh $(BUILD) $(ASAN_BUILD)

demo: deps
	$(MAKE) all
	bash scripts/demo.sh $(BUILD)

demo-shell: deps
	$(MAKE) all
	bash scripts/demo.sh --shell $(BUILD)

bench: deps
	$(MAKE) all
	bash bench/run-all.sh $(BUILD)

# Mutation testing (not in CI: it takes minutes per file).  SEED=n repeats a run,
# PER_FILE=n sets the sample, FILES="src/x.c ..." limits it; see docs/TESTING.md.
mutation:
	nice -n 15 python3 tests/mutation/mutate.py $(if $(SEED),--seed $(SEED)) \
		$(if $(PER_FILE),--per-file $(PER_FILE)) --report build-mutation/report.txt $(FILES)

# Every libFuzzer target for FUZZ_SECONDS seconds each (not in CI; `make test` runs the
# same script for 15 s per target): tests/fuzz/smoke.sh, clang build in build-fuzz/.
FUZZ_SECONDS ?= 60
fuzz:
	nice -n 10 bash tests/fuzz/smoke.sh $(FUZZ_SECONDS)

# Record the public ABI (include/indynet/ as built into libindynet.so) as the new
# baseline that the abi-baseline test compares against; commit the result.
abi-baseline: all
	bash tests/abi/abi.sh --update $(BUILD)/libindynet.so include/indynet tests/abi/libindynet.abi

install: all
	$(MESON) install -C $(BUILD)

# The Debian package (library, headers, pkg-config file, indynetd, indynetctl, man pages, systemd unit) in $(DEB_BUILD)/.
deb:
	bash scripts/mkdeb.sh $(DEB_BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(NOPCAP_BUILD) $(DEB_BUILD)
