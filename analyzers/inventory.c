/* The configuration inventory's classification of keys. */
#include <ccgov/scan.h>

#include <ctype.h>
#include <regex.h>
#include <string.h>

/*
 * Words that make a setting security-sensitive. The runtime-config rules
 * use the same list; a key is compared in upper case.
 */
#define SENSITIVE "(KEY|SECRET|TOKEN|PASS(WORD|WD)?|CRED|CERT|TLS|SSL|CA_?(FILE|PATH|BUNDLE)|TRUST|ATTEST|" \
	"POLICY|ENCLAVE|SEAL|DEBUG|INSECURE|VERIFY|AUTH|PRIVATE|CIPHER|FIPS|ALLOW|DISABLE|ENABLE|SKIP|" \
	"MEASUREMENT|KMS|HSM|VAULT)"

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
	return hit ? "sensitive" : "non-sensitive";
}
