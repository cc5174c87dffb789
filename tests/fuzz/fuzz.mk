# libFuzzer harnesses (tests/fuzz/fuzz_NAME.c) for the monitor's image
# loader, hypercall decoding, virtio-net device and the process backend's
# instruction decoder for device accesses, built with clang,
# ASan and UBSan into build/fuzz/fuzz_NAME. Always in build/fuzz, also
# with SANITIZE=1: they are instrumented either way.
#
#   make fuzz        each harness for FUZZ_SECONDS (default 600) from its
#                    committed corpus tests/fuzz/corpus/NAME; new inputs
#                    go to build/fuzz/NAME/corpus, crashes and the log
#                    to build/fuzz/NAME/run-DATE/ (make fuzz then fails
#                    naming them); FUZZ_JOBS harnesses at a time
#   make fuzz-merge  minimise committed + new inputs (+ the seeds of make
#                    fuzz-seeds) back into tests/fuzz/corpus/NAME (then
#                    review and commit)
#   make fuzz-test   (part of make test) every committed input once, then
#                    a FUZZ_SMOKE_SECONDS (default 10) run of each
FUZZ_NAMES := image hypercall virtio mmio_decode
FUZZ_DIR   := build/fuzz
FUZZ_BINS  := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_CC    ?= clang
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 10
# Harnesses run at once by make fuzz (2 CPUs: 2).
FUZZ_JOBS ?= 2

FUZZ_SAN    := -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -O1 -g $(WARN) -D_GNU_SOURCE \
	-Iunikernel-rt/include -Imonitor -Itools -Itests/fuzz $(FUZZ_SAN)
# The monitor's libraries (the sandbox's libseccomp included).
FUZZ_LIBS   := -lelf -lseccomp

# Every monitor source but main(): the harnesses call into the monitor
# as its run loop does. Objects are shared by all harnesses.
FUZZ_MONITOR_OBJS := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,\
	$(filter-out monitor/main.c,$(MONITOR_SRCS)))
# ember-inspect's main() becomes ember_inspect_main for fuzz_image.
FUZZ_INSPECT_OBJS := $(FUZZ_DIR)/obj/tools/ember-inspect.o \
	$(FUZZ_DIR)/obj/tools/inspect_json.o
FUZZ_HDRS := $(MONITOR_HDRS) tools/inspect.h tests/fuzz/fuzz_input.h \
	tests/fuzz/fuzz_guest.h

# Missing clang or its fuzzer runtime (libclang-rt-14-dev) is one line.
.PHONY: fuzz-runtime
fuzz-runtime:
	@bash tests/fuzz/run-fuzz.sh check "$(FUZZ_CC)"

$(FUZZ_DIR)/obj/%.o: %.c $(FUZZ_HDRS) | fuzz-runtime
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/obj/tools/ember-inspect.o: tools/ember-inspect.c $(FUZZ_HDRS) \
		| fuzz-runtime
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Dmain=ember_inspect_main -c -o $@ $<

# A static pattern rule: its objects are not intermediate files, so make
# keeps them.
$(FUZZ_DIR)/fuzz_image: $(FUZZ_INSPECT_OBJS)
$(FUZZ_BINS): $(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o \
		$(FUZZ_MONITOR_OBJS) | fuzz-runtime
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(FUZZ_LIBS)

.PHONY: fuzz fuzz-merge fuzz-test fuzz-bins
fuzz-bins: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@FUZZ_JOBS=$(FUZZ_JOBS) bash tests/fuzz/run-fuzz.sh fuzz \
		$(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-merge: $(FUZZ_BINS)
	@bash tests/fuzz/run-fuzz.sh merge 0 $(FUZZ_NAMES)

# Hand-made seeds (tests/fuzz/mkseeds.c), merged by the next fuzz-merge:
# how the committed corpus was started.
FUZZ_MKSEEDS := $(FUZZ_DIR)/mkseeds
$(FUZZ_MKSEEDS): tests/fuzz/mkseeds.c $(wildcard unikernel-rt/include/ember/*.h)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(HOST_LDFLAGS)

.PHONY: fuzz-seeds
fuzz-seeds: $(FUZZ_MKSEEDS)
	rm -rf $(FUZZ_DIR)/seeds
	$(FUZZ_MKSEEDS) $(FUZZ_DIR)/seeds

TEST_TARGETS += fuzz-test
fuzz-test: $(FUZZ_BINS)
	@bash tests/fuzz/run-fuzz.sh replay $(FUZZ_SMOKE_SECONDS) \
		$(FUZZ_NAMES)
