/*
 * walk: pagemap entries read ahead by a second thread, optionally only
 * where PAGEMAP_SCAN says present or swapped pages are.
 */
#include "walk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <pthread.h>

#include "pagemap.h"

enum walk_state {
	BUFFER_EMPTY,	/* for the reader to fill */
	BUFFER_READ,	/* filled, for the looker to look up */
	BUFFER_READY,	/* for the caller */
};

struct walk_buffer {
	struct walk_result pub;	/* what walk_next hands out */
	uint64_t *entries;
	uint64_t *kpage[KPAGE_FILES];	/* NULL for a file not wanted */
	uint64_t *values;		/* the stage's, or NULL */
	size_t used;
	struct walk_segment *segments;
	size_t nsegments;
	enum walk_status status;	/* after these segments */
	int error;
	const char *failed;		/* the file that failed */
	enum walk_state state;
	unsigned int looked;		/* lookers done with it, a bit each */
};

struct walk {
	int fd;
	uint64_t page_size;
	const struct walk_span *spans;
	size_t nspans;
	uint64_t categories;	/* PAGEMAP_SCAN anyof mask; 0: read all */
	struct kpage *kpage;	/* look up present pages there, or NULL */
	struct walk_stage stage;	/* fill NULL: none */
	size_t capacity;	/* entries a buffer holds, WALK_ENTRIES at most */
	size_t segcap;		/* segments a buffer holds */

	/* The reader's position. */
	size_t span;
	uint64_t cursor;	/* next page of the span to cover */
	bool span_checked;	/* its first entry was seen to exist */
	struct walk_scan_region *regions;
	size_t nregions, region;
	uint64_t chain_end;	/* the end of the span's chain */
	uint64_t scanned_to;	/* the scan has covered the chain to here */
	uint64_t window;	/* pages the next scan covers at most */
	uint64_t plain_until;	/* read plainly, without scans, to here */
	enum walk_status final;
	int final_error;
	const char *final_file;

	/* What the walk cost, for PAGEMAP_DUMP_STATS. */
	uint64_t stat_preads;
	uint64_t stat_entries;
	uint64_t stat_scans;

	struct walk_buffer buffers[WALK_BUFFERS];
	void *memory;		/* what the buffers point into */
	size_t memory_size;
	size_t next_fill, next_take;
	bool threaded;		/* the reader thread runs */
	int nlookers;		/* looker threads running, 0 to 2 */
	bool stop;
	pthread_t thread;
	struct walk_looker {
		struct walk *w;
		int id;			/* looks up part id of nlookers */
		struct kpage *kpage;	/* its own buffers */
		struct kpage shared;	/* for the second one */
		pthread_t thread;
	} lookers[WALK_LOOKERS];
	pthread_mutex_t lock;
	pthread_cond_t changed;
};


/* PAGEMAP_SCAN, defined here because linux/fs.h may predate it. */
struct walk_pm_scan_arg {
	uint64_t size;
	uint64_t flags;
	uint64_t start;
	uint64_t end;
	uint64_t walk_end;
	uint64_t vec;
	uint64_t vec_len;
	uint64_t max_pages;
	uint64_t category_inverted;
	uint64_t category_mask;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};
#define WALK_PAGEMAP_SCAN _IOWR('f', 16, struct walk_pm_scan_arg)

bool
walk_scan_allowed(void)
{
	const char *v = getenv("PAGEMAP_DUMP_NO_SCAN");

	return v == NULL || *v == '\0';
}

/*
 * The end of the chain of spans that the span at hand begins or goes on:
 * spans each of which starts where the one before ends (the parts of a
 * library, the anonymous mapping after it). A chain is scanned and read
 * as one stretch of pages.
 */
static uint64_t
chain_end(const struct walk *w)
{
	size_t i = w->span;

	while (i + 1 < w->nspans && w->spans[i + 1].vpn == w->spans[i].end)
		i++;
	return w->spans[i].end;
}

static void
next_span(struct walk *w)
{
	w->span++;
	if (w->span >= w->nspans)
		return;
	w->cursor = w->spans[w->span].vpn;
	/* The next span of a chain: what was learnt of the chain holds. */
	if (w->cursor == w->spans[w->span - 1].end && w->cursor < w->chain_end)
		return;
	w->nregions = 0;
	w->region = 0;
	w->span_checked = false;
	/* A new mapping: what was learnt of the last one does not hold. */
	w->window = WALK_SCAN_FIRST;
	w->plain_until = 0;
	w->scanned_to = w->cursor;
	w->chain_end = chain_end(w);
}

/*
 * Appends a segment: n entries at b->used, or with entries false a run of
 * n zero entries.
 */
static void
add_segment(struct walk *w, struct walk_buffer *b, uint64_t vpn, uint64_t n,
    bool entries)
{
	struct walk_segment *s = &b->segments[b->nsegments++];
	int f;

	s->span = w->span;
	s->vpn = vpn;
	s->n = n;
	s->entries = entries ? b->entries + b->used : NULL;
	for (f = 0; f < KPAGE_FILES; f++)
		s->kpage[f] = entries && b->kpage[f] != NULL ?
		    b->kpage[f] + b->used : NULL;
	s->values = entries && b->values != NULL ? b->values + b->used : NULL;
	w->cursor = vpn + n;
}

/*
 * Adds n entries read from the cursor on as segments, one for each span
 * of the chain that they cover.
 */
static void
add_entries(struct walk *w, struct walk_buffer *b, uint64_t n)
{
	uint64_t in;

	while (n > 0) {
		in = w->spans[w->span].end - w->cursor;
		if (in > n)
			in = n;
		add_segment(w, b, w->cursor, in, true);
		b->used += (size_t)in;
		n -= in;
		if (n > 0)
			next_span(w);	/* the next of the chain */
	}
}

/*
 * Reads up to n entries from the cursor into b (n may go on into the
 * next spans of the chain, as many as b has segments for). Returns 0
 * when the walk goes on (a short read of a live process skips the rest
 * of the span: pages above the task's address space have no entries),
 * or -1 with the walk's final status set.
 */
static int
read_entries(struct walk *w, struct walk_buffer *b, uint64_t n)
{
	uint64_t *dst = b->entries + b->used, i;
	long got;

	if (w->fd == WALK_PHYSICAL) {	/* frames: each one itself */
		for (i = 0; i < n; i++)
			dst[i] = PM_PRESENT | (w->cursor + i);
		got = (long)n;
	} else
		got = pagemap_read(w->fd, w->cursor, dst, (size_t)n);

	w->stat_preads++;
	if (got > 0)
		w->stat_entries += (uint64_t)got;
	if (got < 0) {
		w->final = errno == ESRCH ? WALK_EXITED : WALK_FAILED;
		w->final_error = errno;
		w->final_file = "pagemap";
		return -1;
	}
	add_entries(w, b, got > 0 ? (uint64_t)got : 0);
	if ((uint64_t)got < n) {
		switch (pagemap_alive(w->fd)) {
		case 1:
			w->cursor = w->spans[w->span].end;
			return 0;
		case 0:
			w->final = WALK_EXITED;
			w->final_error = ESRCH;
			return -1;
		default:
			w->final = WALK_FAILED;
			w->final_error = errno;
			w->final_file = "pagemap";
			return -1;
		}
	}
	return 0;
}

/* The files whose PAGEMAP_SCAN a snapshot answers (walk_scan_emulate). */
static struct emulated {
	dev_t dev;
	ino_t ino;
	const struct walk_scan_region *v;
	size_t n;
} *emulated;
static size_t nemulated, emulated_cap;

int
walk_scan_emulate(int fd, const struct walk_scan_region *v, size_t n)
{
	struct emulated *grown;
	struct stat st;

	if (fd < 0) {
		free(emulated);
		emulated = NULL;
		nemulated = emulated_cap = 0;
		return 0;
	}
	if (fstat(fd, &st) != 0)
		return -1;
	if (nemulated == emulated_cap) {
		grown = realloc(emulated, (emulated_cap * 2 + 16) *
		    sizeof(*emulated));
		if (grown == NULL)
			return -1;
		emulated = grown;
		emulated_cap = emulated_cap * 2 + 16;
	}
	emulated[nemulated].dev = st.st_dev;
	emulated[nemulated].ino = st.st_ino;
	emulated[nemulated].v = v;
	emulated[nemulated++].n = n;
	return 0;
}

/*
 * PAGEMAP_SCAN as a snapshot's regions answer it, for the categories
 * they hold (others: ENOTTY, as where there is no PAGEMAP_SCAN). Returns
 * what walk_scan returns, or -2 when fd is not a snapshot's.
 */
static int
emulate(int fd, uint64_t start, uint64_t end, uint64_t anyof,
    uint64_t return_mask, struct walk_scan_region *vec, size_t len,
    uint64_t *reached)
{
	const uint64_t held = WALK_PAGE_IS_PFNZERO | WALK_PAGE_IS_HUGE;
	struct stat st;
	size_t k, i, n = 0;

	if (fstat(fd, &st) != 0)
		return -2;
	for (k = 0; k < nemulated && (emulated[k].dev != st.st_dev ||
	    emulated[k].ino != st.st_ino); k++)
		;
	if (k == nemulated)
		return -2;
	if (anyof & ~held) {
		errno = ENOTTY;
		return -1;
	}
	*reached = end;
	for (i = 0; i < emulated[k].n; i++) {
		const struct walk_scan_region *r = &emulated[k].v[i];
		if (r->end <= start || r->start >= end ||
		    !(r->categories & anyof))
			continue;
		if (n == len) {
			*reached = vec[n - 1].end;
			break;
		}
		vec[n++] = (struct walk_scan_region){ r->start > start ?
		    r->start : start, r->end < end ? r->end : end,
		    r->categories & return_mask };
	}
	return (int)n;
}

int
walk_scan(int fd, uint64_t page_size, uint64_t start, uint64_t end,
    uint64_t anyof, uint64_t return_mask, struct walk_scan_region *vec,
    size_t len, uint64_t *reached)
{
	struct walk_pm_scan_arg arg;
	size_t i;
	int n;

	if (nemulated > 0 && (n = emulate(fd, start, end, anyof, return_mask,
	    vec, len, reached)) != -2)
		return n;
	memset(&arg, 0, sizeof(arg));
	/* Tools such as valgrind cannot know that the ioctl writes vec. */
	memset(vec, 0, len * sizeof(*vec));
	arg.size = sizeof(arg);
	arg.start = start * page_size;
	arg.end = end * page_size;
	arg.vec = (uint64_t)(uintptr_t)vec;
	arg.vec_len = len;
	arg.category_anyof_mask = anyof;
	arg.return_mask = return_mask;
	do
		n = ioctl(fd, WALK_PAGEMAP_SCAN, &arg);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	/*
	 * Continue from the larger of walk_end and the end of the last
	 * region: on 6.18 walk_end can lag behind the regions returned.
	 */
	*reached = arg.walk_end / page_size;
	for (i = 0; i < (size_t)n; i++) {
		vec[i].start /= page_size;
		vec[i].end /= page_size;
		if (vec[i].end > *reached)
			*reached = vec[i].end;
	}
	return n;
}

/*
 * Asks the kernel for the regions of the chain from the cursor on that
 * are in the wanted categories. Returns 0, or -1 with errno set.
 */
static int
scan(struct walk *w)
{
	uint64_t start = w->cursor > w->scanned_to ? w->cursor : w->scanned_to;
	uint64_t reached;
	size_t i;
	int n;

	uint64_t end = w->chain_end - start > w->window ? start + w->window :
	    w->chain_end;
	uint64_t covered = 0;

	w->stat_scans++;
	n = walk_scan(w->fd, w->page_size, start, end, w->categories,
	    w->categories, w->regions, WALK_REGIONS, &reached);
	if (n < 0)
		return -1;
	for (i = 0; i < (size_t)n; i++)
		covered += w->regions[i].end - w->regions[i].start;
	/*
	 * Where most pages are wanted the scan only doubles the kernel's
	 * work: read the next stretch plainly. Where few are, scan further
	 * ahead each time.
	 */
	if (reached > start && covered * 2 > reached - start) {
		w->window = WALK_SCAN_FIRST;
		w->plain_until = reached + WALK_SCAN_FIRST * 8;
	} else if (w->window < WALK_SCAN_MAX)
		w->window *= 2;
	if (reached <= start && n == 0) {
		/* No progress: let the plain reads finish the span. */
		errno = EINVAL;
		return -1;
	}
	w->nregions = (size_t)n;
	w->region = 0;
	w->scanned_to = reached > w->chain_end ? w->chain_end : reached;
	return 0;
}

/*
 * Reads up to n entries but not past stop (in the chain), room and
 * segments allowing.
 */
static int
read_upto(struct walk *w, struct walk_buffer *b, uint64_t stop,
    uint64_t room)
{
	uint64_t n = stop - w->cursor < room ? stop - w->cursor : room;
	size_t i = w->span, free_segments = w->segcap - b->nsegments;

	/* A segment for each span it touches: stop at a span's end. */
	while (w->spans[i].end < w->cursor + n && free_segments > 1) {
		i++;
		free_segments--;
	}
	if (w->spans[i].end < w->cursor + n)
		n = w->spans[i].end - w->cursor;
	return read_entries(w, b, n);
}

/*
 * The end of the region at hand and of those after it that each begin
 * at most WALK_SCAN_GAP pages after the one before: one pread reads them
 * all, the pages between as the entries they are (zero, or of no
 * category asked for: the filter looks at every entry again). Reading a
 * few empty entries costs the kernel less than a pread does.
 */
static uint64_t
merged_end(const struct walk *w)
{
	size_t i = w->region;
	uint64_t end = w->regions[i].end;

	while (i + 1 < w->nregions &&
	    w->regions[i + 1].start <= end + WALK_SCAN_GAP)
		end = w->regions[++i].end;
	return end;
}

/*
 * One step of a walk that reads only what PAGEMAP_SCAN finds: reads the
 * region at hand, or adds the run of zero entries before it, or scans
 * ahead. Returns 0, or -1 with the walk's final status set.
 */
static int
scan_step(struct walk *w, struct walk_buffer *b, const struct walk_span *s,
    uint64_t room)
{
	const struct walk_scan_region *r;

	if (w->region >= w->nregions && w->cursor < w->plain_until)
		return read_upto(w, b, w->plain_until < w->chain_end ?
		    w->plain_until : w->chain_end, room);
	if (w->region < w->nregions) {
		r = &w->regions[w->region];
		if (r->end <= w->cursor)
			w->region++;
		else if (r->start > w->cursor)	/* in this span */
			add_segment(w, b, w->cursor, (r->start < s->end ?
			    r->start : s->end) - w->cursor, false);
		else
			return read_upto(w, b, merged_end(w), room);
		return 0;
	}
	if (w->scanned_to >= s->end) {
		add_segment(w, b, w->cursor, s->end - w->cursor, false);
		return 0;
	}
	if (scan(w) != 0) {
		if (errno == ESRCH) {
			w->final = WALK_EXITED;
			w->final_error = ESRCH;
			return -1;
		}
		/* No PAGEMAP_SCAN here (ENOTTY, EINVAL): read all. */
		w->categories = 0;
	}
	return 0;
}

/*
 * Fills a buffer: entries of the spans from the cursor on, until the
 * buffer is full or the walk ends; then sets how it goes on.
 */
static void
fill(struct walk *w, struct walk_buffer *b)
{
	b->used = 0;
	b->nsegments = 0;
	b->status = WALK_MORE;
	b->error = 0;
	while (w->span < w->nspans) {
		const struct walk_span *s = &w->spans[w->span];
		uint64_t room = w->capacity - b->used;
		int rc;

		if (w->cursor >= s->end) {
			next_span(w);
			continue;
		}
		if (room == 0 || b->nsegments == w->segcap)
			return;
		if (!w->span_checked) {
			/*
			 * One entry first: a span above the task's address
			 * space has none, and the scan must not count it.
			 */
			w->span_checked = true;
			rc = read_entries(w, b, 1);
		} else if (w->categories == 0)
			rc = read_upto(w, b, w->chain_end, room);
		else
			rc = scan_step(w, b, s, room);
		if (rc != 0)
			goto final;
	}
	/* A process that exited can leave scans with nothing to say. */
	if (pagemap_alive(w->fd) == 0) {
		w->final = WALK_EXITED;
		w->final_error = ESRCH;
	} else
		w->final = WALK_END;
final:
	b->status = w->final;
	b->error = w->final_error;
	b->failed = w->final_file;
}

/*
 * Looks the present pages of part part of nparts of a filled buffer up in
 * the kpage files of k. Returns 0, or -1 with *error and *failed set.
 */
static int
look_up(struct kpage *k, struct walk_buffer *b, int part, int nparts,
    int *error, const char **failed)
{
	size_t lo = b->used * (size_t)part / (size_t)nparts;
	size_t hi = b->used * (size_t)(part + 1) / (size_t)nparts;
	uint64_t *out[KPAGE_FILES];
	enum kpage_file file;
	int f;

	if (hi == lo)
		return 0;
	for (f = 0; f < KPAGE_FILES; f++)
		out[f] = b->kpage[f] != NULL ? b->kpage[f] + lo : NULL;
	if (kpage_lookup(k, b->entries + lo, hi - lo, out, &file) == 0)
		return 0;
	*error = errno;
	*failed = kpage_path(file);
	return -1;
}

/*
 * The threads' common loop: wait for buffer *next to be in state from,
 * work on it, move it to state to. Ends after the buffer that ends the
 * walk, or when told to stop.
 */
static void
stage(struct walk *w, size_t *next, enum walk_state from, enum walk_state to,
    void (*work)(struct walk *, struct walk_buffer *))
{
	struct walk_buffer *b;
	bool more = true;

	pthread_mutex_lock(&w->lock);
	while (more) {
		b = &w->buffers[*next];
		while (!w->stop && b->state != from)
			pthread_cond_wait(&w->changed, &w->lock);
		if (w->stop)
			break;
		pthread_mutex_unlock(&w->lock);
		work(w, b);
		more = b->status == WALK_MORE;
		pthread_mutex_lock(&w->lock);
		b->state = to;
		*next = (*next + 1) % WALK_BUFFERS;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
}

/* Fills a buffer, and without a looker thread looks it up too. */
static void
read_and_look(struct walk *w, struct walk_buffer *b)
{
	int error;
	const char *failed;

	fill(w, b);
	if (w->stage.fill != NULL && b->used > 0)
		w->stage.fill(w->stage.ctx, b->entries, b->used, b->values);
	if (w->kpage != NULL && w->nlookers == 0 &&
	    look_up(w->kpage, b, 0, 1, &error, &failed) != 0) {
		b->status = WALK_FAILED;
		b->error = error;
		b->failed = failed;
	}
}

static void *
reader(void *arg)
{
	struct walk *w = arg;

	stage(w, &w->next_fill, BUFFER_EMPTY,
	    w->nlookers > 0 ? BUFFER_READ : BUFFER_READY, read_and_look);
	return NULL;
}

/*
 * A looker thread: looks its part of each filled buffer up; the last one
 * done with a buffer hands it to the caller.
 */
static void *
looker(void *arg)
{
	struct walk_looker *me = arg;
	struct walk *w = me->w;
	struct walk_buffer *b;
	unsigned int bit = 1u << me->id, all;
	size_t next = 0;
	bool more = true, ok;
	const char *failed = NULL;
	int error = 0;

	pthread_mutex_lock(&w->lock);
	while (more) {
		b = &w->buffers[next];
		while (!w->stop && (b->state != BUFFER_READ ||
		    (b->looked & bit)))
			pthread_cond_wait(&w->changed, &w->lock);
		if (w->stop)
			break;
		more = b->status == WALK_MORE;
		all = (1u << w->nlookers) - 1;
		pthread_mutex_unlock(&w->lock);
		ok = look_up(me->kpage, b, me->id, w->nlookers, &error,
		    &failed) == 0;
		pthread_mutex_lock(&w->lock);
		if (!ok) {
			b->status = WALK_FAILED;
			b->error = error;
			b->failed = failed;
			more = false;
		}
		b->looked |= bit;
		if (b->looked == all) {
			b->looked = 0;
			b->state = BUFFER_READY;
		}
		next = (next + 1) % WALK_BUFFERS;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void walk_stop_threads(struct walk *w);

/*
 * Starts the looker threads: the kpage files cost the kernel far more
 * per page than pagemap does, so two threads share each buffer. nlookers
 * is set before any starts (each splits by it); if the second cannot be
 * started, the first is stopped and started again alone.
 */
static void
start_lookers(struct walk *w, struct kpage *kpage)
{
	int i;

	w->nlookers = WALK_LOOKERS;
	for (i = 0; i < WALK_LOOKERS; i++) {
		struct walk_looker *l = &w->lookers[i];
		l->w = w;
		l->id = i;
		l->kpage = kpage;
		if (i > 0) {
			if (kpage_share(&l->shared, kpage, WALK_ENTRIES) != 0)
				break;
			l->kpage = &l->shared;
		}
		if (pthread_create(&l->thread, NULL, looker, l) != 0) {
			if (i > 0)
				kpage_free(&l->shared);
			break;
		}
	}
	if (i == WALK_LOOKERS)
		return;
	/* Fewer threads than planned: none (the reader looks up). */
	w->nlookers = i;
	walk_stop_threads(w);
}

/*
 * Whether the walk runs without threads: when its spans fit in one
 * buffer, nothing could overlap.
 */
static bool
threadless(const struct walk *w)
{
	return w->capacity < WALK_ENTRIES;
}

/*
 * Sizes the buffers to the spans: a small process (a shell, a daemon)
 * has a few thousand pages, and buffers of WALK_ENTRIES, populated up
 * front, would cost it more to map than to read. A buffer still holds a
 * segment for each span and then some, so it ends by entries, not by
 * segments, but in sparse memory.
 */
static void
size_buffers(struct walk *w)
{
	uint64_t pages = 0;
	size_t i;

	for (i = 0; i < w->nspans && pages < WALK_ENTRIES; i++)
		pages += w->spans[i].end - w->spans[i].vpn;
	w->capacity = pages < WALK_ENTRIES ? (size_t)pages + 1 : WALK_ENTRIES;
	w->segcap = w->capacity < WALK_ENTRIES ? 2 * w->nspans +
	    w->capacity / 8 + 64 : WALK_SEGMENTS;
	if (w->segcap > WALK_SEGMENTS)
		w->segcap = WALK_SEGMENTS;
}

/*
 * The buffers' memory of the last walk, kept for the next one: --all and
 * many pids would otherwise map, populate and unmap it once for each
 * process (a tenth of the time of --all --summary). Walks are started
 * and stopped by one thread only.
 */
static struct {
	void *memory;
	size_t size;
} kept;

/* Memory of at least size bytes, populated: the kept one, or new. */
static void *
take_memory(size_t *size)
{
	void *m;

	if (kept.memory != NULL && kept.size >= *size) {
		m = kept.memory;
		*size = kept.size;
		kept.memory = NULL;
		return m;
	}
	m = mmap(NULL, *size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	return m == MAP_FAILED ? NULL : m;
}

/* Keeps a walk's memory for the next, or unmaps it (the smaller one). */
static void
keep_memory(void *m, size_t size)
{
	if (kept.memory != NULL && kept.size >= size) {
		munmap(m, size);
		return;
	}
	if (kept.memory != NULL)
		munmap(kept.memory, kept.size);
	kept.memory = m;
	kept.size = size;
}

/* Sets a walk up, its buffers allocated. Returns 0, or -1. */
static int
walk_setup(struct walk *w, int fd, uint64_t page_size,
    const struct walk_span *spans, size_t nspans, uint64_t categories,
    struct kpage *kpage, const struct walk_stage *stage)
{
	size_t i, per_buffer, nfiles = 0, narrays;
	int f;

	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	w->fd = fd;
	w->page_size = page_size;
	w->spans = spans;
	w->nspans = nspans;
	w->categories = walk_scan_allowed() && fd != WALK_PHYSICAL ?
	    categories : 0;
	w->kpage = kpage;
	for (f = 0; kpage != NULL && f < KPAGE_FILES; f++)
		nfiles += kpage->fd[f] >= 0;
	if (stage != NULL)
		w->stage = *stage;
	narrays = 1 + nfiles + (w->stage.fill != NULL);
	w->final = WALK_END;
	w->window = WALK_SCAN_FIRST;
	if (nspans > 0) {
		w->cursor = spans[0].vpn;
		w->scanned_to = spans[0].vpn;
		w->chain_end = chain_end(w);
	}
	w->regions = calloc(WALK_REGIONS, sizeof(*w->regions));
	if (w->regions == NULL)
		return -1;
	size_buffers(w);
	/*
	 * One mapping for all the buffers, populated at once: faulting its
	 * pages in one by one inside pread costs more (much more in a VM).
	 */
	per_buffer = narrays * w->capacity * sizeof(uint64_t) +
	    w->segcap * sizeof(struct walk_segment);
	/* A walk without threads (walk_start) fills its first one only. */
	w->memory_size = (threadless(w) ? 1 : WALK_BUFFERS) * per_buffer;
	w->memory = take_memory(&w->memory_size);
	if (w->memory == NULL)
		return -1;
	for (i = 0; i < WALK_BUFFERS; i++) {
		/* Without threads the others are never used: set up alike. */
		char *base = (char *)w->memory +
		    (threadless(w) ? 0 : i) * per_buffer;
		w->buffers[i].segments = (struct walk_segment *)(void *)base;
		base += w->segcap * sizeof(struct walk_segment);
		w->buffers[i].entries = (uint64_t *)(void *)base;
		for (f = 0; kpage != NULL && f < KPAGE_FILES; f++) {
			if (kpage->fd[f] < 0)
				continue;
			base += w->capacity * sizeof(uint64_t);
			w->buffers[i].kpage[f] = (uint64_t *)(void *)base;
		}
		if (w->stage.fill != NULL)
			w->buffers[i].values = (uint64_t *)(void *)(base +
			    w->capacity * sizeof(uint64_t));
	}
	return 0;
}

struct walk *
walk_start(int fd, uint64_t page_size, const struct walk_span *spans,
    size_t nspans, uint64_t categories, struct kpage *kpage,
    const struct walk_stage *stage)
{
	struct walk *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	if (walk_setup(w, fd, page_size, spans, nspans, categories,
	    kpage, stage) != 0) {
		walk_stop(w);
		errno = ENOMEM;
		return NULL;
	}
	/*
	 * The reader reads pagemap; with kpage files, a second thread looks
	 * the pages up there (most of the kernel's work then), so that the
	 * three stages overlap. Without threads (none could be made, or
	 * the spans fit in one buffer, so that nothing could overlap) the
	 * caller does it all.
	 */
	if (threadless(w))
		return w;
	if (kpage != NULL)
		start_lookers(w, kpage);
	w->threaded = pthread_create(&w->thread, NULL, reader, w) == 0;
	if (!w->threaded && w->nlookers > 0)
		walk_stop_threads(w);
	return w;
}

/* Hands a ready buffer out. */
static const struct walk_result *
hand_out(struct walk_buffer *b)
{
	b->pub = (struct walk_result){ b->segments, b->nsegments, b->status,
	    b->error, b->failed };
	return &b->pub;
}

const struct walk_result *
walk_next(struct walk *w)
{
	struct walk_buffer *b = &w->buffers[w->next_take];

	if (!w->threaded) {
		read_and_look(w, b);
		return hand_out(b);
	}
	pthread_mutex_lock(&w->lock);
	while (b->state != BUFFER_READY)
		pthread_cond_wait(&w->changed, &w->lock);
	pthread_mutex_unlock(&w->lock);
	return hand_out(b);
}

void
walk_release(struct walk *w, const struct walk_result *r)
{
	size_t i;

	if (!w->threaded)
		return;
	for (i = 0; i < WALK_BUFFERS && &w->buffers[i].pub != r; i++)
		;
	pthread_mutex_lock(&w->lock);
	w->buffers[i].state = BUFFER_EMPTY;
	w->next_take = (w->next_take + 1) % WALK_BUFFERS;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

/* Tells the threads to stop and waits for them. */
static void
walk_stop_threads(struct walk *w)
{
	int i, f;

	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	if (w->threaded)
		pthread_join(w->thread, NULL);
	for (i = 0; i < w->nlookers; i++) {
		pthread_join(w->lookers[i].thread, NULL);
		if (i == 0)
			continue;
		/* Its reads count with the first one's, for the stats. */
		for (f = 0; f < KPAGE_FILES; f++)
			w->kpage->preads[f] += w->lookers[i].shared.preads[f];
		kpage_free(&w->lookers[i].shared);
	}
	w->threaded = false;
	w->nlookers = 0;
	w->stop = false;
}

struct walk_stats
walk_stop(struct walk *w)
{
	struct walk_stats st = { 0, 0, 0 };

	if (w == NULL)
		return st;
	walk_stop_threads(w);
	st = (struct walk_stats){ w->stat_preads, w->stat_entries,
	    w->stat_scans };
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->changed);
	if (w->memory != NULL)
		keep_memory(w->memory, w->memory_size);
	w->memory = NULL;
	free(w->regions);
	free(w);
	return st;
}
