/*
 * Errors as values, in the style of libgit2: every ccgov_* function returns
 * 0 on success or a negative CCGOV_E* code, and keeps a one-line message
 * for ccgov_error_last(). The message is per thread, so parallel work
 * (scan) never reads another thread's error.
 */
#ifndef CCGOV_ERROR_H
#define CCGOV_ERROR_H

typedef enum {
	CCGOV_OK = 0,
	CCGOV_ERROR = -1,     /* internal or environment failure */
	CCGOV_EINVALID = -2,  /* the input is malformed or not allowed */
	CCGOV_ENOTFOUND = -3, /* a named file, revision or key does not exist */
	CCGOV_EUNSAFE = -4,   /* a path leaves its root, or a link points out */
	CCGOV_EMISMATCH = -5, /* a check ran and failed: digest, signature */
	CCGOV_ENOMEM = -6,
	CCGOV_EIO = -7,       /* reading or writing failed */
	CCGOV_EEXISTS = -8,
	CCGOV_EINTERRUPTED = -9, /* a signal asked ccgov to stop (ccgov_interrupted()) */
	CCGOV_ETIMEOUT = -10   /* a bounded wait ran out: a build or a lock */
} ccgov_error_code;

typedef struct {
	int code;
	const char *message;
} ccgov_error;

/* The last error of this thread, or NULL if none was set. */
const ccgov_error *ccgov_error_last(void);

/* Clears this thread's error. */
void ccgov_error_clear(void);

/*
 * Sets this thread's error and returns code, so that callers can write
 * `return ccgov_error_set(CCGOV_EINVALID, "%s: not UTF-8", path);`.
 */
int ccgov_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like ccgov_error_set, with ": strerror(errnum)" appended. */
int ccgov_error_set_errno(int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Puts "PREFIX: " before this thread's current message and returns its
 * code, for callers that add where an error happened.
 */
int ccgov_error_wrap(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The CCGOV_E* code for an errno value from a failed system call. */
int ccgov_error_from_errno(int errnum);

/*
 * The process exit status that ccgov(1) documents for an error code:
 * 1 a check failed (or a build timed out), 2 usage or input error,
 * 3 internal or environment, 128+N stopped by signal N.
 */
int ccgov_error_exit_status(int code);

#endif
