/* Mentions that are not calls: sgx_seal_data, dlopen, getenv("API_KEY"), SSL_VERIFY_NONE. */
#include <stdlib.h>
#include <sys/mman.h>

/* Defining and dispatching the SEV-SNP request is the driver's job, not a use of it. */
#define SNP_GET_DERIVED_KEY _IOWR('S', 0x1, struct snp_guest_request_ioctl)

static long snp_guest_ioctl(unsigned int ioctl)
{
	switch (ioctl) {
	case SNP_GET_DERIVED_KEY:
		return 0;
	}
	return -1;
}

static int seal(int x) { return x + 1; }          /* a local function named seal */

const char *docs = "call sgx_seal_data() or dlopen() at your peril";

void ordinary(void *p, size_t n)
{
	const char *home = getenv("HOME");
	const char *path = getenv("PATH");
	const char *tmp = getenv("TMPDIR");
	const char *go = getenv("CGO_ENABLED");
	const char *dbg = getenv("DEBUGINFOD_URLS");
	void *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	mprotect(p, n, PROT_READ);
	(void)home, (void)path, (void)tmp, (void)go, (void)dbg, (void)m, (void)seal(1);
	sgx_create_enclave("enclave.signed.so", 0, NULL, NULL, NULL, NULL);
	curl_easy_setopt(NULL, CURLOPT_SSL_VERIFYPEER, 1L);
	SSL_CTX_set_verify(NULL, SSL_VERIFY_PEER, NULL);
	signal(SIGTERM, NULL);
}
