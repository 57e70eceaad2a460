/*
 * Stopping long work when the user or CI sends a signal.
 *
 * The library installs no signal handler: ccgov(1) does, and calls
 * ccgov_interrupt() from it. Long work (the build command, its wait,
 * export and packing) then stops at the next safe point with
 * CCGOV_EINTERRUPTED, removing what it created on the way out, and the
 * running build's process group is told to stop at once.
 */
#ifndef CCGOV_INTERRUPT_H
#define CCGOV_INTERRUPT_H

#include <sys/types.h>

/* Async-signal-safe: records signo and sends SIGTERM to the build's process group. */
void ccgov_interrupt(int signo);

/* The signal that asked to stop, or 0. */
int ccgov_interrupted(void);

/* CCGOV_EINTERRUPTED with a message naming the signal if one arrived, else 0. */
int ccgov_interrupt_check(void);

/* The process group that ccgov_interrupt() stops; 0 for none. */
void ccgov_interrupt_set_group(pid_t pgid);

#endif
