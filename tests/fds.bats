#!/usr/bin/env bats
# File descriptors: the table (lowest free, dup*, close-on-exec,
# O_NONBLOCK, generic ioctls, EMFILE at 4096), the console as a file,
# paths that do not exist, pipes, eventfd, poll, select and epoll
# (apps/fds.c checks each result itself and says which one failed).

load helpers/common

BACKEND=process

setup() {
	require_file "$VMM" "$APPS/fds.ember"
}

@test "fds: descriptor table, pipes, eventfd, poll, select and epoll behave as on Linux" {
	run_vmm "$APPS/fds.ember"
	assert_success
	assert_output "fds: via dup
fds: ok"
}

@test "fds: console writes through dup2'd descriptors and closed stdout" {
	local src=$BATS_TEST_TMPDIR/dupout.c
	cat >"$src" <<'EOF2'
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
int main(void)
{
	dup2(2, 1);                        /* stdout now goes to stderr */
	write(1, "to stderr\n", 10);
	close(1);
	printf("%d\n", write(1, "x", 1) == -1 && errno == EBADF);
	fflush(stdout);
	dprintf(2, "still stderr\n");
	return 0;
}
EOF2
	ember_cc -O2 -o "$BATS_TEST_TMPDIR/dupout.ember" "$src"
	run_vmm "$BATS_TEST_TMPDIR/dupout.ember"
	assert_success
	assert_output ""
	assert_stderr_matches "^to stderr$"
	assert_stderr_matches "^still stderr$"
}

@test "fds: writing to a pipe with no reader raises SIGPIPE (a crash report by default)" {
	local src=$BATS_TEST_TMPDIR/sigpipe.c
	cat >"$src" <<'EOF2'
#include <unistd.h>
int main(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	write(p[1], "x", 1);
	return 0;
}
EOF2
	ember_cc -O2 -o "$BATS_TEST_TMPDIR/sigpipe.ember" "$src"
	run_vmm "$BATS_TEST_TMPDIR/sigpipe.ember"
	assert_equal "$status" "$EXIT_CRASH"
	assert_stderr_matches "SIGPIPE|signal 13"
}

@test "fds: memory files registered by the runtime open read-only, with stat, seek and pread" {
	local src=$BATS_TEST_TMPDIR/memfile.c
	cat >"$src" <<'EOF2'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>
/* The runtime's interface the network module uses (unikernel-rt/fd.h). */
int ember_memfile_register(const char *path, const char *data, size_t len);
static const char hosts[] = "127.0.0.1 localhost\n10.0.0.2 guest\n";
#define T(c) printf("%s %s\n", (c) ? "ok" : "FAIL", #c)
int main(void)
{
	char line[64], buf[8];
	struct stat st;
	FILE *f;
	int fd, ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN};
	T(ember_memfile_register("/etc/hosts", hosts, strlen(hosts)) == 0);
	f = fopen("/etc/hosts", "r");
	T(f && fgets(line, sizeof(line), f) && strcmp(line, "127.0.0.1 localhost\n") == 0);
	T(f && fgets(line, sizeof(line), f) && strcmp(line, "10.0.0.2 guest\n") == 0);
	T(f && !fgets(line, sizeof(line), f));
	if (f) fclose(f);
	fd = open("etc/hosts", O_RDONLY | O_CLOEXEC);
	T(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
	T(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == (off_t)strlen(hosts));
	T(lseek(fd, 10, SEEK_SET) == 10 && read(fd, buf, 5) == 5 && memcmp(buf, "local", 5) == 0);
	T(lseek(fd, -6, SEEK_END) == (off_t)strlen(hosts) - 6);
	T(pread(fd, buf, 5, 2) == 5 && memcmp(buf, "7.0.0", 5) == 0);
	T(write(fd, "x", 1) == -1 && errno == EBADF);
	T(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1 && errno == EPERM);
	T(open("/etc/hosts", O_WRONLY) == -1 && errno == EROFS);
	T(open("/etc/hosts", O_CREAT | O_EXCL | O_RDONLY, 0644) == -1 && errno == EEXIST);
	T(open("/etc/resolv.conf", O_RDONLY) == -1 && errno == ENOENT);
	T(stat("/etc/hosts", &st) == 0 && st.st_size == (off_t)strlen(hosts));
	T(access("/etc/hosts", R_OK) == 0);
	T(access("/etc/hosts", W_OK) == -1 && errno == EROFS);
	return 0;
}
EOF2
	ember_cc -O2 -o "$BATS_TEST_TMPDIR/memfile.ember" "$src"
	run_vmm "$BATS_TEST_TMPDIR/memfile.ember"
	assert_success
	refute_output --partial FAIL
	assert_equal "${#lines[@]}" 17
}
