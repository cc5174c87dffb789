/*
 * Running the backend compiler. ember-cc behaves like the compiler it
 * wraps: its exit status is the compiler's, and a compiler killed by a
 * signal kills ember-cc with the same signal (after removing temporary
 * files), so make and shells see what really happened.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cc.h"

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
static volatile pid_t child_pid;

/* A signal for ember-cc (Ctrl-C, kill) is passed on to the compiler; we
 * clean up when it has gone. */
static void forward(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

__attribute__((noreturn)) static void exec_or_die(char *const argv[])
{
	execvp(argv[0], argv);
	cc_error("cannot run %s: %s: install gcc or set EMBER_CC_BACKEND",
		 argv[0], strerror(errno));
	_exit(127);
}

static void set_handlers(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &sa, NULL);
}

static int wait_child(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR) {
			cc_error("waiting for the compiler: %s",
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Start argv with stdout on out_fd (-1: inherited). Signals that we
 * forward are blocked across fork so none is lost before child_pid is
 * known. */
static pid_t start(char *const argv[], int out_fd)
{
	sigset_t block, old;

	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid_t pid = fork();
	if (pid == 0) {
		set_handlers(SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
			_exit(127);
		exec_or_die(argv);
	}
	if (pid < 0)
		cc_error("cannot start %s: %s", argv[0], strerror(errno));
	child_pid = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

int cc_run(char *const argv[], void (*cleanup)(void))
{
	int status = 0;

	set_handlers(forward);
	pid_t pid = start(argv, -1);
	int ok = pid > 0 && wait_child(pid, &status) == 0;
	child_pid = 0;
	cleanup();
	if (!ok)
		return -1;
	if (WIFSIGNALED(status)) {
		set_handlers(SIG_DFL);
		raise(WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

void cc_exec(char *const argv[])
{
	exec_or_die(argv);
}

/* Read all of fd into buf (NUL-terminated, truncated to len - 1). */
static void read_all(int fd, char *buf, size_t len)
{
	size_t used = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, buf + used, len - 1 - used);
		if (n > 0 && used + (size_t)n < len - 1) {
			used += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			used += (size_t)n;
		break;
	}
	buf[used] = '\0';
}

char *cc_output_line(char *const argv[])
{
	char buf[4096];
	int fds[2], status = 0;

	if (pipe(fds) < 0) {
		cc_error("pipe: %s", strerror(errno));
		return NULL;
	}
	pid_t pid = start(argv, fds[1]);
	close(fds[1]);
	buf[0] = '\0';
	if (pid > 0)
		read_all(fds[0], buf, sizeof(buf));
	close(fds[0]);
	child_pid = 0;
	if (pid < 0 || wait_child(pid, &status) < 0)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !buf[0]) {
		/* exec failures were reported by the child already */
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 127)
			cc_error("%s %s failed: check EMBER_CC_BACKEND",
				 argv[0], argv[1]);
		return NULL;
	}
	return strdup(buf);
}
