# Ember: top-level build. Everything is built into build/ (git-ignored).
# Each component adds its rules in its own build.mk, included below.

# make SANITIZE=1 builds a whole second tree in build/san: its host
# programs (monitor, tools, unit tests) are instrumented, so they must
# not replace the plain ones in build/ that other runs may be using, and
# make cannot tell instrumented objects from plain ones by date.
ifeq ($(SANITIZE),1)
BUILD   := build/san
else
BUILD   := build
endif
BIN     := $(BUILD)/bin
LIBDIR  := $(BUILD)/lib
MUSL    := $(LIBDIR)/musl
# Fetched dependency sources: one copy, shared by every build tree.
DEPSDIR := build/deps
# Written by tools/deps.sh when every dependency is installed and fetched.
DEPS_STAMP := $(DEPSDIR)/.deps-ok

PREFIX ?= /usr/local

HOSTCC ?= gcc
WARN   := -Wall -Wextra -Werror
# make SANITIZE=1: host programs (monitor, tools, unit tests) with ASan +
# UBSan; any UBSan finding aborts (-fno-sanitize-recover). Guest code
# (runtime, musl, lwIP, images) runs at CPL3 without a C runtime under
# it and is never instrumented. make test then sets the sanitizers'
# run-time options and fails on any report (tests/helpers/run-tests.sh).
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
endif
HOST_CFLAGS  := -std=c11 -O2 -g $(WARN) -D_GNU_SOURCE -Iunikernel-rt/include $(SAN_FLAGS)
HOST_LDFLAGS := $(SAN_FLAGS)

.PHONY: all deps test bench run clean install
.DEFAULT_GOAL := all

include tools/build.mk
include unikernel-rt/build.mk
include monitor/build.mk
include linker/build.mk
include apps/build.mk
include tests/build.mk

all: $(ALL_TARGETS)

deps:
	bash tools/deps.sh

$(DEPS_STAMP): tools/deps.sh
	bash tools/deps.sh

clean:
	rm -rf $(BUILD)
