#include <sgx_urts.h>

sgx_status_t launch(sgx_enclave_id_t *eid)
{
	return sgx_create_enclave("enclave.signed.so", SGX_DEBUG_FLAG, NULL, NULL, eid, NULL);
}
