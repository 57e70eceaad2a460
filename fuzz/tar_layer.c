/*
 * The layer tar format, both ways. The input is read as a hostile layer:
 * the reader must refuse it or walk it without crashing. Then it becomes
 * an entry (type, time, size, "path\0link"): whatever the writer accepts
 * must be whole blocks that the reader reads back to the same name (a
 * folder's with a '/'), link target, type and size.
 */
#include <ccgov/ccgov.h>

#include "memory_source.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void read_hostile(const uint8_t *data, size_t size)
{
	memory in = { data, size, 0 };
	ccgov_tar_reader *r;
	const ccgov_tar_member *m;
	char buf[4096];

	if (ccgov_tar_reader_new(&r, from_memory, &in) < 0)
		return;
	while (ccgov_tar_next(r, &m) == 1) {
		if (!m->path)
			abort();
		while (ccgov_tar_read(r, buf, sizeof(buf)) > 0)
			;
	}
	ccgov_tar_reader_free(r);
}

static void round_trip(const uint8_t *data, size_t size)
{
	static const char types[] = { CCGOV_TAR_FILE, CCGOV_TAR_DIR, CCGOV_TAR_SYMLINK, CCGOV_TAR_HARDLINK };
	ccgov_tar_entry e = { 0 };
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	ccgov_tar_reader *r;
	const ccgov_tar_member *m;
	char *text, *nul;
	memory in;
	int64_t t = 0;

	if (size < 11 || !(text = calloc(1, size - 10 + 1)))
		return;
	e.type = (ccgov_tar_type)types[data[0] % 4];
	for (int i = 1; i <= 8; i++)
		t = (int64_t)((uint64_t)t << 8 | data[i]);
	e.mtime = t;
	e.size = e.type == CCGOV_TAR_FILE ? data[9] * 7u : 0;
	e.mode = 0644;
	memcpy(text, data + 11, size - 11);
	e.path = text;
	nul = memchr(text, '\0', size - 11);
	if (e.type == CCGOV_TAR_SYMLINK || e.type == CCGOV_TAR_HARDLINK)
		e.link = nul ? nul + 1 : "";
	if (ccgov_tar_header(&b, &e) == 0) {
		if (b.len % CCGOV_TAR_BLOCK != 0)
			abort();
		for (uint64_t i = 0; i < e.size + ccgov_tar_padding(e.size); i++)
			ccgov_buffer_putc(&b, 'c');
		in = (memory){ (const uint8_t *)b.data, b.len, 0 };
		if (ccgov_buffer_check(&b) == 0 && ccgov_tar_reader_new(&r, from_memory, &in) == 0) {
			size_t n = strlen(e.path);

			/* A folder's name comes back with its '/'. */
			if (ccgov_tar_next(r, &m) != 1 || strncmp(m->path, e.path, n) != 0 ||
			    strcmp(m->path + n, e.type == CCGOV_TAR_DIR ? "/" : "") != 0 ||
			    m->type != (char)e.type || m->size != e.size ||
			    (e.link ? !m->link || strcmp(m->link, e.link) != 0 : m->link != NULL))
				abort();
			ccgov_tar_reader_free(r);
		}
	}
	ccgov_buffer_free(&b);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_hostile(data, size);
	round_trip(data, size);
	return 0;
}
