/*
 * hello: the demo image. Prints a greeting and its arguments, exits 0.
 * Plain C: nothing here knows it runs on Ember.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("Hello from Ember!\n");
	for (int i = 1; i < argc; i++)
		printf("arg %d: %s\n", i, argv[i]);
	return 0;
}
