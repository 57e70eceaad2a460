#include <sgx_urts.h>

sgx_status_t launch(sgx_enclave_id_t *eid)
{
	return sgx_create_enclave("enclave.signed.so", SGX_DEBUG_FLAG, NULL, NULL, eid, NULL);
}

int create_debug(const char *path, oe_enclave_t **e, int debug)
{
	uint32_t flags = 0;

	if (debug)
		flags |= (uint32_t)OE_ENCLAVE_FLAG_DEBUG;
	return oe_create_enclave(path, OE_ENCLAVE_TYPE_AUTO, flags, NULL, 0, NULL, 0, e);
}
