#!/usr/bin/env bats
# Soak, short form (make bench runs the long one, tools/bench-soak.sh):
# sequential boots leave nothing behind. tools/soak.sh boots the images
# one after the other and compares, before and after, the processes
# (exact: as root it runs in its own PID and network namespaces), the
# descriptors of its shell, the network links, /dev/shm, ember* files in
# /tmp and Shmem; it exits 0 only when every boot succeeded and nothing
# was left.

load helpers/common

SOAK=$ROOT/tools/soak.sh

setup() {
	require_backend
	require_file "$VMM" "$APPS/hello.ember" "$APPS/httpd.ember"
	export EMBER_BACKEND=$BACKEND
}

@test "soak: 100 sequential boots of hello leave nothing behind" {
	run timeout -s KILL 120 "$SOAK" --hello 100 --httpd 0
	assert_success
	assert_line "soak: failed boots: 0"
	assert_line "leftovers: none"
	assert_line --regexp '^soak: hello: 100 boots in '
}

@test "soak: 20 boots of httpd on a tap ember-vmm creates, one request each: every tap is gone" {
	[ "$(id -u)" -eq 0 ] || skip "not root: ember-vmm cannot create taps"
	[ -c /dev/net/tun ] || skip "/dev/net/tun is missing (modprobe tun)"
	command -v unshare >/dev/null || skip "unshare is missing (util-linux)"
	run timeout -s KILL 120 "$SOAK" --hello 0 --httpd 20
	assert_success
	assert_line "soak: failed boots: 0"
	assert_line "leftovers: none"
	assert_line --regexp '^soak: httpd with a created tap, one request each: 20 boots '
}
