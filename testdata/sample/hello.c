/* The sample workload that `make demo` builds: a tiny TEE-bound service stub. */
#include <stdio.h>

int main(void)
{
	puts("hello from a governed build");
	return 0;
}
