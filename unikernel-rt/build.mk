# The runtime: musl rebuilt without the syscall instruction, and libember.a.
include unikernel-rt/musl/musl.mk
include unikernel-rt/rt.mk
# The network stack: lwIP (liblwip.a) and its glue in libember.a.
include unikernel-rt/lwip/lwip.mk
include unikernel-rt/net/net.mk
