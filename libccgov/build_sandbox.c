#include <ccgov/error.h>
#include <ccgov/interrupt.h>
#include <ccgov/sandbox.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TAIL_SIZE 4096    /* build output kept for the error message */
#define GRACE_SECONDS 2.0 /* between SIGTERM and SIGKILL to the group */
#define DRAIN_SECONDS 1.0 /* reading output after the group is gone */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the private mount namespace (in the child, before exec) ---------- */

static int write_proc(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * A mount namespace of our own: as root directly, as anyone else inside a
 * user namespace that maps only the caller's own uid and gid, so the build
 * keeps exactly the rights it had. Returns the step that failed, or NULL.
 */
static const char *unshare_mounts(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (uid == 0)
		return unshare(CLONE_NEWNS) < 0 ? "unshare" : NULL;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return "unshare";
	if (write_proc("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		return "setgroups";
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_proc("/proc/self/uid_map", map) < 0)
		return "uid_map";
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	return write_proc("/proc/self/gid_map", map) < 0 ? "gid_map" : NULL;
}

/*
 * A private /tmp, and the build folder at view_path inside it. The folder
 * is opened again inside the new namespace (a bind mount takes its source
 * from the caller's own namespace), and must be the one root_fd holds.
 */
static const char *show_build_folder(const ccgov_sandbox_spec *s)
{
	struct stat want, got;
	char source[64];
	const char *step;
	int fd = -1;

	if ((step = unshare_mounts()))
		return step;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return "mount --make-rprivate /";
	if (s && ((fd = open(s->root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
		  fstat(fd, &got) < 0 || fstat(s->root_fd, &want) < 0 ||
		  got.st_dev != want.st_dev || got.st_ino != want.st_ino))
		return s->root;
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		return "mount tmpfs /tmp";
	if (!s)
		return NULL;
	if (mkdir(s->view_path, 0700) < 0)
		return s->view_path;
	snprintf(source, sizeof(source), "/proc/self/fd/%d", fd);
	if (mount(source, s->view_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return "mount --bind";
	close(fd);
	return NULL;
}

int ccgov_sandbox_available(void)
{
	static int known = -1;
	int status;
	pid_t pid;

	if (known >= 0)
		return known;
	if ((pid = fork()) < 0)
		return known = 0;
	if (pid == 0)
		_exit(show_build_folder(NULL) ? 1 : 0);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return known = 0;
	return known = WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* ---- the child --------------------------------------------------------- */

static void say(int fd, const char *step)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "ccgov: cannot set up the build: %s: %s\n", step, strerror(errno));

	if (n > 0 && write(fd, line, (size_t)n) < 0)
		_exit(127);
}

/* A descriptor number from a /proc/self/fd entry's name, or -1. */
static int fd_number(const char *name)
{
	int n = 0;

	if (!*name)
		return -1;
	for (; *name; name++) {
		if (*name < '0' || *name > '9' || n > 100000000)
			return -1;
		n = n * 10 + (*name - '0');
	}
	return n;
}

/*
 * Kernels before 5.9 have no close_range: close what /proc/self/fd lists
 * (getdents64 and close only, nothing that allocates after fork), until
 * a pass finds nothing more; without /proc, every number up to the limit.
 */
static void close_listed_from_3(void)
{
	struct rlimit rl;
	char buf[4096];
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC), found = 1;

	for (int pass = 0; dir >= 0 && found && pass < 16; pass++) {
		ssize_t n;

		found = 0;
		lseek(dir, 0, SEEK_SET);
		while ((n = getdents64(dir, buf, sizeof(buf))) > 0) {
			for (ssize_t off = 0; off < n;) {
				struct dirent64 *d = (struct dirent64 *)(buf + off);
				int fd = fd_number(d->d_name);

				if (fd > 2 && fd != dir) {
					close(fd);
					found = 1;
				}
				off += d->d_reclen;
			}
		}
	}
	if (dir >= 0) {
		close(dir);
		return;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20))
		rl.rlim_cur = 1u << 20;
	for (int fd = 3; fd < (int)rl.rlim_cur; fd++)
		close(fd);
}

/*
 * The build starts with exactly 0, 1 and 2. Anything else open here is
 * ccgov's (a repository, a lock) or its caller's (a CI runner's pipes,
 * whose writers the build would keep open and whose readers it could
 * read): not the build's to use, and not to be held past ccgov's exit.
 */
static void close_from_3(void)
{
	if (close_range(3, ~0U, 0) < 0)
		close_listed_from_3();
}

/*
 * fd moved above 2, so that dup2 to 0, 1 or 2 makes a copy, which does
 * not inherit close-on-exec: dup2 onto the descriptor it already is
 * (stdout closed, the pipe given 1) would keep the flag, and the build
 * would start without it.
 */
static int above_2(int fd)
{
	return fd > 2 ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

static void child(const ccgov_sandbox_spec *s, int out_fd, pid_t parent)
{
	const char *step = NULL;
	sigset_t none;
	int null, out;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 || (null = above_2(null)) < 0 ||
	    (out = above_2(out_fd)) < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	close(null);
	close(out);
	if (s->isolate && (step = show_build_folder(s))) {
		say(2, step);
		_exit(127);
	}
	/* Even a SIGKILL'ed ccgov takes its build command with it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	if (chdir(s->cwd) < 0) {
		say(2, s->cwd);
		_exit(127);
	}
	umask(022);
	close_from_3();
	execve("/bin/sh", (char *[]){ "sh", "-c", (char *)s->command, NULL }, s->env);
	say(2, "/bin/sh");
	_exit(127);
}

/* ---- output ------------------------------------------------------------ */

typedef struct {
	char data[TAIL_SIZE];
	size_t len;
} tail;

static void tail_add(tail *t, const char *p, size_t n)
{
	if (n >= TAIL_SIZE) {
		memcpy(t->data, p + n - TAIL_SIZE, TAIL_SIZE);
		t->len = TAIL_SIZE;
		return;
	}
	if (t->len + n > TAIL_SIZE) {
		size_t drop = t->len + n - TAIL_SIZE;

		memmove(t->data, t->data + drop, t->len - drop);
		t->len -= drop;
	}
	memcpy(t->data + t->len, p, n);
	t->len += n;
}

/* The last few lines of output on one line, '|' for each newline. */
static void tail_lines(char *out, size_t size, const tail *t, int lines)
{
	size_t start = t->len;
	int seen = 0;

	while (start > 0 && t->len - start < size - 1) {
		if (t->data[start - 1] == '\n' && start != t->len && ++seen > lines)
			break;
		start--;
	}
	snprintf(out, size, "%.*s", (int)(t->len - start), t->data + start);
	for (char *c = out; *c; c++)
		if (*c == '\n')
			*c = '|';
}

/* ---- the parent -------------------------------------------------------- */

typedef struct {
	const ccgov_sandbox_spec *spec;
	pid_t pid;         /* the command, leader of its process group */
	int out;           /* read end of its output */
	tail tail;
	int status, reaped, timed_out;
	double start, reaped_at, stop_at, kill_at;
} run;

/*
 * When the leader has exited, the rest of its group goes too, before the
 * leader is reaped: while it is a zombie its pid cannot name another group.
 */
static void reap_leader(run *r)
{
	siginfo_t si = { 0 };

	if (waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid != r->pid)
		return;
	kill(-r->pid, SIGKILL);
	while (waitpid(r->pid, &r->status, 0) < 0 && errno == EINTR)
		;
	r->reaped = 1;
	r->reaped_at = now();
}

/* SIGTERM to the group on a timeout or an interrupt, SIGKILL after a grace. */
static void enforce_limits(run *r, double t)
{
	if (!r->stop_at && (ccgov_interrupted() || (r->spec->timeout > 0 && t - r->start >= r->spec->timeout))) {
		r->timed_out = !ccgov_interrupted();
		r->stop_at = t;
		r->kill_at = t + GRACE_SECONDS;
		kill(-r->pid, SIGTERM);
	}
	if (r->kill_at && t >= r->kill_at) {
		kill(-r->pid, SIGKILL);
		r->kill_at = 0;
	}
}

static void pump_output(run *r, int *eof)
{
	struct pollfd pfd = { .fd = r->out, .events = POLLIN };
	char buf[8192];
	ssize_t n;

	/* At EOF the leader is about to exit: look again soon. */
	if (poll(&pfd, *eof ? 0 : 1, *eof ? 5 : 100) <= 0)
		return;
	if ((n = read(r->out, buf, sizeof(buf))) < 0)
		return; /* EINTR, EAGAIN: the next turn reads */
	if (n == 0) {
		*eof = 1;
		return;
	}
	tail_add(&r->tail, buf, (size_t)n);
	if (r->spec->output_fd >= 0)
		(void)!write(r->spec->output_fd, buf, (size_t)n); /* a closed stderr must not stop the build */
}

static int verdict(const run *r)
{
	const ccgov_sandbox_spec *s = r->spec;
	char last[1024];
	int err;

	if ((err = ccgov_interrupt_check()) < 0)
		return err;
	tail_lines(last, sizeof(last), &r->tail, 10);
	if (r->timed_out)
		return ccgov_error_set(CCGOV_ETIMEOUT,
				       "build command '%s' ran past its timeout of %g seconds and was stopped with its process group; last output: %s",
				       s->command, s->timeout, last);
	if (WIFSIGNALED(r->status))
		return ccgov_error_set(CCGOV_EMISMATCH, "build command '%s' was killed by signal %d; last output: %s",
				       s->command, WTERMSIG(r->status), last);
	if (WEXITSTATUS(r->status) != 0)
		return ccgov_error_set(CCGOV_EMISMATCH, "build command '%s' failed with exit status %d; last output: %s",
				       s->command, WEXITSTATUS(r->status), last);
	return 0;
}

int ccgov_sandbox_run(const ccgov_sandbox_spec *s, double *seconds)
{
	run r = { .spec = s, .start = now() };
	int pipefd[2], eof = 0, err;
	pid_t self = getpid();

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ccgov_error_set_errno(CCGOV_ERROR, errno, "pipe");
	if ((r.pid = fork()) < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return ccgov_error_set_errno(CCGOV_ERROR, errno, "fork");
	}
	if (r.pid == 0)
		child(s, pipefd[1], self);
	close(pipefd[1]);
	r.out = pipefd[0];
	setpgid(r.pid, r.pid); /* as the child does: whichever runs first */
	ccgov_interrupt_set_group(r.pid);
	/* Output after the group is gone comes from what escaped it: read a little, then stop. */
	while (!(r.reaped && (eof || now() - r.reaped_at > DRAIN_SECONDS))) {
		if (!r.reaped) {
			enforce_limits(&r, now());
			reap_leader(&r);
		}
		pump_output(&r, &eof);
	}
	ccgov_interrupt_set_group(0);
	close(r.out);
	*seconds = now() - r.start;
	err = verdict(&r);
	return err;
}
