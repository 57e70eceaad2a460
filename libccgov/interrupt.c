#include <ccgov/error.h>
#include <ccgov/interrupt.h>

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t build_group;

void ccgov_interrupt(int signo)
{
	pid_t pgid = (pid_t)build_group;

	stop_signal = signo;
	if (pgid > 0)
		kill(-pgid, SIGTERM);
}

int ccgov_interrupted(void)
{
	return (int)stop_signal;
}

int ccgov_interrupt_check(void)
{
	int signo = (int)stop_signal;

	if (!signo)
		return 0;
	return ccgov_error_set(CCGOV_EINTERRUPTED, "interrupted by SIG%s", sigabbrev_np(signo));
}

void ccgov_interrupt_set_group(pid_t pgid)
{
	build_group = (sig_atomic_t)pgid;
}
