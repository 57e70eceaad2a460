#include <sgx_urts.h>

sgx_status_t launch(sgx_enclave_id_t *eid)
{
	return sgx_create_enclave("enclave.signed.so", 1, NULL, NULL, eid, NULL);
}

oe_result_t launch_oe(oe_enclave_t **e)
{
	return oe_create_enclave("enclave.signed", OE_ENCLAVE_TYPE_AUTO, OE_ENCLAVE_FLAG_DEBUG, NULL, 0, NULL, 0, e);
}
