#include <ccgov/compress.h>
#include <ccgov/error.h>

#include <libdeflate.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#define GZIP_LEVEL 6                 /* gzip's own default */
#define GZIP_CHUNK (1u << 20)        /* deflate's window is 32 KiB: 1 MiB loses nothing */
#define ZSTD_LEVEL 3                 /* zstd's own default */
#define ZSTD_CHUNK (4u << 20)        /* room for zstd's larger window at level 3 */
#define MAX_THREADS 64

enum slot_state { SLOT_FREE, SLOT_FILLING, SLOT_READY, SLOT_WORKING, SLOT_DONE };

typedef struct {
	enum slot_state state;
	unsigned char *in, *out;
	size_t in_len, out_len, out_cap;
	int failed;
} slot;

/*
 * A ring of chunks moves through three kinds of thread: the producer (the
 * caller) fills them, workers compress them in any order, and one writer
 * hands them to the sink strictly in order. Reading, hashing, compressing
 * and writing therefore overlap. With no compression the writer takes
 * chunks as soon as they are filled.
 */
struct ccgov_compressor {
	ccgov_compression algorithm;
	size_t chunk;
	ccgov_sink_fn sink;
	void *sink_ctx;

	pthread_mutex_t lock;
	pthread_cond_t work_ready; /* a chunk to compress, or stop */
	pthread_cond_t work_done;  /* a chunk compressed, or stop */
	pthread_cond_t slot_free;  /* a chunk written, or an error */
	pthread_t threads[MAX_THREADS], writer;
	int nthreads, has_writer, stopping;

	slot *slots;
	size_t nslots;
	uint64_t next_fill;     /* sequence number being filled by the producer */
	uint64_t next_compress; /* next sequence a worker takes */
	uint64_t next_emit;     /* next sequence the writer hands to the sink */
	int error;
	char error_text[512];
};

int ccgov_compression_parse(ccgov_compression *out, const char *name)
{
	if (strcmp(name, "gzip") == 0)
		*out = CCGOV_COMPRESS_GZIP;
	else if (strcmp(name, "zstd") == 0)
		*out = CCGOV_COMPRESS_ZSTD;
	else if (strcmp(name, "none") == 0)
		*out = CCGOV_COMPRESS_NONE;
	else
		return ccgov_error_set(CCGOV_EINVALID,
				       "--compression: unknown compression '%s' (expected gzip, zstd or none)",
				       name);
	return 0;
}

void ccgov_compression_settings_get(ccgov_compression_settings *out, ccgov_compression algorithm)
{
	static char deflate_impl[32], zstd_impl[32];

	snprintf(deflate_impl, sizeof(deflate_impl), "libdeflate %s", LIBDEFLATE_VERSION_STRING);
	snprintf(zstd_impl, sizeof(zstd_impl), "libzstd %s", ZSTD_versionString());
	memset(out, 0, sizeof(*out));
	out->algorithm = algorithm;
	switch (algorithm) {
	case CCGOV_COMPRESS_GZIP:
		*out = (ccgov_compression_settings){ algorithm, "gzip", deflate_impl, GZIP_LEVEL, GZIP_CHUNK };
		break;
	case CCGOV_COMPRESS_ZSTD:
		*out = (ccgov_compression_settings){ algorithm, "zstd", zstd_impl, ZSTD_LEVEL, ZSTD_CHUNK };
		break;
	case CCGOV_COMPRESS_NONE:
		*out = (ccgov_compression_settings){ algorithm, "none", "", 0, 1u << 20 };
		break;
	}
}

/* ---- one chunk ---------------------------------------------------------- */

typedef struct {
	struct libdeflate_compressor *deflate;
	ZSTD_CCtx *zstd;
} worker_state;

static int compress_chunk(ccgov_compressor *c, worker_state *w, slot *s)
{
	size_t bound, n;

	bound = c->algorithm == CCGOV_COMPRESS_GZIP
			? libdeflate_gzip_compress_bound(w->deflate, s->in_len)
			: ZSTD_compressBound(s->in_len);
	if (bound > s->out_cap) {
		unsigned char *p = realloc(s->out, bound);

		if (!p)
			return -1;
		s->out = p;
		s->out_cap = bound;
	}
	if (c->algorithm == CCGOV_COMPRESS_GZIP) {
		n = libdeflate_gzip_compress(w->deflate, s->in, s->in_len, s->out, s->out_cap);
		if (n == 0)
			return -1;
	} else {
		n = ZSTD_compressCCtx(w->zstd, s->out, s->out_cap, s->in, s->in_len, ZSTD_LEVEL);
		if (ZSTD_isError(n))
			return -1;
	}
	s->out_len = n;
	return 0;
}

static void *worker_main(void *arg)
{
	ccgov_compressor *c = arg;
	worker_state w = { 0 };

	if (c->algorithm == CCGOV_COMPRESS_GZIP)
		w.deflate = libdeflate_alloc_compressor(GZIP_LEVEL);
	else
		w.zstd = ZSTD_createCCtx();
	pthread_mutex_lock(&c->lock);
	for (;;) {
		slot *s;
		int failed;

		while (!c->stopping &&
		       (c->next_compress >= c->next_fill ||
			c->slots[c->next_compress % c->nslots].state != SLOT_READY))
			pthread_cond_wait(&c->work_ready, &c->lock);
		if (c->stopping)
			break;
		s = &c->slots[c->next_compress++ % c->nslots];
		s->state = SLOT_WORKING;
		pthread_mutex_unlock(&c->lock);
		failed = (!w.deflate && !w.zstd) || compress_chunk(c, &w, s) < 0;
		pthread_mutex_lock(&c->lock);
		s->failed = failed;
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&c->work_done);
	}
	pthread_mutex_unlock(&c->lock);
	libdeflate_free_compressor(w.deflate);
	ZSTD_freeCCtx(w.zstd);
	return NULL;
}

/* ---- the writer --------------------------------------------------------- */

static void *writer_main(void *arg)
{
	ccgov_compressor *c = arg;
	enum slot_state ready = c->algorithm == CCGOV_COMPRESS_NONE ? SLOT_READY : SLOT_DONE;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		slot *s = &c->slots[c->next_emit % c->nslots];
		const unsigned char *data;
		size_t len;
		int err = 0;

		while (!c->stopping && (c->next_emit >= c->next_fill || s->state != ready))
			pthread_cond_wait(ready == SLOT_READY ? &c->work_ready : &c->work_done, &c->lock);
		if (c->stopping)
			break;
		pthread_mutex_unlock(&c->lock);
		data = ready == SLOT_READY ? s->in : s->out;
		len = ready == SLOT_READY ? s->in_len : s->out_len;
		if (s->failed)
			err = ccgov_error_set(CCGOV_ERROR, "%s: compression failed",
					      c->algorithm == CCGOV_COMPRESS_GZIP ? "gzip" : "zstd");
		else if (!c->error)
			err = c->sink(c->sink_ctx, data, len);
		pthread_mutex_lock(&c->lock);
		/* The error message lives in this thread: the producer gets a copy. */
		if (err < 0 && !c->error) {
			c->error = err;
			snprintf(c->error_text, sizeof(c->error_text), "%s", ccgov_error_last()->message);
		}
		s->state = SLOT_FREE;
		s->in_len = 0;
		c->next_emit++;
		pthread_cond_broadcast(&c->slot_free);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* ---- the producer side ------------------------------------------------ */

static int producer_error(ccgov_compressor *c)
{
	return ccgov_error_set(c->error, "%s", c->error_text);
}

/* Hands the filled chunk on, then waits until the next one is free to fill. */
static int submit_current(ccgov_compressor *c)
{
	slot *s = &c->slots[c->next_fill % c->nslots], *next;
	int err = 0;

	pthread_mutex_lock(&c->lock);
	s->state = SLOT_READY;
	c->next_fill++;
	pthread_cond_broadcast(&c->work_ready);
	next = &c->slots[c->next_fill % c->nslots];
	while (next->state != SLOT_FREE && !c->error)
		pthread_cond_wait(&c->slot_free, &c->lock);
	if (c->error)
		err = c->error;
	else
		next->state = SLOT_FILLING;
	pthread_mutex_unlock(&c->lock);
	return err < 0 ? producer_error(c) : 0;
}

int ccgov_compressor_new(ccgov_compressor **out, ccgov_compression algorithm, int threads,
			 ccgov_sink_fn sink, void *sink_ctx)
{
	ccgov_compression_settings settings;
	ccgov_compressor *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	ccgov_compression_settings_get(&settings, algorithm);
	c->algorithm = algorithm;
	c->chunk = settings.chunk_size;
	c->sink = sink;
	c->sink_ctx = sink_ctx;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->work_ready, NULL);
	pthread_cond_init(&c->work_done, NULL);
	pthread_cond_init(&c->slot_free, NULL);
	if (threads <= 0)
		threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	if (algorithm == CCGOV_COMPRESS_NONE)
		threads = 0;
	/* Two chunks per worker keep every worker busy while the writer writes. */
	c->nslots = algorithm == CCGOV_COMPRESS_NONE ? 4 : (size_t)threads * 2 + 2;
	if (!(c->slots = calloc(c->nslots, sizeof(*c->slots))))
		goto nomem;
	for (size_t i = 0; i < c->nslots; i++)
		if (!(c->slots[i].in = malloc(c->chunk)))
			goto nomem;
	c->slots[0].state = SLOT_FILLING;
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&c->threads[i], NULL, worker_main, c) != 0) {
			ccgov_compressor_free(c);
			return ccgov_error_set(CCGOV_ERROR, "cannot start compression threads");
		}
		c->nthreads++;
	}
	if (pthread_create(&c->writer, NULL, writer_main, c) != 0) {
		ccgov_compressor_free(c);
		return ccgov_error_set(CCGOV_ERROR, "cannot start the layer writer thread");
	}
	c->has_writer = 1;
	*out = c;
	return 0;
nomem:
	ccgov_compressor_free(c);
	return ccgov_error_set(CCGOV_ENOMEM, "out of memory for compression buffers");
}

int ccgov_compressor_write(ccgov_compressor *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len) {
		slot *s = &c->slots[c->next_fill % c->nslots];
		size_t n = c->chunk - s->in_len;

		if (n > len)
			n = len;
		memcpy(s->in + s->in_len, p, n);
		s->in_len += n;
		p += n;
		len -= n;
		if (s->in_len == c->chunk) {
			int err = submit_current(c);

			if (err < 0)
				return err;
		}
	}
	return 0;
}

int ccgov_compressor_finish(ccgov_compressor *c)
{
	int err = 0;

	/* A last partial chunk; an empty stream still gets one (empty) member. */
	if (c->slots[c->next_fill % c->nslots].in_len > 0 || c->next_fill == 0) {
		if ((err = submit_current(c)) < 0)
			return err;
	}
	pthread_mutex_lock(&c->lock);
	while (c->next_emit < c->next_fill && !c->error)
		pthread_cond_wait(&c->slot_free, &c->lock);
	err = c->error;
	pthread_mutex_unlock(&c->lock);
	return err < 0 ? producer_error(c) : 0;
}

void ccgov_compressor_free(ccgov_compressor *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = 1;
	pthread_cond_broadcast(&c->work_ready);
	pthread_cond_broadcast(&c->work_done);
	pthread_mutex_unlock(&c->lock);
	for (int i = 0; i < c->nthreads; i++)
		pthread_join(c->threads[i], NULL);
	if (c->has_writer)
		pthread_join(c->writer, NULL);
	for (size_t i = 0; c->slots && i < c->nslots; i++) {
		free(c->slots[i].in);
		free(c->slots[i].out);
	}
	free(c->slots);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->work_ready);
	pthread_cond_destroy(&c->work_done);
	pthread_cond_destroy(&c->slot_free);
	free(c);
}
