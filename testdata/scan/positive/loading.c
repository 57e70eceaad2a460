#include <dlfcn.h>
#include <sys/mman.h>

void *plugin(const char *path)
{
	return dlopen(path, RTLD_NOW);
}

void *jit(size_t n)
{
	return mmap(NULL, n, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int make_exec(void *p, size_t n)
{
	return mprotect(p, n, PROT_EXEC);
}

void *jit_commented(size_t n)
{
	return mmap(NULL, n, /* prot */ PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

void *jit_windows(size_t n)
{
	return VirtualAlloc(NULL, n, MEM_COMMIT | MEM_RESERVE, PAGE_EXECUTE_READWRITE);
}
