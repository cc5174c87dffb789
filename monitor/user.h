/* --user UID[:GID] (user.c). */
#ifndef EMBER_USER_H
#define EMBER_USER_H

#include <sys/types.h>

struct user_options {
	int set; /* --user was given */
	uid_t uid;
	gid_t gid; /* GID, or UID when only UID was given */
};

/* Parse the value of --user into u. 0, or -1 after one line. */
int user_option(const char *arg, struct user_options *u);
/* After the command line: --user needs root. 0, or -1 after one line. */
int user_check(const struct user_options *u);
/* Become u's uid and gid with no supplementary groups and verify that
 * root cannot be regained; no-op without --user. 0, or -1 after one
 * line. */
int user_drop(const struct user_options *u);

#endif
