# The network module in libember.a: virtio-mmio/virtio-net driver, lwIP
# glue and the socket system calls (unikernel-rt/net/*.c). Built like
# the rest of the runtime, plus lwIP's headers and our port
# (unikernel-rt/lwip/lwip.mk, included before this file). Only images
# that call socket functions link it (net_syscall.c says how).

NET_SRCS := $(wildcard unikernel-rt/net/*.c)
NET_OBJS := $(patsubst unikernel-rt/%,$(RT_OBJDIR)/%.o,$(NET_SRCS))

$(NET_OBJS): RT_CFLAGS += $(LWIP_INCLUDES)
$(NET_OBJS): | $(DEPS_STAMP)
$(RT_LIB): $(NET_OBJS)

-include $(NET_OBJS:.o=.d)
