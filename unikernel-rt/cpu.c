/*
 * CPU features, from CPUID leaf 1 read once at boot: CPUID always exits
 * to the hypervisor, so it is far too slow to ask per call.
 */
#include "rt.h"

uint32_t ember_cpuid1_ecx, ember_cpuid1_edx;

void ember_cpu_init(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	ember_cpuid1_ecx = c;
	ember_cpuid1_edx = d;
}
