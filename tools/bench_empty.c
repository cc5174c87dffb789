/*
 * The process backend's floor for `make bench`: exec of an empty static
 * program, the least any process-based runner can cost.
 */
int main(void)
{
	return 0;
}
