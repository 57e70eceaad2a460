/*
 * A small TAP-producing harness for libccgov's unit tests. A test is a
 * function; CHECK stops it at the first failed assertion and says where.
 */
#ifndef CCGOV_UNIT_H
#define CCGOV_UNIT_H

#include <ccgov/ccgov.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*run)(void);
};

void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int unit_failed(void);
/* A fresh folder under $TMPDIR for this test; removed when the run ends. */
const char *unit_tmpdir(void);
/* Runs a shell command and returns its stdout (trailing newline removed). */
char *unit_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes a file, failing the test if it cannot. */
int unit_write(const char *path, const char *text);
/* Removes what the test made at path, through ccgov's one remover. */
int unit_remove(const char *path);

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			unit_fail(__FILE__, __LINE__, "%s", #cond);       \
			return;                                           \
		}                                                         \
	} while (0)

#define CHECK_STR(got, want)                                              \
	do {                                                              \
		const char *g_ = (got), *w_ = (want);                     \
		if (!g_ || strcmp(g_, w_) != 0) {                          \
			unit_fail(__FILE__, __LINE__, "%s: got '%s', want '%s'", \
				  #got, g_ ? g_ : "(null)", w_);          \
			return;                                           \
		}                                                         \
	} while (0)

/* The call must succeed; on failure the library's message is shown. */
#define CHECK_OK(expr)                                                    \
	do {                                                              \
		int e_ = (expr);                                          \
		if (e_ < 0) {                                             \
			const ccgov_error *le_ = ccgov_error_last();      \
			unit_fail(__FILE__, __LINE__, "%s = %d: %s", #expr, e_, \
				  le_ ? le_->message : "");               \
			return;                                           \
		}                                                         \
	} while (0)

/* The call must fail with code, and its message must contain text. */
#define CHECK_ERR(expr, code, text)                                       \
	do {                                                              \
		int e_ = (expr);                                          \
		const ccgov_error *le_ = ccgov_error_last();              \
		if (e_ != (code) || !le_ || !strstr(le_->message, (text))) { \
			unit_fail(__FILE__, __LINE__, "%s = %d (%s), want %d with '%s'", \
				  #expr, e_, le_ ? le_->message : "", (code), (text)); \
			return;                                           \
		}                                                         \
	} while (0)

extern const struct unit_test digest_tests[], json_tests[], file_tests[],
	path_tests[], git_tests[], text_tests[], image_tests[], toml_tests[], sbom_tests[], elf_tests[],
	remove_tests[], tar_tests[], rootfs_tests[], links_tests[];

#endif
