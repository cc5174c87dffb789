# The runtime: musl rebuilt without the syscall instruction, and libember.a.
include unikernel-rt/musl/musl.mk
include unikernel-rt/rt.mk
