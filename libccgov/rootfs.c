/*
 * An image's file system as a tree of nodes: each folder's children are
 * found through one hash table keyed by (folder, name), and listed
 * through a linked list, so that replacing a path, whiting one out and
 * hiding a folder's lower contents each cost what they remove.
 */
#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/path.h>
#include <ccgov/rootfs.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINKS 40         /* symbolic links followed for one path, as Linux's ELOOP */
#define MAX_DEPTH 2048       /* folders deep: PATH_MAX (4096) allows no more */
#define MAX_NODES (8u << 20) /* a layer of more entries is hostile, not an image */
#define WHITEOUT ".wh."
#define OPAQUE ".wh..wh..opq"
#define AUFS_META ".wh..wh." /* aufs bookkeeping (.wh..wh.plnk): runtimes skip it */

typedef struct content_box {
	ccgov_rootfs_content pub; /* first: a content pointer is a box pointer */
	unsigned refs;
	const char *first_listed;
} content_box;

typedef struct node {
	char *name;
	ccgov_rootfs_type type;
	unsigned layer; /* the layer that last wrote it */
	unsigned depth;
	struct node *parent, *first, *next, *prev; /* the folder, its children, siblings */
	struct node *chain;                        /* in the hash table */
	char *link;
	content_box *content;
} node;

struct ccgov_rootfs {
	node root;
	node **table;
	size_t size, count;
	unsigned layer;
	void (*free_facts)(void *);
	char *landed;
};

/* ---- the table of children ------------------------------------------- */

static size_t slot(const ccgov_rootfs *fs, const node *parent, const char *name, size_t len)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)parent;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29)) & (fs->size - 1);
}

static node *child(const ccgov_rootfs *fs, const node *parent, const char *name, size_t len)
{
	for (node *n = fs->table[slot(fs, parent, name, len)]; n; n = n->chain)
		if (n->parent == parent && strlen(n->name) == len && memcmp(n->name, name, len) == 0)
			return n;
	return NULL;
}

static int grow(ccgov_rootfs *fs)
{
	size_t old_size = fs->size;
	node **old = fs->table;

	if (!(fs->table = calloc(old_size * 2, sizeof(*fs->table)))) {
		fs->table = old;
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	fs->size = old_size * 2;
	for (size_t i = 0; i < old_size; i++)
		for (node *n = old[i], *next; n; n = next) {
			size_t s = slot(fs, n->parent, n->name, strlen(n->name));

			next = n->chain;
			n->chain = fs->table[s];
			fs->table[s] = n;
		}
	free(old);
	return 0;
}

static void content_release(ccgov_rootfs *fs, content_box *c)
{
	if (c && --c->refs == 0) {
		if (fs->free_facts && c->pub.facts)
			fs->free_facts(c->pub.facts);
		free(c);
	}
}

/* Removes n and everything below it. */
static void drop(ccgov_rootfs *fs, node *n)
{
	node **p;

	while (n->first)
		drop(fs, n->first);
	for (p = &fs->table[slot(fs, n->parent, n->name, strlen(n->name))]; *p != n; p = &(*p)->chain)
		;
	*p = n->chain;
	if (n->prev)
		n->prev->next = n->next;
	else
		n->parent->first = n->next;
	if (n->next)
		n->next->prev = n->prev;
	fs->count--;
	content_release(fs, n->content);
	free(n->link);
	free(n->name);
	free(n);
}

static int add(node **out, ccgov_rootfs *fs, node *parent, const char *name, size_t len, ccgov_rootfs_type type)
{
	node *n;
	size_t s;
	int err;

	if (len > NAME_MAX)
		return ccgov_error_set(CCGOV_EINVALID, "a name longer than %d bytes", NAME_MAX);
	if (parent->depth + 1 > MAX_DEPTH)
		return ccgov_error_set(CCGOV_EINVALID, "more than %d folders deep", MAX_DEPTH);
	if (fs->count >= MAX_NODES)
		return ccgov_error_set(CCGOV_EINVALID, "more than %u files", MAX_NODES);
	if (fs->count + 1 > fs->size && (err = grow(fs)) < 0)
		return err;
	if (!(n = calloc(1, sizeof(*n))) || !(n->name = strndup(name, len))) {
		free(n);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	n->type = type;
	n->layer = fs->layer;
	n->depth = parent->depth + 1;
	n->parent = parent;
	n->next = parent->first;
	if (parent->first)
		parent->first->prev = n;
	parent->first = n;
	s = slot(fs, parent, name, len);
	n->chain = fs->table[s];
	fs->table[s] = n;
	fs->count++;
	*out = n;
	return 0;
}

/* ---- resolving a path ------------------------------------------------ */

typedef struct {
	ccgov_rootfs *fs;
	int links;  /* followed so far */
	int create; /* make missing folders (for a member's own folders) */
} walk;

static int walk_path(walk *w, node *from, const char *path, size_t len, int follow_last, int make_last,
		     node **out);

/*
 * Where the symbolic link n leads, from its folder; *out NULL if nowhere.
 * A link that is a folder of a member's path and leads nowhere yet leads
 * to folders made for it, as the runtime's mkdir -p makes them.
 */
static int follow(walk *w, node *n, int as_folder, node **out)
{
	if (++w->links > MAX_LINKS)
		return ccgov_error_set(CCGOV_EINVALID, "too many levels of symbolic links");
	return walk_path(w, n->link[0] == '/' ? &w->fs->root : n->parent, n->link, strlen(n->link), 1,
			 as_folder && w->create, out);
}

/*
 * Resolves path from the folder from, as a runtime resolves it inside
 * the root: ".." stops at "/", links are followed (the last component
 * only if follow_last). *out is the node reached, or NULL when a
 * component is missing. Missing folders before the last are made if
 * w->create; the last one too if make_last.
 */
static int walk_path(walk *w, node *from, const char *path, size_t len, int follow_last, int make_last,
		     node **out)
{
	node *cur = from;
	size_t i = 0;
	int err;

	*out = NULL;
	while (i < len) {
		size_t j = i;
		node *next;
		int last;

		while (j < len && path[j] != '/')
			j++;
		last = j >= len || strspn(path + j, "/") == len - j;
		if (j == i || (j - i == 1 && path[i] == '.')) {
			i = j + 1;
			continue;
		}
		if (j - i == 2 && path[i] == '.' && path[i + 1] == '.') {
			cur = cur->parent ? cur->parent : cur;
			i = j + 1;
			continue;
		}
		if (!(next = child(w->fs, cur, path + i, j - i))) {
			if (last ? !make_last : !w->create)
				return 0;
			if ((err = add(&next, w->fs, cur, path + i, j - i, CCGOV_ROOTFS_DIR)) < 0)
				return err;
		}
		if (next->type == CCGOV_ROOTFS_SYMLINK && (!last || follow_last)) {
			node *target;

			if ((err = follow(w, next, !last || make_last, &target)) < 0)
				return err;
			if (!target)
				return 0;
			next = target;
		}
		if (!last && next->type != CCGOV_ROOTFS_DIR)
			return ccgov_error_set(CCGOV_EINVALID, "%.*s is not a folder", (int)j, path);
		cur = next;
		i = j + 1;
	}
	*out = cur;
	return 0;
}

/* ---- applying a member ----------------------------------------------- */

static int refuse(const char *where, const char *path, const char *why)
{
	return ccgov_error_set(CCGOV_EINVALID, "%s: %s: %s", where, path, why);
}

/* Is n the node old, or below it? */
static int within(const node *n, const node *old)
{
	for (; n; n = n->parent)
		if (n == old)
			return 1;
	return 0;
}

/*
 * ".wh..wh..opq" in layer L: what lower layers made below the folder is
 * hidden; what L made stays, and so do the folders that hold it.
 */
static void hide_lower(ccgov_rootfs *fs, node *folder)
{
	node *n = folder->first, *next;

	for (; n; n = next) {
		next = n->next;
		if (n->type == CCGOV_ROOTFS_DIR)
			hide_lower(fs, n);
		if (n->layer != fs->layer && !n->first)
			drop(fs, n);
	}
}

static void whiteout(ccgov_rootfs *fs, node *folder, const char *base)
{
	node *n;

	if (strcmp(base, OPAQUE) == 0)
		hide_lower(fs, folder);
	else if (strncmp(base, AUFS_META, strlen(AUFS_META)) != 0 &&
		 (n = child(fs, folder, base + strlen(WHITEOUT), strlen(base + strlen(WHITEOUT)))))
		drop(fs, n);
}

static ccgov_rootfs_type member_type(char t)
{
	switch (t) {
	case CCGOV_TAR_DIR: return CCGOV_ROOTFS_DIR;
	case CCGOV_TAR_SYMLINK: return CCGOV_ROOTFS_SYMLINK;
	case '3': case '4': case '6': return CCGOV_ROOTFS_OTHER; /* character, block device, FIFO */
	default: return CCGOV_ROOTFS_FILE; /* '0', '\0', '7' (contiguous); a hard link takes its target's */
	}
}

/* A hard link's target, resolved from the root with every link followed. */
static int link_target(ccgov_rootfs *fs, const ccgov_tar_member *m, const char *where, node **target)
{
	walk w = { fs, 0, 0 };
	char *rel = NULL;
	const char *t = m->link ? m->link : "";
	int err;

	while (t[0] == '.' && t[1] == '/')
		t += 2;
	if ((err = ccgov_path_normalize(&rel, t)) < 0)
		return ccgov_error_wrap("%s", where);
	err = walk_path(&w, &fs->root, rel, strlen(rel), 1, 0, target);
	if (err == 0 && (!*target || (*target)->type == CCGOV_ROOTFS_DIR))
		err = refuse(where, m->path, *target ? "a hard link to a folder" : "a hard link to nothing");
	else if (err < 0)
		err = ccgov_error_wrap("%s: %s", where, m->path);
	free(rel);
	return err;
}

/* What the member becomes at folder/base, replacing what was there. */
static int place(ccgov_rootfs *fs, const ccgov_tar_member *m, const char *where, node *folder, const char *base,
		 node **out)
{
	ccgov_rootfs_type type = member_type(m->type);
	node *old = child(fs, folder, base, strlen(base)), *target = NULL;
	int err;

	if (type == CCGOV_ROOTFS_DIR && old && old->type == CCGOV_ROOTFS_DIR) {
		old->layer = fs->layer;
		*out = old;
		return 0;
	}
	if (m->type == CCGOV_TAR_HARDLINK) {
		if ((err = link_target(fs, m, where, &target)) < 0)
			return err;
		/* The runtime removes the old entry before it links: a target inside it is gone by then. */
		if (old && within(target, old))
			return refuse(where, m->path, "a hard link to what it replaces");
		type = target->type;
	}
	if (type == CCGOV_ROOTFS_SYMLINK && (!m->link || !m->link[0]))
		return refuse(where, m->path, "a symbolic link to nothing");
	if (old)
		drop(fs, old);
	if ((err = add(out, fs, folder, base, strlen(base), type)) < 0)
		return ccgov_error_wrap("%s: %s", where, m->path);
	if (type == CCGOV_ROOTFS_SYMLINK && !((*out)->link = strdup(m->link)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (type != CCGOV_ROOTFS_FILE)
		return 0;
	if (target) {
		(*out)->content = target->content;
		target->content->refs++;
	} else if (!((*out)->content = calloc(1, sizeof(content_box)))) {
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	} else {
		(*out)->content->refs = 1;
	}
	return 0;
}

static int remember_path(ccgov_rootfs *fs, const node *n)
{
	size_t len = 0, at;

	for (const node *p = n; p->parent; p = p->parent)
		len += strlen(p->name) + 1;
	free(fs->landed);
	if (!(fs->landed = malloc(len + 2)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	at = len;
	fs->landed[len] = '\0';
	if (len == 0)
		strcpy(fs->landed, "/");
	for (const node *p = n; p->parent; p = p->parent) {
		size_t k = strlen(p->name);

		at -= k;
		memcpy(fs->landed + at, p->name, k);
		fs->landed[--at] = '/';
	}
	return 0;
}

int ccgov_rootfs_apply(ccgov_rootfs *fs, const ccgov_tar_member *m, const char *where,
		       ccgov_rootfs_content **content, const char **landed)
{
	walk w = { fs, 0, 1 };
	const char *name = m->path, *slash;
	char *rel = NULL;
	node *folder = &fs->root, *n = NULL;
	int err = 0;

	if (content)
		*content = NULL;
	if (landed)
		*landed = NULL;
	/* "./usr/bin/x" and "usr/bin/x" are the same member; "../x" and "/x" are hostile. */
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "./") == 0)
		return 0; /* the root itself */
	if (ccgov_path_normalize(&rel, name) < 0)
		return ccgov_error_wrap("%s", where);
	if (strlen(rel) >= PATH_MAX) {
		free(rel);
		return refuse(where, m->path, "a path longer than Linux allows");
	}
	if ((slash = strrchr(rel, '/')) &&
	    (err = walk_path(&w, &fs->root, rel, (size_t)(slash - rel), 1, 1, &folder)) < 0)
		err = ccgov_error_wrap("%s: %s", where, m->path);
	else if (!folder || folder->type != CCGOV_ROOTFS_DIR)
		err = refuse(where, m->path, "its folder is not a folder");
	else if (strncmp(slash ? slash + 1 : rel, WHITEOUT, strlen(WHITEOUT)) == 0)
		whiteout(fs, folder, slash ? slash + 1 : rel);
	else if ((err = place(fs, m, where, folder, slash ? slash + 1 : rel, &n)) == 0 && landed)
		err = remember_path(fs, n);
	if (err == 0 && n && content && n->type == CCGOV_ROOTFS_FILE && m->type != CCGOV_TAR_HARDLINK)
		*content = &n->content->pub;
	if (err == 0 && landed && n)
		*landed = fs->landed;
	free(rel);
	return err;
}

/* ---- reading the result ---------------------------------------------- */

const ccgov_rootfs_content *ccgov_rootfs_lookup(ccgov_rootfs *fs, const char *path)
{
	walk w = { fs, 0, 0 };
	node *n = NULL;

	if (walk_path(&w, &fs->root, path, strlen(path), 1, 0, &n) < 0 || !n || n->type != CCGOV_ROOTFS_FILE)
		return NULL;
	return &n->content->pub;
}

int ccgov_rootfs_stat(ccgov_rootfs *fs, const char *path, ccgov_rootfs_type *type, const char **link)
{
	walk w = { fs, 0, 0 };
	node *n = NULL;
	int err = walk_path(&w, &fs->root, path, strlen(path), 0, 0, &n);

	if (err < 0)
		return err;
	if (!n)
		return 0;
	*type = n->type;
	if (link)
		*link = n->link;
	return 1;
}

typedef struct {
	ccgov_rootfs_entry *items;
	size_t len;
	ccgov_buffer path;
} lister;

static int list_below(lister *l, const node *folder)
{
	size_t at = l->path.len;
	int err = 0;

	for (const node *n = folder->first; n && err == 0; n = n->next) {
		l->path.len = at;
		ccgov_buffer_printf(&l->path, "/%s", n->name);
		if (l->path.failed)
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		if (n->type == CCGOV_ROOTFS_DIR) {
			err = list_below(l, n);
			continue;
		}
		if (!(l->items[l->len].path = strdup(l->path.data)))
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		l->items[l->len].type = n->type;
		l->items[l->len].link = n->link;
		l->items[l->len].content = n->content ? &n->content->pub : NULL;
		l->items[l->len].same_as = NULL;
		l->len++;
	}
	l->path.len = at;
	return err;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const ccgov_rootfs_entry *)a)->path, ((const ccgov_rootfs_entry *)b)->path);
}

int ccgov_rootfs_list(ccgov_rootfs *fs, ccgov_rootfs_entry **out, size_t *count)
{
	lister l = { NULL, 0, CCGOV_BUFFER_INIT };
	int err;

	*out = NULL;
	*count = 0;
	if (!(l.items = calloc(fs->count ? fs->count : 1, sizeof(*l.items))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((err = list_below(&l, &fs->root)) < 0) {
		ccgov_rootfs_list_free(l.items, l.len);
		ccgov_buffer_free(&l.path);
		return err;
	}
	ccgov_buffer_free(&l.path);
	qsort(l.items, l.len, sizeof(*l.items), by_path);
	/* Hard links: the first path in order names the content; the others say they are the same file. */
	for (size_t i = 0; i < l.len; i++)
		if (l.items[i].content)
			((content_box *)l.items[i].content)->first_listed = NULL;
	for (size_t i = 0; i < l.len; i++) {
		content_box *c = (content_box *)l.items[i].content;

		if (c && c->first_listed)
			l.items[i].same_as = c->first_listed;
		else if (c)
			c->first_listed = l.items[i].path;
	}
	*out = l.items;
	*count = l.len;
	return 0;
}

void ccgov_rootfs_list_free(ccgov_rootfs_entry *entries, size_t count)
{
	for (size_t i = 0; entries && i < count; i++)
		free((char *)entries[i].path);
	free(entries);
}

/* ---- the tree itself ------------------------------------------------- */

int ccgov_rootfs_new(ccgov_rootfs **out, void (*free_facts)(void *facts))
{
	ccgov_rootfs *fs = calloc(1, sizeof(*fs));

	*out = NULL;
	if (!fs || !(fs->table = calloc(1024, sizeof(*fs->table)))) {
		free(fs);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	fs->size = 1024;
	fs->root.type = CCGOV_ROOTFS_DIR;
	fs->root.name = "";
	fs->free_facts = free_facts;
	*out = fs;
	return 0;
}

void ccgov_rootfs_free(ccgov_rootfs *fs)
{
	if (!fs)
		return;
	while (fs->root.first)
		drop(fs, fs->root.first);
	free(fs->table);
	free(fs->landed);
	free(fs);
}

void ccgov_rootfs_next_layer(ccgov_rootfs *fs)
{
	fs->layer++;
}
