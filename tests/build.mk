# make test, make bench
include tests/unit/unit.mk
