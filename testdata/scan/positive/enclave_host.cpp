// C++ forms of the C and C++ rules.
#include <dlfcn.h>
#include <openenclave/enclave.h>
#include <sgx_tseal.h>

namespace host {

class Vault {
public:
	int seal(const uint8_t *d, uint32_t n, sgx_sealed_data_t *out, uint32_t size)
	{
		return sgx_seal_data(0, nullptr, n, d, size, out);
	}
	void key(sgx_key_request_t &req) { req.key_name = SGX_KEYSELECT_SEAL; }
	int oe() { return oe_seal(nullptr, nullptr, 0, nullptr, 0, nullptr, 0, nullptr, nullptr); }
	const char *gramine() const { return "/dev/attestation/keys/_sgx_mrsigner"; }
	int snp(int fd, void *req) { return ioctl(fd, SNP_GET_DERIVED_KEY, req); }
};

void *load(const std::string &p) { return dlopen(p.c_str(), RTLD_LAZY); }
void *exec(size_t n) { return mmap(nullptr, n, PROT_EXEC | PROT_READ, MAP_PRIVATE, -1, 0); }
const char *secret() { return std::getenv("SIGNING_KEY") ? getenv("SIGNING_KEY") : ""; }
void hup(void (*f)(int)) { signal(SIGHUP, f); }
int watch() { return inotify_init(); }
void tls(SSL_CTX *ctx) { SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr); }

} // namespace host
