# musl from Debian's source package, with our x86_64 syscall files.
#
# tools/deps.sh fetches, verifies and extracts the source to
# $(DEPSDIR)/musl-src. Here it is copied afresh to $(MUSL_BUILD), our
# replacement files (this directory, same paths as in musl's tree) are laid
# over it, and the result is built and installed into $(MUSL)/{include,lib}.
# The build fails if any system call instruction is left in libc.a or the
# crt files (tools/check-no-syscall.sh).

MUSL_SRC   := $(DEPSDIR)/musl-src
# Per build tree (build/, build/san/): two trees may build at once.
MUSL_BUILD := $(BUILD)/deps/musl-build
MUSL_OURS  := $(shell cd unikernel-rt/musl && find arch src -type f | sort)
MUSL_LIBC  := $(MUSL)/lib/libc.a
MUSL_CRT   := $(addprefix $(MUSL)/lib/,crt1.o crti.o crtn.o)

ALL_TARGETS += $(MUSL_LIBC)

# Our own jobs, whatever the top-level make was given: musl's Makefile must
# not see our command-line variables (CFLAGS=... would break it).
MUSL_MAKE := env -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES $(MAKE) -j2

# deps.sh rewrites musl-src/.ember-source only when it extracts a new musl.
$(MUSL_SRC)/.ember-source: | $(DEPS_STAMP)

$(MUSL_LIBC): $(MUSL_SRC)/.ember-source \
		$(addprefix unikernel-rt/musl/,$(MUSL_OURS)) \
		unikernel-rt/musl/musl.mk tools/check-no-syscall.sh | $(DEPS_STAMP)
	@echo "MUSL  $(MUSL_BUILD) -> $(MUSL)"
	@for f in $(MUSL_OURS); do [ -f $(MUSL_SRC)/$$f ] || { \
		echo "musl.mk: unikernel-rt/musl/$$f replaces nothing in $(MUSL_SRC): check the musl version" >&2; \
		exit 1; }; done
	rm -rf $(MUSL_BUILD) $(MUSL)
	@mkdir -p $(dir $(MUSL_BUILD))
	cp -a $(MUSL_SRC) $(MUSL_BUILD)
	cp -R unikernel-rt/musl/arch unikernel-rt/musl/src $(MUSL_BUILD)/
	cd $(MUSL_BUILD) && ./configure --disable-shared --disable-wrapper \
		--prefix=$(abspath $(MUSL)) CC=gcc >configure.log 2>&1 \
		|| { tail -20 configure.log; exit 1; }
	cd $(MUSL_BUILD) && $(MUSL_MAKE) >build.log 2>&1 \
		|| { tail -30 build.log; exit 1; }
	cd $(MUSL_BUILD) && $(MUSL_MAKE) install DESTDIR=$(abspath $(MUSL_BUILD))/stage >install.log 2>&1 \
		|| { tail -20 install.log; exit 1; }
	@mkdir -p $(dir $(MUSL))
	mv $(MUSL_BUILD)/stage$(abspath $(MUSL)) $(MUSL)
	bash tools/check-no-syscall.sh $(MUSL_LIBC) $(MUSL_CRT) \
		$(MUSL)/lib/Scrt1.o $(MUSL)/lib/rcrt1.o

# The native test of this libc.a (make musl-test, part of TEST_TARGETS).
include tests/musl/musl.mk
