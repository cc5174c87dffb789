/*
 * abort: calls abort(). The monitor's report must say so; this program
 * prints nothing itself, so the word "abort" in the report comes from the
 * runtime and monitor, not from here.
 */
#include <stdlib.h>

int main(void)
{
	abort();
}
