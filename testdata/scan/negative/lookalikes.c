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

/* The SDK's own definitions, tests and clearing of flags. */
#define SGX_KEYSELECT_SEAL 0x0004
#define OE_ENCLAVE_FLAG_DEBUG 0x00000001u
#define RELEASE_ENCLAVE 0

static int is_debug(unsigned flags, const sgx_key_request_t *r)
{
	if (r->key_name > SGX_KEYSELECT_SEAL)
		return -1;
	flags &= ~OE_ENCLAVE_FLAG_DEBUG;
	return (flags & OE_ENCLAVE_FLAG_DEBUG) != 0;
}

/* Verification moved after the handshake and checked here: not switched off. */
static int handshake(SSL *ssl)
{
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	if (SSL_do_handshake(ssl) != 1)
		return -1;
	return SSL_get_verify_result(ssl) == X509_V_OK ? 0 : -1;
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
	sgx_create_enclave("enclave.signed.so", RELEASE_ENCLAVE, NULL, NULL, NULL, NULL);
	(void)dlopen(NULL, RTLD_NOW);
	(void)dlopen("libssl.so.3", RTLD_NOW | RTLD_NOLOAD);
	(void)getenv(HOME_ENV);
	(void)is_debug(0, NULL), (void)handshake(NULL);
	curl_easy_setopt(NULL, CURLOPT_SSL_VERIFYPEER, 1L);
	SSL_CTX_set_verify(NULL, SSL_VERIFY_PEER, NULL);
	signal(SIGTERM, NULL);
}
