/*
 * Finding the runtime (libember.a, ember.ld, musl/) relative to ember-cc
 * itself, so both the build tree and an installed copy work without
 * configuration:
 *   installed:  PREFIX/bin/ember-cc  ->  PREFIX/lib/ember/
 *   build tree: build/bin/ember-cc   ->  build/lib/
 * EMBER_LIBDIR overrides both.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cc.h"

int cc_has_file(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

	return n > 0 && (size_t)n < sizeof(path) && access(path, R_OK) == 0;
}

static int has_runtime(const char *dir)
{
	return cc_has_file(dir, "libember.a");
}

/* dir/rel, cleaned up by realpath when it exists. */
static char *join(const char *dir, const char *rel)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, rel);

	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	char *real = realpath(path, NULL);
	return real ? real : strdup(path);
}

/* The directory holding the running executable. */
static int exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	if (n < 0) {
		cc_error("cannot find my own path (/proc/self/exe): %s: set "
			 "EMBER_LIBDIR",
			 strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	return 0;
}

/* Returns a malloc'd path, or NULL after printing one line. */
static char *find_libdir(void)
{
	char dir[PATH_MAX];
	const char *env = getenv("EMBER_LIBDIR");
	char *found;

	if (env && *env) {
		found = strdup(env);
	} else {
		if (exe_dir(dir, sizeof(dir)) < 0)
			return NULL;
		found = join(dir, "../lib/ember");
		if (found && !has_runtime(found)) {
			free(found);
			found = join(dir, "../lib");
		}
	}
	if (!found)
		cc_error("cannot build the runtime path: out of memory or "
			 "path too long: set EMBER_LIBDIR");
	return found;
}

char *cc_libdir(int check)
{
	char *dir = find_libdir();

	if (dir && check && !has_runtime(dir)) {
		cc_error("runtime not found in %s: run make, or set "
			 "EMBER_LIBDIR",
			 dir);
		free(dir);
		return NULL;
	}
	return dir;
}
