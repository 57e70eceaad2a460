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
