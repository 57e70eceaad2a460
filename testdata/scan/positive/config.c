#include <signal.h>
#include <stdlib.h>
#include <sys/inotify.h>

const char *api_key(void)
{
	return getenv("PAYMENTS_API_KEY");
}

const char *ca(void)
{
	return secure_getenv("TLS_CA_FILE");
}

void reload_on_hup(void (*reload)(int))
{
	signal(SIGHUP, reload);
}

int watch(void)
{
	int fd = inotify_init1(0);

	return inotify_add_watch(fd, "/etc/app.conf", IN_MODIFY);
}

#define RA_TLS_ALLOW_DEBUG_ENCLAVE_INSECURE "RA_TLS_ALLOW_DEBUG_ENCLAVE_INSECURE"

/* Names given as constants, and getenv wrappers, are reads all the same. */
int allow_debug(void)
{
	return getenv(RA_TLS_ALLOW_DEBUG_ENCLAVE_INSECURE) != NULL || curl_getenv("CURL_CA_BUNDLE") != NULL;
}
