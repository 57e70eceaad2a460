/* The configuration inventory's classification of keys. */
#include <ccgov/scan.h>

#include <ctype.h>
#include <regex.h>
#include <string.h>

/*
 * Words that make a setting security-sensitive, as whole parts of its
 * name: SSL_CERT_FILE and API_KEY are, CGO_ENABLED, GODEBUG, MONKEY and
 * VAULT_RETRIES are not. DEBUG is not one: in real code it mostly turns
 * on logging. A key is compared in upper case. The
 * runtime-config.sensitive-env rule uses the same words (a test checks).
 */
#define SENSITIVE "(^|[^A-Z0-9])(" \
	"KEYS?|APIKEY|SECRETS?|TOKENS?|PASS|PASSWORDS?|PASSWD|PASSPHRASE|" \
	"NETRC|CREDS?|CREDENTIALS?|CERTS?|CERTIFICATES?|CACERTS?|" \
	"PCKCERT|TLS|SSL|MTLS|TTLS|CA|CAFILE|CAPATH|CABUNDLE|TRUST|TRUSTED|" \
	"TRUSTSTORE|KEYSTORE|ATTEST|ATTESTATION|QUOTE|TDX|TSM|RTMR|MRENCLAVE|" \
	"MRSIGNER|PCK|PCCS|AESM|QVL|KBC|KBS|POLICY|POLICIES|ENCLAVE|SEAL|" \
	"SEALED|SEALING|INSECURE|VERIFY|NOVERIFY|VERIFICATION|AUTH|AUTHN|AUTHZ|" \
	"OAUTH|PRIVATE|CIPHERS?|CIPHERSUITES|FIPS|MEASUREMENTS?|KMS|HSM|VAULT|" \
	"PKCS11|JWT|HMAC|SIGNING|SSLKEYLOGFILE|PYTHONHTTPSVERIFY" \
	")([^A-Z0-9]|$)"
/* Parts that make a name a counter, a timeout or a test stub instead. */
#define NOT_SENSITIVE "(^|[^A-Z0-9])(" \
	"STUB|DBG|RETRY|RETRIES|BACKOFF|TIMEOUT|SECONDS|INTERVAL" \
	")([^A-Z0-9]|$)"

const char *ccgov_inventory_sensitivity(const char *key)
{
	char upper[256];
	regex_t re;
	size_t n;
	int hit;

	if (!key || !key[0])
		return "unknown";
	n = strlen(key);
	if (n >= sizeof(upper))
		n = sizeof(upper) - 1;
	for (size_t i = 0; i < n; i++) {
		/* A computed key (a variable, a call) is not a name we can judge. */
		if (!isalnum((unsigned char)key[i]) && !strchr("_-./", key[i]))
			return "unknown";
		upper[i] = (char)toupper((unsigned char)key[i]);
	}
	upper[n] = '\0';
	if (regcomp(&re, SENSITIVE, REG_EXTENDED | REG_NOSUB) != 0)
		return "unknown";
	hit = regexec(&re, upper, 0, NULL, 0) == 0;
	regfree(&re);
	if (hit) {
		if (regcomp(&re, NOT_SENSITIVE, REG_EXTENDED | REG_NOSUB) != 0)
			return "unknown";
		hit = regexec(&re, upper, 0, NULL, 0) != 0;
		regfree(&re);
	}
	return hit ? "sensitive" : "non-sensitive";
}
