#include <sgx_tseal.h>
#include <sgx_utils.h>

int seal_secret(const uint8_t *data, uint32_t len, sgx_sealed_data_t *out, uint32_t size)
{
	return sgx_seal_data(0, NULL, len, data, size, out);
}

int unseal_secret(const sgx_sealed_data_t *in, uint8_t *data, uint32_t *len)
{
	return sgx_unseal_data(in, NULL, 0, data, len);
}

void derive(sgx_key_request_t *req, sgx_key_128bit_t *key)
{
	req->key_name = SGX_KEYSELECT_SEAL;
	sgx_get_key(req, key);
}

int oe(void)
{
	return oe_get_seal_key_by_policy(OE_SEAL_POLICY_UNIQUE, NULL, NULL, NULL, NULL);
}

int gramine(void)
{
	return open("/dev/attestation/keys/_sgx_mrenclave", O_RDONLY);
}

int snp(int fd, void *req)
{
	return ioctl(fd, SNP_GET_DERIVED_KEY, req);
}

sgx_status_t provisioning_seal_key(sgx_key_128bit_t *key)
{
	sgx_key_request_t req = { .key_name = SGX_KEYSELECT_PROVISION_SEAL };

	return sgx_get_key(&req, key);
}
