/*
 * spin: never exits and never makes a hypercall, for the --timeout
 * tests: only the monitor can end it.
 */
int main(void)
{
	volatile unsigned long n = 0;

	for (;;)
		n++;
}
