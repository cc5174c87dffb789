# make test: musl-test runs tests/musl/musl_native.c natively, linked with
# our libc.a and a test-only ember_syscall that forwards to Linux.
MUSL_TEST     := $(BUILD)/tests/musl/musl_native
MUSL_TEST_SRC := tests/musl/musl_native.c tests/musl/ember_syscall_linux.c
TEST_TARGETS  += musl-test

$(MUSL_TEST): $(MUSL_TEST_SRC) tests/musl/ember_test.h $(MUSL_LIBC)
	@mkdir -p $(@D)
	gcc -std=c11 -O2 $(WARN) -D_GNU_SOURCE -fno-pie -no-pie \
		-fno-stack-protector -nostdinc -isystem $(MUSL)/include \
		-static -nostdlib -o $@ $(MUSL)/lib/crt1.o $(MUSL)/lib/crti.o \
		$(MUSL_TEST_SRC) $(MUSL_LIBC) $$(gcc -print-libgcc-file-name) \
		$(MUSL)/lib/crtn.o

.PHONY: musl-test
musl-test: $(MUSL_TEST)
	$(MUSL_TEST)
