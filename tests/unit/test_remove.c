/*
 * The one remover and the folders ccgov owns: nothing outside the tree it
 * is given, and nothing without a proof of ownership, is ever removed.
 */
#include <ccgov/ccgov.h>
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *path_in(const char *dir, const char *name)
{
	static char buf[8][4300];
	static int next;
	char *p = buf[next++ % 8];

	if (snprintf(p, sizeof(buf[0]), "%s/%s", dir, name) >= (int)sizeof(buf[0]))
		abort();
	return p;
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void links_are_removed_not_followed(void)
{
	const char *t = unit_tmpdir();
	ccgov_ownership proof;

	CHECK(mkdir(path_in(t, "outside"), 0755) == 0 && mkdir(path_in(t, "tree"), 0755) == 0);
	CHECK(unit_write(path_in(t, "outside/keep"), "k") == 0);
	CHECK(symlink(path_in(t, "outside"), path_in(t, "tree/dirlink")) == 0);
	CHECK(symlink(path_in(t, "outside/keep"), path_in(t, "tree/filelink")) == 0);
	CHECK(link(path_in(t, "outside/keep"), path_in(t, "tree/hardlink")) == 0);
	CHECK(mkdir(path_in(t, "tree/ro"), 0755) == 0 && unit_write(path_in(t, "tree/ro/f"), "f") == 0);
	CHECK(chmod(path_in(t, "tree/ro"), 0555) == 0);
	CHECK_OK(ccgov_ownership_of_path(&proof, path_in(t, "tree")));
	CHECK_OK(ccgov_remove(path_in(t, "tree"), &proof, 0));
	CHECK(!exists(path_in(t, "tree")));
	CHECK(exists(path_in(t, "outside/keep")));
}

static void another_folder_at_the_path_is_left_alone(void)
{
	const char *t = unit_tmpdir();
	ccgov_ownership proof;

	CHECK(mkdir(path_in(t, "mine"), 0755) == 0);
	CHECK_OK(ccgov_ownership_of_path(&proof, path_in(t, "mine")));
	CHECK(rename(path_in(t, "mine"), path_in(t, "moved")) == 0);
	CHECK(mkdir(path_in(t, "mine"), 0755) == 0 && unit_write(path_in(t, "mine/user"), "u") == 0);
	CHECK_ERR(ccgov_remove(path_in(t, "mine"), &proof, 0), CCGOV_EUNSAFE, "is not what this run of ccgov created");
	CHECK(exists(path_in(t, "mine/user")));
	/* A link put where the folder was is not followed either. */
	CHECK(rename(path_in(t, "mine"), path_in(t, "user")) == 0);
	CHECK(symlink(path_in(t, "user"), path_in(t, "mine")) == 0);
	CHECK_ERR(ccgov_remove(path_in(t, "mine"), &proof, 0), CCGOV_EUNSAFE, "is not what this run");
	CHECK(exists(path_in(t, "user/user")));
}

static void protected_folders_are_refused(void)
{
	const char *t = unit_tmpdir();
	char cwd[4096];
	ccgov_ownership proof;
	struct stat st;
	int status;
	pid_t pid;

	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK(stat("/", &st) == 0);
	CHECK_ERR(ccgov_check_removable("/", &st), CCGOV_EUNSAFE, "/: is the root folder");
	CHECK(mkdir(path_in(t, "repo"), 0755) == 0 && mkdir(path_in(t, "repo/sub"), 0755) == 0);
	CHECK(mkdir(path_in(t, "repo/sub/here"), 0755) == 0);
	CHECK(unit_write(path_in(t, "repo/sub/file"), "f") == 0);
	CHECK(chdir(path_in(t, "repo/sub/here")) == 0);
	CHECK_OK(ccgov_ownership_of_path(&proof, path_in(t, "repo")));
	CHECK_ERR(ccgov_remove(path_in(t, "repo"), &proof, 0), CCGOV_EUNSAFE,
		  "is the current folder or one above it");
	CHECK_OK(ccgov_ownership_of_path(&proof, "."));
	CHECK_ERR(ccgov_remove(".", &proof, 0), CCGOV_EUNSAFE, "not a name ccgov removes");
	CHECK_ERR(ccgov_remove("..", &proof, 0), CCGOV_EUNSAFE, "not a name ccgov removes");
	CHECK_ERR(ccgov_remove(path_in(t, "repo/sub/here/"), &proof, 0), CCGOV_EUNSAFE, "is the current folder");
	CHECK(chdir(cwd) == 0);
	CHECK(exists(path_in(t, "repo/sub/file")));
	/*
	 * A registered path protects its ancestors, found through links too;
	 * in a child, since protection lasts as long as the process.
	 */
	CHECK(mkdir(path_in(t, "p"), 0755) == 0 && mkdir(path_in(t, "p/project"), 0755) == 0);
	CHECK(symlink(path_in(t, "p/project"), path_in(t, "plink")) == 0);
	if ((pid = fork()) == 0) {
		if (ccgov_protect_path(path_in(t, "plink"), "the project being built") < 0 ||
		    ccgov_ownership_of_path(&proof, path_in(t, "p")) < 0 ||
		    ccgov_remove(path_in(t, "p"), &proof, 0) != CCGOV_EUNSAFE ||
		    !strstr(ccgov_error_last()->message, "is the project being built or one above it"))
			_exit(1);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(exists(path_in(t, "p/project")));
}

static void markers_name_their_own_folder(void)
{
	const char *t = unit_tmpdir();
	ccgov_ownership proof;
	long pid = 0;
	int a, b;

	CHECK(mkdir(path_in(t, "a"), 0755) == 0 && mkdir(path_in(t, "b"), 0755) == 0);
	CHECK((a = open(path_in(t, "a"), O_RDONLY | O_DIRECTORY)) >= 0);
	CHECK((b = open(path_in(t, "b"), O_RDONLY | O_DIRECTORY)) >= 0);
	CHECK_ERR(ccgov_marker_check(&proof, &pid, a, "a"), CCGOV_ENOTFOUND, "");
	CHECK_OK(ccgov_marker_write(a, "a"));
	CHECK_OK(ccgov_marker_check(&proof, &pid, a, "a"));
	CHECK(pid == (long)getpid());
	/* A copied marker proves nothing. */
	{
		char *text;
		size_t len;

		CHECK_OK(ccgov_file_read(&text, &len, path_in(t, "a/.ccgov-owned"), 256));
		CHECK(unit_write(path_in(t, "b/.ccgov-owned"), text) == 0);
		free(text);
	}
	CHECK_ERR(ccgov_marker_check(&proof, &pid, b, "b"), CCGOV_EMISMATCH, "written for another folder");
	CHECK(unit_write(path_in(t, "b/.ccgov-owned"), "ccgov-owned 1\ndev 1\n") == 0);
	CHECK_ERR(ccgov_marker_check(&proof, &pid, b, "b"), CCGOV_EINVALID, "not a ccgov marker");
	close(a);
	close(b);
}

static void noop_wait(void *ctx, const char *path, long pid)
{
	*(long *)ctx = pid;
	(void)path;
}

static void claims_take_only_what_is_ours(void)
{
	const char *t = unit_tmpdir();
	long told = -1;
	ccgov_claim_options o = { .timeout = 0.3, .on_wait = noop_wait, .ctx = &told,
				  .what = "build folder", .option = "--build-dir" };
	ccgov_owned_dir *d = NULL, *other = NULL;
	int fd;

	/* Content without a marker: refused, untouched. */
	CHECK(mkdir(path_in(t, "user"), 0755) == 0 && unit_write(path_in(t, "user/notes"), "n") == 0);
	CHECK_ERR(ccgov_owned_dir_claim(&d, path_in(t, "user"), &o), CCGOV_EEXISTS, "has content and no ccgov marker");
	CHECK(exists(path_in(t, "user/notes")) && !exists(path_in(t, "user/.ccgov-owned")));
	/* A link: refused, the link and its target untouched. */
	CHECK(symlink(path_in(t, "user"), path_in(t, "link")) == 0);
	CHECK_ERR(ccgov_owned_dir_claim(&d, path_in(t, "link"), &o), CCGOV_EUNSAFE, "is a symbolic link");
	CHECK(exists(path_in(t, "link")) && exists(path_in(t, "user/notes")));
	/* An empty folder: taken, and left (empty) when done. */
	CHECK(mkdir(path_in(t, "empty"), 0755) == 0);
	CHECK_OK(ccgov_owned_dir_claim(&d, path_in(t, "empty"), &o));
	CHECK(unit_write(path_in(t, "empty/built"), "b") == 0);
	/* Held: a second claim waits, says who holds it, and gives up. */
	CHECK_ERR(ccgov_owned_dir_claim(&other, path_in(t, "empty"), &o), CCGOV_ERROR, "still held by another ccgov run");
	CHECK(told == (long)getpid());
	CHECK_OK(ccgov_owned_dir_remove(d));
	CHECK(exists(path_in(t, "empty")) && !exists(path_in(t, "empty/built")));
	CHECK(!exists(path_in(t, "empty/.ccgov-owned")));
	/* A killed run's folder: marked, unlocked; emptied and taken over. */
	CHECK(mkdir(path_in(t, "stale"), 0755) == 0);
	CHECK((fd = open(path_in(t, "stale"), O_RDONLY | O_DIRECTORY)) >= 0);
	CHECK_OK(ccgov_marker_write(fd, "stale"));
	close(fd);
	CHECK(unit_write(path_in(t, "stale/old"), "o") == 0);
	CHECK_OK(ccgov_owned_dir_claim(&d, path_in(t, "stale"), &o));
	CHECK(!exists(path_in(t, "stale/old")) && exists(path_in(t, "stale/.ccgov-owned")));
	CHECK_OK(ccgov_owned_dir_remove(d));
	CHECK(!exists(path_in(t, "stale")));
	/* A new one is created marked, and removed whole. */
	CHECK_OK(ccgov_owned_dir_claim(&d, path_in(t, "new"), &o));
	CHECK(exists(path_in(t, "new/.ccgov-owned")));
	CHECK_OK(ccgov_owned_dir_remove(d));
	CHECK(!exists(path_in(t, "new")));
}

static void replacing_swaps_back_what_is_not_ours(void)
{
	const char *t = unit_tmpdir();
	ccgov_owned_dir *d = NULL;
	ccgov_ownership old;

	CHECK(mkdir(path_in(t, "out"), 0755) == 0 && unit_write(path_in(t, "out/old"), "o") == 0);
	CHECK_OK(ccgov_ownership_of_path(&old, path_in(t, "out")));
	/* Someone puts their folder at out after it was checked. */
	CHECK(rename(path_in(t, "out"), path_in(t, "was")) == 0);
	CHECK(mkdir(path_in(t, "out"), 0755) == 0 && unit_write(path_in(t, "out/theirs"), "t") == 0);
	CHECK_OK(ccgov_owned_dir_create_beside(&d, path_in(t, "out")));
	CHECK_ERR(ccgov_owned_dir_replace(d, path_in(t, "out"), &old), CCGOV_EUNSAFE, "was replaced");
	CHECK(exists(path_in(t, "out/theirs")) && !exists(path_in(t, "out/.ccgov-owned")));
	/* The folder old proves is replaced, and removed. */
	CHECK(rename(path_in(t, "out"), path_in(t, "theirs")) == 0 && rename(path_in(t, "was"), path_in(t, "out")) == 0);
	CHECK_OK(ccgov_owned_dir_replace(d, path_in(t, "out"), &old));
	CHECK(exists(path_in(t, "out/.ccgov-owned")) && !exists(path_in(t, "out/old")));
	ccgov_owned_dir_release(d);
	CHECK(exists(path_in(t, "theirs/theirs")));
}

/* ---- the stress test ------------------------------------------------------ */

#define SENTINELS 8

typedef struct {
	const char *base;
	char dirs[64][4300]; /* folders of the tree, to swap during the walk */
	int ndirs;
	volatile int done;
	unsigned seed;
} stress;

static void grow(stress *s, const char *dir, int depth)
{
	int n = (int)(rand_r(&s->seed) % 6);

	for (int i = 0; i < n; i++) {
		char name[4400];
		int kind = (int)(rand_r(&s->seed) % 6);

		snprintf(name, sizeof(name), "%s/e%d", dir, i);
		switch (kind) {
		case 0:
		case 1:
			if (depth < 5 && mkdir(name, 0755) == 0) {
				if (s->ndirs < 64 && strlen(name) < sizeof(s->dirs[0]))
					strcpy(s->dirs[s->ndirs++], name);
				grow(s, name, depth + 1);
			}
			break;
		case 2:
			unit_write(name, "data");
			break;
		case 3: /* a link to the outside folder, or up and out */
			(void)!symlink(rand_r(&s->seed) % 2 ? path_in(s->base, "outside") : "../../../../..", name);
			break;
		case 4: /* a link to one sentinel */
			(void)!symlink(path_in(s->base, "outside/s0"), name);
			break;
		case 5: /* a hard link: removing it must leave the sentinel */
			(void)!link(path_in(s->base, "outside/s1"), name);
			break;
		}
	}
}

/* Swaps folders of the tree for links to the outside while the walk runs. */
static void *swapper(void *arg)
{
	stress *s = arg;
	char aside[4400];

	for (int k = 0; !s->done && s->ndirs; k++) {
		const char *d = s->dirs[rand_r(&s->seed) % (unsigned)s->ndirs];

		snprintf(aside, sizeof(aside), "%s/aside%d", s->base, k);
		if (rename(d, aside) == 0)
			(void)!symlink(path_in(s->base, "outside"), d);
		sched_yield();
	}
	return NULL;
}

static int outside_intact(const char *base)
{
	for (int i = 0; i < SENTINELS; i++) {
		char name[32], *text;
		size_t len;
		int ok;

		snprintf(name, sizeof(name), "outside/s%d", i);
		if (ccgov_file_read(&text, &len, path_in(base, name), 64) < 0)
			return 0;
		ok = strcmp(text, "sentinel") == 0;
		free(text);
		if (!ok)
			return 0;
	}
	return exists(path_in(base, "outside/deep/s"));
}

static void random_trees_with_swaps_never_lose_outside_files(void)
{
	for (int round = 0; round < 40; round++) {
		stress s = { .seed = (unsigned)round * 7919u + 1 };
		char base[4300], name[32];
		ccgov_ownership proof;
		pthread_t th;

		snprintf(base, sizeof(base), "%s/round%d", unit_tmpdir(), round);
		s.base = base;
		CHECK(mkdir(base, 0755) == 0 && mkdir(path_in(base, "outside"), 0755) == 0);
		CHECK(mkdir(path_in(base, "outside/deep"), 0755) == 0 && unit_write(path_in(base, "outside/deep/s"), "s") == 0);
		for (int i = 0; i < SENTINELS; i++) {
			snprintf(name, sizeof(name), "outside/s%d", i);
			CHECK(unit_write(path_in(base, name), "sentinel") == 0);
		}
		CHECK(mkdir(path_in(base, "tree"), 0755) == 0);
		grow(&s, path_in(base, "tree"), 0);
		CHECK_OK(ccgov_ownership_of_path(&proof, path_in(base, "tree")));
		CHECK(pthread_create(&th, NULL, swapper, &s) == 0);
		ccgov_remove(path_in(base, "tree"), &proof, 0); /* may fail: never harm */
		s.done = 1;
		pthread_join(th, NULL);
		CHECK(outside_intact(base));
	}
}

/*
 * Mounts inside the tree, another file system and a bind mount of the
 * same one, are never crossed. Needs root, in a mount namespace of its own.
 */
static void mounts_inside_the_tree_are_not_crossed(void)
{
	const char *t = unit_tmpdir();
	int status;
	pid_t pid;

	if (geteuid() != 0)
		return;
	CHECK(mkdir(path_in(t, "outside"), 0755) == 0 && unit_write(path_in(t, "outside/keep"), "k") == 0);
	CHECK(mkdir(path_in(t, "tree"), 0755) == 0 && mkdir(path_in(t, "tree/tmpfs"), 0755) == 0);
	CHECK(mkdir(path_in(t, "tree/bind"), 0755) == 0);
	if ((pid = fork()) == 0) {
		ccgov_ownership proof;
		int err;

		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(77); /* no namespaces here: nothing to check */
		if (mount("tmpfs", path_in(t, "tree/tmpfs"), "tmpfs", 0, NULL) < 0 ||
		    unit_write(path_in(t, "tree/tmpfs/keep"), "k") < 0 ||
		    mount(path_in(t, "outside"), path_in(t, "tree/bind"), NULL, MS_BIND, NULL) < 0)
			_exit(2);
		ccgov_ownership_of_path(&proof, path_in(t, "tree"));
		err = ccgov_remove(path_in(t, "tree"), &proof, 0);
		if (err != CCGOV_EUNSAFE || !strstr(ccgov_error_last()->message, "a mount inside the tree"))
			_exit(3);
		if (!exists(path_in(t, "tree/tmpfs/keep")) || !exists(path_in(t, "outside/keep")))
			_exit(4);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 77);
	CHECK(exists(path_in(t, "outside/keep")));
}

const struct unit_test remove_tests[] = {
	{ "links in a tree are removed, never followed", links_are_removed_not_followed },
	{ "a folder put where ours was is left alone", another_folder_at_the_path_is_left_alone },
	{ "/, the current folder, a protected path and their ancestors are refused", protected_folders_are_refused },
	{ "a marker proves ownership only of the folder it names", markers_name_their_own_folder },
	{ "claiming a folder takes only an empty one or a killed run's", claims_take_only_what_is_ours },
	{ "replacing a folder swaps back one that is not ours", replacing_swaps_back_what_is_not_ours },
	{ "random trees, links and swaps during the walk: nothing outside is removed",
	  random_trees_with_swaps_never_lose_outside_files },
	{ "mounts inside the tree are never crossed", mounts_inside_the_tree_are_not_crossed },
	{ NULL, NULL },
};
