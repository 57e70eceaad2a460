/* Mentions that are not calls: sgx_seal_data, dlopen, getenv("API_KEY"), SSL_VERIFY_NONE. */
#include <stdlib.h>
#include <sys/mman.h>

static int seal(int x) { return x + 1; }          /* a local function named seal */

const char *docs = "call sgx_seal_data() or dlopen() at your peril";

void ordinary(void *p, size_t n)
{
	const char *home = getenv("HOME");
	const char *path = getenv("PATH");
	const char *tmp = getenv("TMPDIR");
	void *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	mprotect(p, n, PROT_READ);
	(void)home, (void)path, (void)tmp, (void)m, (void)seal(1);
	sgx_create_enclave("enclave.signed.so", 0, NULL, NULL, NULL, NULL);
	curl_easy_setopt(NULL, CURLOPT_SSL_VERIFYPEER, 1L);
	SSL_CTX_set_verify(NULL, SSL_VERIFY_PEER, NULL);
	signal(SIGTERM, NULL);
}
