/*
 * Where a build command runs: its own process group, a time limit, and,
 * where the kernel allows it, a private mount namespace that shows the
 * build folder at one fixed path.
 *
 * The fixed path is what makes an image independent of who builds and
 * where: compilers record paths (__FILE__, DWARF, rpaths), so the folder
 * must read the same for root and for an ordinary user, for every
 * --build-dir. As Nix shows its builds at /build, ccgov shows the real
 * folder at CCGOV_DEFAULT_BUILD_DIR inside a mount namespace of the build's
 * own, with a private /tmp. Without namespaces (a container that forbids
 * them, or --no-namespace) the build runs at its real path.
 *
 * The whole process group is stopped when the command ends, times out or
 * ccgov is interrupted, so nothing the build started outlives it. The
 * command starts with exactly three descriptors: /dev/null as standard
 * input, and the output pipe as standard output and error.
 */
#ifndef CCGOV_SANDBOX_H
#define CCGOV_SANDBOX_H

typedef struct {
	const char *command;    /* run with /bin/sh -c */
	char *const *env;       /* the whole environment, "K=V", NULL-terminated */
	const char *cwd;        /* where the command starts, as it sees the tree */
	int isolate;            /* show root_fd at view_path in a private mount namespace */
	const char *root;       /* the real build folder */
	int root_fd;            /* open on it: the namespace shows this folder or none */
	const char *view_path;  /* where the command sees it */
	double timeout;         /* seconds; 0 for no limit */
	int output_fd;          /* the command's output goes here too; -1 drops it */
} ccgov_sandbox_spec;

/* 1 if this process can make the private mount namespace of isolate. */
int ccgov_sandbox_available(void);

/*
 * Runs the command and waits for it and its process group. 0 when it
 * exited 0; CCGOV_EMISMATCH when it failed (its status and last lines of
 * output in the message); CCGOV_ETIMEOUT when it ran past the timeout;
 * CCGOV_EINTERRUPTED when ccgov_interrupt() was called. seconds gets the
 * time it ran.
 */
int ccgov_sandbox_run(const ccgov_sandbox_spec *spec, double *seconds);

#endif
