/*
 * exitcode N: exits with status N, so the tests can check that the
 * guest's status becomes the monitor's.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: exitcode N\n");
		return 2;
	}
	return atoi(argv[1]);
}
