#!/usr/bin/env bats
# Sockets on lwIP inside one image, over 127.0.0.1 (lwIP's loopback
# interface): no network device, no root, so these always run.
# apps/sockets.c checks each result itself. Also: only images that use
# sockets link the network stack.

load helpers/common

BACKEND=process

setup() {
	require_file "$VMM" "$EMBER_CC" "$APPS/sockets.ember" "$APPS/hello.ember"
}

@test "sockets: TCP and UDP over 127.0.0.1 without a device: blocking, non-blocking, errors, poll, epoll" {
	run_vmm "$APPS/sockets.ember"
	assert_success
	assert_output "sockets: ok"
}

@test "sockets: an image that uses no sockets does not link lwIP or the network module" {
	run nm "$APPS/hello.ember"
	assert_success
	refute_output --partial "lwip_"
	refute_output --partial "ember_net_"
	run nm "$APPS/sockets.ember"
	assert_success
	assert_output --partial "lwip_socket"
	assert_output --partial "ember_net_syscall"
}

@test "sockets: a server thread blocked in accept does not keep the VM alive at exit" {
	cat >"$BATS_TEST_TMPDIR/acc.c" <<'EOF2'
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
static void *serve(void *arg)
{
	int s = (int)(long)arg;
	accept(s, NULL, NULL);
	return NULL;
}
int main(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(5555)};
	pthread_t t;
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4))
		return 2;
	pthread_create(&t, NULL, serve, (void *)(long)s);
	usleep(10000);
	puts("main done");
	return 7;
}
EOF2
	ember_cc -O2 -o "$BATS_TEST_TMPDIR/acc.ember" "$BATS_TEST_TMPDIR/acc.c"
	run_vmm --timeout 10 "$BATS_TEST_TMPDIR/acc.ember"
	assert_failure 7
	assert_output "main done"
}
