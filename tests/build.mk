# make test, make bench
include tests/unit/unit.mk
include tests/fuzz/fuzz.mk
include tests/hostile/hostile.mk

# Native helper for the bats suites: makes broken images from good ones.
MKBAD := $(BUILD)/tests/mkbad
$(MKBAD): tests/helpers/mkbad.c $(wildcard unikernel-rt/include/ember/*.h)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(HOST_LDFLAGS)

# Native helper for the network suites: N concurrent keep-alive clients.
NET_CONNS := $(BUILD)/tests/conns
$(NET_CONNS): tests/helpers/conns.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(HOST_LDFLAGS)

# Native helper for tests/net-hostile.bats: hostile frames into a tap.
NET_INJECT := $(BUILD)/tests/inject
INJECT_SRCS := $(wildcard tests/helpers/inject*.c)
$(NET_INJECT): $(INJECT_SRCS) tests/helpers/inject.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $(INJECT_SRCS) $(HOST_LDFLAGS)

# Everything is built first, then the C unit tests, the other
# components' TEST_TARGETS and the bats suites run (all of them, even
# after a failure); tests/helpers/run-tests.sh prints the summary
# "N passed, M failed, K skipped" as the last line and fails if anything
# failed.
# EMBER_BUILD tells the suites which tree to test (build/san with
# SANITIZE=1); SANITIZE=1 also makes run-tests.sh set the sanitizers'
# options and fail on any report.
test: all $(UNIT_BINS) $(MKBAD) $(NET_CONNS) $(NET_INJECT)
	+@TEST_TARGETS="$(TEST_TARGETS)" MAKE="$(MAKE)" EMBER_BUILD="$(BUILD)" \
		SANITIZE="$(SANITIZE)" bash tests/helpers/run-tests.sh $(UNIT_BINS)

# Boot-time benchmark: tools/bench.sh, results in build/bench/boot.json.
BENCH_RUNNER := $(BUILD)/bench/bench-run
BENCH_EMPTY := $(BUILD)/bench/empty
$(BENCH_RUNNER): tools/bench_run.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(HOST_LDFLAGS)
# The process backend's floor: exec of an empty static program.
$(BENCH_EMPTY): tools/bench_empty.c
	@mkdir -p $(@D)
	$(HOSTCC) -O2 -static -o $@ $<

# Network benchmark (tools/bench-net.sh, after the boot benchmark):
# wrk against httpd as an image and natively, boot-to-first-response.
FIRST_RESPONSE := $(BUILD)/bench/first-response
$(FIRST_RESPONSE): tools/first_response.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(HOST_LDFLAGS)

# Then soak and density (tools/bench-soak.sh: tools/soak.sh with 1000
# boots of hello, tools/density.sh with 100 httpd VMs at once).
bench: all $(BENCH_RUNNER) $(BENCH_EMPTY) $(FIRST_RESPONSE)
	@bash tools/bench.sh
	@bash tools/bench-net.sh
	@bash tools/bench-soak.sh
