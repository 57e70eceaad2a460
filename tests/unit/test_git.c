/* Git facts, checked against the git command on repositories made here. */
#include "unit.h"

#include <git2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define GIT "GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null " \
	"GIT_AUTHOR_DATE='@1700000000 +0000' GIT_COMMITTER_DATE='@1700000000 +0000' " \
	"git -c user.name=ccgov -c user.email=ccgov@example.org -c init.defaultBranch=main"

/* repo/{README, bin/run (0755), lib -> bin, sub/deep/x}, one commit. */
static int make_repo(char *dir, size_t size)
{
	char *out;

	snprintf(dir, size, "%s/repo", unit_tmpdir());
	out = unit_run("set -e; mkdir -p '%s' && cd '%s' && " GIT " init -q . && "
		       "echo hello > README && mkdir -p bin sub/deep && "
		       "printf '#!/bin/sh\\n' > bin/run && chmod 755 bin/run && "
		       "ln -s bin lib && echo x > sub/deep/x && " GIT " add -A && "
		       GIT " commit -q -m one && "
		       GIT " remote add origin https://user:secret@git.example.org/bank/app.git",
		       dir, dir);
	if (!out)
		return -1;
	free(out);
	return 0;
}

static void commit_facts_match_git(void)
{
	char dir[4200], id[CCGOV_OID_HEX], *want, *url, sub[4300], *rel;
	ccgov_repo *repo;
	int64_t t;

	CHECK(make_repo(dir, sizeof(dir)) == 0);
	snprintf(sub, sizeof(sub), "%s/sub/deep", dir);
	CHECK_OK(ccgov_repo_open(&repo, sub)); /* found from a subfolder */
	CHECK_OK(ccgov_repo_commit_id(id, repo, "HEAD"));
	want = unit_run("cd '%s' && git rev-parse HEAD", dir);
	CHECK_STR(id, want);
	free(want);
	CHECK_OK(ccgov_repo_commit_time(&t, repo, "main"));
	CHECK(t == 1700000000);
	CHECK_OK(ccgov_repo_remote_url(&url, repo, NULL));
	CHECK_STR(url, "https://git.example.org/bank/app.git"); /* no credentials */
	free(url);
	CHECK_ERR(ccgov_repo_remote_url(&url, repo, "upstream"), CCGOV_ENOTFOUND, "no such remote");
	CHECK_OK(ccgov_repo_relative_path(&rel, repo, sub));
	CHECK_STR(rel, "sub/deep");
	free(rel);
	CHECK_ERR(ccgov_repo_relative_path(&rel, repo, "/"), CCGOV_EUNSAFE, "outside the repository");
	CHECK_ERR(ccgov_repo_commit_id(id, repo, "no-such-branch"), CCGOV_ENOTFOUND,
		  "no-such-branch: no such revision");
	CHECK_ERR(ccgov_repo_commit_id(id, repo, "HEAD^{tree}"), CCGOV_EINVALID,
		  "does not name a commit");
	ccgov_repo_free(repo);
}

static void dirty_means_tracked_changes(void)
{
	char dir[4200], path[4300], *out;
	ccgov_repo *repo;
	int dirty = -1;

	CHECK(make_repo(dir, sizeof(dir)) == 0);
	CHECK_OK(ccgov_repo_open(&repo, dir));
	CHECK_OK(ccgov_repo_is_dirty(&dirty, repo, "HEAD"));
	CHECK(dirty == 0);
	snprintf(path, sizeof(path), "%s/untracked", dir);
	CHECK(unit_write(path, "u") == 0);
	CHECK_OK(ccgov_repo_is_dirty(&dirty, repo, "HEAD"));
	CHECK(dirty == 0);
	snprintf(path, sizeof(path), "%s/README", dir);
	CHECK(unit_write(path, "changed") == 0);
	CHECK_OK(ccgov_repo_is_dirty(&dirty, repo, "HEAD"));
	CHECK(dirty == 1);
	out = unit_run("cd '%s' && git checkout -q README && git rm -q --cached sub/deep/x && echo ok", dir);
	CHECK(out != NULL);
	free(out);
	CHECK_OK(ccgov_repo_is_dirty(&dirty, repo, "HEAD")); /* staged removal */
	CHECK(dirty == 1);
	/* Another commit than HEAD: the work tree is not its checkout, and is never read for it. */
	out = unit_run("cd '%s' && git reset -q --hard && " GIT " commit -q --allow-empty -m two && git tag two && "
		       "git checkout -q HEAD~1 && echo changed > README && echo ok", dir);
	CHECK(out != NULL);
	free(out);
	CHECK_OK(ccgov_repo_is_dirty(&dirty, repo, "two"));
	CHECK(dirty == 0);
	CHECK_OK(ccgov_repo_is_dirty(&dirty, repo, "HEAD"));
	CHECK(dirty == 1);
	ccgov_repo_free(repo);
}

static void not_a_repository(void)
{
	ccgov_repo *repo = NULL;

	CHECK_ERR(ccgov_repo_open(&repo, unit_tmpdir()), CCGOV_ENOTFOUND,
		  "not inside a git repository");
	CHECK_ERR(ccgov_repo_open(&repo, "/nonexistent/x"), CCGOV_ENOTFOUND,
		  "/nonexistent/x: No such file or directory");
	CHECK(repo == NULL);
}

/* The export must hold exactly what `git archive` holds, modes and links included. */
static void export_matches_git_archive(void)
{
	char dir[4200], dest[4300], ref[4300], *diff, *mode, *link;
	ccgov_repo *repo;

	CHECK(make_repo(dir, sizeof(dir)) == 0);
	snprintf(dest, sizeof(dest), "%s/export", unit_tmpdir());
	snprintf(ref, sizeof(ref), "%s/archive", unit_tmpdir());
	CHECK_OK(ccgov_repo_open(&repo, dir));
	/* Untracked and uncommitted changes must not leak into the export. */
	diff = unit_run("cd '%s' && echo leak > untracked && echo changed > README && echo ok", dir);
	free(diff);
	CHECK_OK(ccgov_repo_export(repo, "HEAD", dest));
	CHECK_ERR(ccgov_repo_export(repo, "HEAD", dest), CCGOV_EEXISTS, "already exists");
	diff = unit_run("mkdir '%s' && cd '%s' && git archive HEAD | tar -x -C '%s' && "
			"diff -r --no-dereference '%s' '%s' && echo same", ref, dir, ref, ref, dest);
	CHECK_STR(diff, "same");
	free(diff);
	mode = unit_run("stat -c '%%a %%n' '%s/bin/run' '%s/README' '%s/sub' | sed 's|%s/||'",
			dest, dest, dest, dest);
	CHECK_STR(mode, "755 bin/run\n644 README\n755 sub");
	free(mode);
	link = unit_run("readlink '%s/lib'", dest);
	CHECK_STR(link, "bin");
	free(link);
	ccgov_repo_free(repo);
}

/* A hostile repository: a tree entry named ".." must not write outside. */
static void export_refuses_hostile_names(void)
{
	char dir[4200], dest[4300], escaped[4400];
	git_repository *g;
	git_odb *odb;
	git_oid blob, tree, commit;
	git_signature *sig;
	git_tree *t;
	ccgov_repo *repo;
	unsigned char raw[64];
	size_t n;

	CHECK(make_repo(dir, sizeof(dir)) == 0);
	CHECK(git_repository_open(&g, dir) == 0);
	CHECK(git_blob_create_from_buffer(&blob, g, "pwned", 5) == 0);
	/* libgit2's tree builder refuses "..", so the tree is written raw. */
	n = (size_t)snprintf((char *)raw, sizeof(raw), "100644 ..") + 1;
	memcpy(raw + n, blob.id, GIT_OID_RAWSZ);
	CHECK(git_repository_odb(&odb, g) == 0);
	CHECK(git_odb_write(&tree, odb, raw, n + GIT_OID_RAWSZ, GIT_OBJECT_TREE) == 0);
	git_odb_free(odb);
	CHECK(git_tree_lookup(&t, g, &tree) == 0);
	CHECK(git_signature_new(&sig, "x", "x@example.org", 1700000000, 0) == 0);
	CHECK(git_commit_create(&commit, g, "refs/heads/evil", sig, sig, NULL, "evil", t, 0, NULL) == 0);
	git_signature_free(sig);
	git_tree_free(t);
	git_repository_free(g);

	snprintf(dest, sizeof(dest), "%s/export", unit_tmpdir());
	CHECK_OK(ccgov_repo_open(&repo, dir));
	CHECK_ERR(ccgov_repo_export(repo, "evil", dest), CCGOV_EUNSAFE, "..: unsafe name in git tree");
	ccgov_repo_free(repo);
	CHECK(access(dest, F_OK) != 0); /* nothing half-written left */
	snprintf(escaped, sizeof(escaped), "%s/..", dest);
	CHECK(access(escaped, F_OK) != 0);
}

/* libgit2 starts on first use; a library user may still pair ccgov_init and ccgov_shutdown again and again. */
static void repeated_init_and_shutdown(void)
{
	char dir[4200], id[CCGOV_OID_HEX];
	ccgov_repo *repo;

	CHECK(make_repo(dir, sizeof(dir)) == 0);
	for (int round = 0; round < 2; round++) {
		ccgov_shutdown();
		CHECK_OK(ccgov_init());
		CHECK_OK(ccgov_repo_open(&repo, dir));
		CHECK_OK(ccgov_repo_commit_id(id, repo, "HEAD"));
		ccgov_repo_free(repo);
	}
	ccgov_shutdown();
	ccgov_shutdown(); /* once too often: nothing to stop */
	CHECK_OK(ccgov_init());
}

/* What git config reads from the same text: submodule.NAME.path and .url, last value winning. */
static char *git_says(const char *file, const char *name, const char *key)
{
	return unit_run("git config -f '%s' --get 'submodule.%s.%s' || true", file, name, key);
}

static void gitmodules_read_as_git_reads_them(void)
{
	static const char *const texts[] = {
		"[submodule \"lib\"]\n\tpath = sub/lib\n\turl = ../lib\n",
		"[submodule \"a b\"] path = x ; comment\n url = \"https://h/x.git\" # comment\r\n",
		"# only a comment\n[core]\n\tbare = false\n[submodule \"q\\\"uote\"]\n\tPATH = \"sp  aced\"  \n\turl = a\\\n  b\n",
		"[Submodule \"Case\"]\n\tpath = first\n\tpath = second\n\turl = u\n[submodule \"other\"]\nurl=\"x;y#z\"\n",
		"\xef\xbb\xbf[submodule.OldStyle]\n\tpath = old\n",
		"[submodule \"t\"]\n\tpath = \"tab\\there\"\n\turl =\n",
	};
	char file[4300];

	snprintf(file, sizeof(file), "%s/gitmodules", unit_tmpdir());
	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		ccgov_gitmodule *m;
		size_t n;

		CHECK(unit_write(file, texts[t]) == 0);
		CHECK_OK(ccgov_gitmodules_parse(&m, &n, texts[t], strlen(texts[t]), ".gitmodules"));
		CHECK(n > 0);
		for (size_t i = 0; i < n; i++) {
			char *path = git_says(file, m[i].name, "path"), *url = git_says(file, m[i].name, "url");

			CHECK_STR(m[i].path ? m[i].path : "", path);
			CHECK_STR(m[i].url ? m[i].url : "", url);
			free(path);
			free(url);
		}
		ccgov_gitmodules_free(m, n);
	}
}

static void gitmodules_git_refuses_are_refused(void)
{
	static const char *const texts[] = {
		"path = x\n",                              /* a key before any section */
		"[submodule \"x\"\n\tpath = a\n",          /* no ']' */
		"[submodule \"x\"]\n\tpath = \"a\n",       /* a quote left open */
		"[submodule \"x\"]\n\turl = a\\qb\n",      /* an unknown escape */
		"[submodule x]\n\tpath = a\n",             /* a subsection without quotes */
		"[submodule \"x\"]\n\t=a\n",               /* no key */
	};
	static const char no_value[] = "[submodule \"x\"]\n\tpath\n";
	char file[4300];

	snprintf(file, sizeof(file), "%s/gitmodules", unit_tmpdir());
	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		ccgov_gitmodule *m;
		size_t n;
		char *git;

		CHECK(unit_write(file, texts[t]) == 0);
		git = unit_run("git config -f '%s' --list >/dev/null 2>&1 && git config -f '%s' submodule.x.path >/dev/null 2>&1 && echo accepts || echo refuses", file, file);
		CHECK_STR(git, "refuses");
		free(git);
		CHECK_ERR(ccgov_gitmodules_parse(&m, &n, texts[t], strlen(texts[t]), ".gitmodules"),
			  CCGOV_EINVALID, ".gitmodules:");
	}
	/* git config takes a key without a value as "true"; git's submodule code refuses it for a path. */
	{
		ccgov_gitmodule *m;
		size_t n;

		CHECK_ERR(ccgov_gitmodules_parse(&m, &n, no_value, strlen(no_value), ".gitmodules"),
			  CCGOV_EINVALID, ".gitmodules:2: path and url need a value");
	}
}

static void gitmodule_names_and_urls(void)
{
	static const char *const good[] = { "lib", "sub/lib", "a.b", "x..y" };
	static const char *const bad[] = { "", "..", "../x", "a/../b", "a\\..\\b", "/abs", "a/", "./a", "a//b" };
	static const char *const urls[][3] = {
		{ "../lib", "https://git.example.org/bank/sample.git", "https://git.example.org/bank/lib" },
		{ "../lib.git/", "https://git.example.org/bank/sample/", "https://git.example.org/bank/lib.git" },
		{ "./sub", "https://h/a", "https://h/a/sub" },
		{ "../../lib", "git@host:team/app.git", "git@host:lib" },
		{ "../lib", "git@host:app.git", "git@host:lib" },
		{ "https://other/x.git", NULL, "https://other/x.git" },
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(ccgov_gitmodule_name_ok(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!ccgov_gitmodule_name_ok(bad[i]));
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		char *got = ccgov_gitmodule_resolve_url(urls[i][0], urls[i][1]);

		CHECK_STR(got, urls[i][2]);
		free(got);
	}
	CHECK(ccgov_gitmodule_resolve_url("../lib", NULL) == NULL);
	CHECK(ccgov_gitmodule_resolve_url("../../lib", "noslash") == NULL);
}

/* top/sub/lib -> lib, whose deps/inner -> inner; file:// submodules, initialized recursively; top's origin is https. */
static int make_superproject(char *dir, size_t size)
{
	char *out;

	snprintf(dir, size, "%s/super", unit_tmpdir());
	out = unit_run("set -e; cd '%s'; g() { " GIT " -c protocol.file.allow=always \"$@\"; }; "
		       "g init -q inner && echo inner > inner/inner.txt && g -C inner add -A && g -C inner commit -qm i && "
		       "g init -q lib && echo lib > lib/lib.txt && g -C lib add -A && g -C lib commit -qm l && "
		       "g -C lib submodule -q add ../inner deps/inner && g -C lib commit -qm sub && "
		       "g init -q super && echo top > super/top.txt && g -C super add -A && g -C super commit -qm t && "
		       "g -C super submodule -q add ../lib sub/lib && g -C super submodule -q update --init --recursive && "
		       "g -C super commit -qm sub && g -C super remote add origin https://u:p@git.example.org/bank/super.git && "
		       "echo ok", unit_tmpdir());
	if (!out)
		return -1;
	free(out);
	return 0;
}

static void submodules_export_their_pinned_commits(void)
{
	char dir[4200], dest[4300], *want, *files;
	ccgov_repo *repo;
	ccgov_repo_submodule *subs;
	size_t n;

	CHECK(make_superproject(dir, sizeof(dir)) == 0);
	snprintf(dest, sizeof(dest), "%s/export", unit_tmpdir());
	CHECK_OK(ccgov_repo_open(&repo, dir));
	CHECK_OK(ccgov_repo_export_ext(&subs, &n, repo, "HEAD", dest, CCGOV_SUBMODULES_EXPORT));
	files = unit_run("cd '%s' && find . -type f | sort", dest);
	CHECK_STR(files, "./.gitmodules\n./sub/lib/.gitmodules\n./sub/lib/deps/inner/inner.txt\n./sub/lib/lib.txt\n./top.txt");
	free(files);
	CHECK(n == 2);
	CHECK_STR(subs[0].path, "sub/lib");
	CHECK_STR(subs[0].name, "sub/lib");
	CHECK_STR(subs[0].url, "../lib");
	CHECK_STR(subs[0].uri, "https://git.example.org/bank/lib");
	want = unit_run("git -C '%s' rev-parse HEAD:sub/lib", dir);
	CHECK_STR(subs[0].id, want);
	free(want);
	CHECK(subs[0].exported && subs[1].exported);
	CHECK_STR(subs[1].path, "sub/lib/deps/inner");
	CHECK_STR(subs[1].uri, "https://git.example.org/bank/inner");
	want = unit_run("git -C '%s/sub/lib' rev-parse HEAD:deps/inner", dir);
	CHECK_STR(subs[1].id, want);
	free(want);
	ccgov_repo_submodules_free(subs, n);
	ccgov_repo_free(repo);
}

/* A clone without `git submodule update`: refused, naming the way out; or left empty when asked. */
static void missing_submodule_commits_are_refused(void)
{
	char dir[4200], clone[4300], dest[4300], *out;
	ccgov_repo *repo;
	ccgov_repo_submodule *subs;
	size_t n;

	CHECK(make_superproject(dir, sizeof(dir)) == 0);
	snprintf(clone, sizeof(clone), "%s/clone", unit_tmpdir());
	snprintf(dest, sizeof(dest), "%s/export", unit_tmpdir());
	out = unit_run(GIT " clone -q '%s' '%s' && echo ok", dir, clone);
	CHECK_STR(out, "ok");
	free(out);
	CHECK_OK(ccgov_repo_open(&repo, clone));
	CHECK_ERR(ccgov_repo_export_ext(&subs, &n, repo, "HEAD", dest, CCGOV_SUBMODULES_EXPORT), CCGOV_ENOTFOUND,
		  "is not in the local repository (.git/modules/sub/lib); run 'git submodule update --init', or pass --no-submodules");
	CHECK(subs == NULL && n == 0 && access(dest, F_OK) != 0);
	CHECK_OK(ccgov_repo_export_ext(&subs, &n, repo, "HEAD", dest, CCGOV_SUBMODULES_LEAVE_EMPTY));
	CHECK(n == 1 && !subs[0].exported);
	CHECK_STR(subs[0].name, "sub/lib");
	out = unit_run("cd '%s' && find sub | sort", dest);
	CHECK_STR(out, "sub\nsub/lib");
	free(out);
	ccgov_repo_submodules_free(subs, n);
	ccgov_repo_free(repo);
}

/* A committed .gitmodules that names a folder outside .git/modules, or that is a link, is refused. */
static void hostile_gitmodules_are_refused(void)
{
	char dir[4200], dest[4300], *out;
	ccgov_repo *repo;
	ccgov_repo_submodule *subs;
	size_t n;

	CHECK(make_superproject(dir, sizeof(dir)) == 0);
	snprintf(dest, sizeof(dest), "%s/export", unit_tmpdir());
	out = unit_run("cd '%s' && printf '[submodule \"../../../lib\"]\\n\\tpath = sub/lib\\n' > .gitmodules && "
		       GIT " commit -qam evil && echo ok", dir);
	CHECK_STR(out, "ok");
	free(out);
	CHECK_OK(ccgov_repo_open(&repo, dir));
	CHECK_ERR(ccgov_repo_export_ext(&subs, &n, repo, "HEAD", dest, CCGOV_SUBMODULES_EXPORT), CCGOV_EUNSAFE,
		  "sub/lib: submodule name '../../../lib' would lead out of .git/modules");
	out = unit_run("cd '%s' && rm .gitmodules && ln -s /etc/passwd .gitmodules && " GIT " add .gitmodules && "
		       GIT " commit -qm link && echo ok", dir);
	CHECK_STR(out, "ok");
	free(out);
	CHECK_ERR(ccgov_repo_export_ext(&subs, &n, repo, "HEAD", dest, CCGOV_SUBMODULES_EXPORT), CCGOV_EUNSAFE,
		  ".gitmodules: not a regular file");
	ccgov_repo_free(repo);
}

const struct unit_test git_tests[] = {
	{ "init and shutdown pair up again and again, libgit2 starting on first use", repeated_init_and_shutdown },
	{ "commit id, time, remote and relative path match git", commit_facts_match_git },
	{ "dirty means tracked changes, staged or not", dirty_means_tracked_changes },
	{ "a folder outside any repository is named", not_a_repository },
	{ "export equals git archive, without uncommitted files", export_matches_git_archive },
	{ "export refuses a tree entry named '..'", export_refuses_hostile_names },
	{ ".gitmodules is read as git config reads it", gitmodules_read_as_git_reads_them },
	{ ".gitmodules that git refuses is refused", gitmodules_git_refuses_are_refused },
	{ "submodule names that leave .git/modules are refused; relative URLs resolve as git's", gitmodule_names_and_urls },
	{ "submodules export their pinned commits from .git/modules, nested too", submodules_export_their_pinned_commits },
	{ "a submodule commit missing locally is refused, or left empty when asked", missing_submodule_commits_are_refused },
	{ "a .gitmodules naming a folder outside .git/modules, or a link, is refused", hostile_gitmodules_are_refused },
	{ NULL, NULL }
};
