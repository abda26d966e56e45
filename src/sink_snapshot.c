/*
 * sink_snapshot: --record. Takes every page of every process as the page
 * path reads it, keeps the entries that are not zero and the kpage facts
 * of the frames they map, and writes them as one snapshot (snapshot.h)
 * when the last process is done. A process that went away while it was
 * read is left out whole.
 */
#include "sink.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "pagemap.h"
#include "regions.h"
#include "snapshot.h"

#define KPF_COMPOUND_HEAD	(UINT64_C(1) << 15)
#define KPF_COMPOUND_TAIL	(UINT64_C(1) << 16)
#define FOLIO_MAX_ORDER 20	/* as folio.c looks for */

/* Frames as taken, in the order they came. */
struct frames {
	struct snapshot_frame *v;
	size_t n, cap;
	size_t before;		/* of the process at hand, when it began */
};

struct snap_sink {
	struct sink_context c;
	struct snapshot snap;
	size_t procs_cap, entries_cap, regions_cap;
	struct frames own;	/* of the pages: count and cgroup read */
	struct frames around;	/* looked at around a folio: flags only */
	uint64_t folio_lo, folio_hi;	/* the last folio recorded whole */
	bool failed;		/* out of memory: said once */
};

static void *
snap_open(const struct sink_context *c)
{
	struct snap_sink *s = calloc(1, sizeof(*s));
	struct timespec ts;
	struct utsname u;

	if (s == NULL)
		return NULL;
	s->c = *c;
	s->snap.page_size = c->page_size;
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
		s->snap.time_ns = (int64_t)ts.tv_sec * 1000000000 +
		    ts.tv_nsec;
	if (uname(&u) == 0)
		snprintf(s->snap.release, sizeof(s->snap.release), "%s",
		    u.release);
	s->snap.layout = pagemap_swap_layout();
	s->snap.has_kpage = (c->have & PAGE_FACT_KFLAGS) &&
	    (c->have & PAGE_FACT_COUNT);
	s->snap.has_cgroup = s->snap.has_kpage &&
	    (c->have & PAGE_FACT_CGROUP);
	s->snap.has_regions = !c->physical &&
	    (c->have & PAGE_FACT_REGION) != 0;
	s->snap.physical = c->physical;
	return s;
}

static int
snap_header(void *s)
{
	(void)s;
	return 0;
}

/* Grows *v (of *cap elements of size) to hold n + 1. Returns 0, or -1. */
static int
grow(void *v, size_t *cap, size_t n, size_t size)
{
	void **p = v, *g;
	size_t want = *cap ? *cap * 2 : 64;

	if (n < *cap)
		return 0;
	g = realloc(*p, want * size);
	if (g == NULL)
		return -1;
	*p = g;
	*cap = want;
	return 0;
}

static enum dump_status
no_memory(struct snap_sink *s)
{
	if (!s->failed)
		warnx("--record: out of memory");
	s->failed = true;
	return DUMP_FAILED;
}

/* The command name of the process ("" unknown). */
static void
take_comm(char *dst, size_t len, const struct sink_process *p)
{
	ssize_t n = 0;
	int fd;

	if (p->comm != NULL) {
		snprintf(dst, len, "%s", p->comm);
		return;
	}
	fd = p->dirfd >= 0 ? openat(p->dirfd, "comm", O_RDONLY | O_CLOEXEC) :
	    -1;
	if (fd >= 0) {
		n = read(fd, dst, len - 1);
		close(fd);
	}
	dst[n > 0 ? n : 0] = '\0';
	dst[strcspn(dst, "\n")] = '\0';
}

/*
 * The maps text as it was read: parsing ended each line with a NUL in
 * place of its newline (names hold no NUL).
 */
static char *
maps_text(const struct maps *m)
{
	char *t = malloc(m->text_len + 1);
	size_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < m->text_len; i++)
		t[i] = m->text[i] == '\0' ? '\n' : m->text[i];
	return t;
}

static enum dump_status
snap_begin_process(void *v, const struct sink_process *p,
    unsigned *per_page)
{
	struct snap_sink *s = v;
	struct snapshot_process *sp;

	*per_page = 0;
	if (s->snap.physical)
		return DUMP_OK;	/* frames, of no process */
	if (grow(&s->snap.procs, &s->procs_cap, s->snap.nprocs,
	    sizeof(*s->snap.procs)) != 0)
		return no_memory(s);
	sp = &s->snap.procs[s->snap.nprocs++];
	memset(sp, 0, sizeof(*sp));
	sp->pid = p->pid;
	take_comm(sp->comm, sizeof(sp->comm), p);
	sp->maps = maps_text(p->maps);
	if (sp->maps == NULL)
		return no_memory(s);
	sp->maps_len = p->maps->text_len;
	s->entries_cap = s->regions_cap = 0;
	s->own.before = s->own.n;
	s->around.before = s->around.n;
	s->folio_lo = s->folio_hi = 0;
	return DUMP_OK;
}

static enum dump_status
snap_begin_mapping(void *s, const struct maps_entry *m)
{
	(void)s;
	(void)m;
	return DUMP_OK;
}

static int
take_frame(struct snap_sink *s, const struct snapshot_frame *f, bool own)
{
	struct frames *fs = own ? &s->own : &s->around;

	if (grow(&fs->v, &fs->cap, fs->n, sizeof(*fs->v)) != 0)
		return -1;
	fs->v[fs->n++] = *f;
	return 0;
}

/* The flags of frame pfn, read (0 when they cannot be). */
static uint64_t
flags_at(const struct snap_sink *s, uint64_t pfn)
{
	uint64_t v;

	if (s->c.kflags_fd < 0 || pread(s->c.kflags_fd, &v, sizeof(v),
	    (off_t)(pfn * 8)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

/*
 * The flags of every frame of the folio of frame pfn (flags f), and of
 * the frame after it: what the folio columns look at. The same search
 * as folio.c's: back to the head, then on to the first frame that is
 * not a tail.
 */
static int
take_folio(struct snap_sink *s, uint64_t pfn, uint64_t f)
{
	uint64_t h = pfn, x;
	unsigned j;
	struct snapshot_frame fr = { 0, 0, 0, 0 };

	if (!(f & (KPF_COMPOUND_HEAD | KPF_COMPOUND_TAIL)) ||
	    (pfn >= s->folio_lo && pfn < s->folio_hi))
		return 0;
	for (j = 1; !(f & KPF_COMPOUND_HEAD); j++) {
		if (j > FOLIO_MAX_ORDER || !(f & KPF_COMPOUND_TAIL))
			return 0;
		h = pfn & ~((UINT64_C(1) << j) - 1);
		f = flags_at(s, h);
	}
	for (x = h; x <= h + (UINT64_C(1) << FOLIO_MAX_ORDER); x++) {
		fr.pfn = x;
		fr.flags = x == h ? f : flags_at(s, x);
		if (take_frame(s, &fr, false) != 0)
			return -1;
		if (x > h && !(fr.flags & KPF_COMPOUND_TAIL))
			break;
	}
	s->folio_lo = h;
	s->folio_hi = x;
	return 0;
}

/* Keeps page k of b: its entry, and its frame's facts. */
static int
take_page(struct snap_sink *s, struct snapshot_process *sp,
    const struct page_batch *b, uint64_t k)
{
	uint64_t raw = b->entries[k], pfn = raw & PM_PFN_MASK;
	struct snapshot_frame f = { pfn, 0, 0, 0 };

	if (raw == 0)
		return 0;
	if (grow(&sp->entries, &s->entries_cap, sp->nentries,
	    sizeof(*sp->entries)) != 0)
		return -1;
	sp->entries[sp->nentries++] = (struct snapshot_entry){ b->vpn + k,
	    raw };
	if (!(raw & PM_PRESENT) || pfn == 0 || !s->snap.has_kpage)
		return 0;
	f.flags = b->kpage[KPAGE_FLAGS][k];
	f.count = b->kpage[KPAGE_COUNT][k];
	if (s->snap.has_cgroup)
		f.cgroup = b->kpage[KPAGE_CGROUP][k];
	if (take_frame(s, &f, true) != 0)
		return -1;
	return take_folio(s, pfn, f.flags);
}

/*
 * Keeps the regions (the zero page, huge mappings) of the pages of b,
 * joined to the last one kept where they go on from it.
 */
static int
take_regions(struct snap_sink *s, struct snapshot_process *sp,
    const struct page_batch *b)
{
	const struct regions *rs = b->regions;
	struct snapshot_region *last;
	uint64_t lo, hi;
	size_t i;

	for (i = 0; rs != NULL && i < rs->n; i++) {
		lo = rs->v[i].start > b->vpn ? rs->v[i].start : b->vpn;
		hi = rs->v[i].end < b->vpn + b->n ? rs->v[i].end :
		    b->vpn + b->n;
		last = sp->nregions > 0 ? &sp->regions[sp->nregions - 1] : NULL;
		if (last != NULL && lo < last->end)
			lo = last->end;
		if (hi <= lo || rs->v[i].categories == 0)
			continue;
		if (last != NULL && last->end == lo &&
		    last->categories == rs->v[i].categories) {
			last->end = hi;
			continue;
		}
		if (grow(&sp->regions, &s->regions_cap, sp->nregions,
		    sizeof(*sp->regions)) != 0)
			return -1;
		sp->regions[sp->nregions++] = (struct snapshot_region){ lo, hi,
		    rs->v[i].categories };
	}
	return 0;
}

/* --physical: every frame of b, as it is (its flags 0 or not). */
static enum dump_status
take_frames(struct snap_sink *s, const struct page_batch *b)
{
	struct snapshot_frame f = { 0, 0, 0, 0 };
	uint64_t k;

	for (k = 0; b->entries != NULL && k < b->n; k++) {
		f.pfn = b->entries[k] & PM_PFN_MASK;
		f.flags = b->kpage[KPAGE_FLAGS][k];
		f.count = b->kpage[KPAGE_COUNT] != NULL ?
		    b->kpage[KPAGE_COUNT][k] : 0;
		f.cgroup = s->snap.has_cgroup ? b->kpage[KPAGE_CGROUP][k] : 0;
		if (take_frame(s, &f, true) != 0)
			return no_memory(s);
	}
	return DUMP_OK;
}

static enum dump_status
snap_pages(void *v, const struct page_batch *b)
{
	struct snap_sink *s = v;
	struct snapshot_process *sp;
	uint64_t k;

	if (s->snap.physical)	/* it reads kpageflags: has_kpage */
		return take_frames(s, b);
	sp = &s->snap.procs[s->snap.nprocs - 1];
	if (b->vpn + b->n > sp->task_end)
		sp->task_end = b->vpn + b->n;
	if (s->snap.has_regions && take_regions(s, sp, b) != 0)
		return no_memory(s);
	if (b->entries == NULL)
		return DUMP_OK;	/* a run of zero entries: nothing kept */
	for (k = 0; k < b->n; k++)
		if (take_page(s, sp, b, k) != 0)
			return no_memory(s);
	return DUMP_OK;
}

static void
free_process(struct snapshot_process *sp)
{
	free(sp->maps);
	free(sp->entries);
	free(sp->regions);
	memset(sp, 0, sizeof(*sp));
}

static enum dump_status
snap_end_process(void *v, bool complete)
{
	struct snap_sink *s = v;

	if (!complete && !s->snap.physical) {	/* it went away: none of it */
		free_process(&s->snap.procs[--s->snap.nprocs]);
		s->own.n = s->own.before;
		s->around.n = s->around.before;
	}
	return DUMP_OK;
}

/*
 * Sorts the frames by pfn, stably (a frame read twice keeps its first
 * reading first): a byte of it at a time, least significant first, with
 * a spare array; not at all when they are in order (a physical walk).
 * Returns 0, or -1 out of memory.
 */
static int
sort_frames(struct frames *fs)
{
	struct snapshot_frame *from = fs->v, *to, *swap;
	size_t count[256], i, at, c;
	uint64_t all = 0;
	unsigned int shift;

	for (i = 1; i < fs->n && from[i - 1].pfn <= from[i].pfn; i++)
		;
	if (i >= fs->n)
		return 0;
	if ((to = malloc(fs->n * sizeof(*to))) == NULL)
		return -1;
	for (i = 0; i < fs->n; i++)
		all |= from[i].pfn;
	for (shift = 0; shift < 64 && all >> shift != 0; shift += 8) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < fs->n; i++)
			count[from[i].pfn >> shift & 0xff]++;
		for (i = 0, at = 0; i < 256; i++) {
			c = count[i];
			count[i] = at;
			at += c;
		}
		for (i = 0; i < fs->n; i++)
			to[count[from[i].pfn >> shift & 0xff]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	free(to);
	fs->v = from;
	return 0;
}

/* Keeps the first of each run of frames of one pfn (sorted). */
static void
unique(struct frames *fs)
{
	size_t i, n = 0;

	for (i = 0; i < fs->n; i++)
		if (n == 0 || fs->v[n - 1].pfn != fs->v[i].pfn)
			fs->v[n++] = fs->v[i];
	fs->n = n;
}

/*
 * Each frame once: as a page of the first process that mapped it saw
 * it (a frame two processes map was read for each; it may have changed
 * in between), else as looked at around a folio.
 */
static int
unique_frames(struct snap_sink *s)
{
	struct snapshot_frame *all;
	size_t i = 0, j = 0, n = 0;

	if (sort_frames(&s->own) != 0 || sort_frames(&s->around) != 0)
		return -1;
	unique(&s->own);
	unique(&s->around);
	if (s->around.n == 0) {	/* the common case: no folio looked at */
		s->snap.frames = s->own.v;
		s->snap.nframes = s->own.n;
		s->own.v = NULL;
		return 0;
	}
	all = malloc((s->own.n + s->around.n + 1) * sizeof(*all));
	if (all == NULL)
		return -1;
	while (i < s->own.n || j < s->around.n) {
		if (j == s->around.n || (i < s->own.n &&
		    s->own.v[i].pfn <= s->around.v[j].pfn)) {
			if (j < s->around.n && s->around.v[j].pfn ==
			    s->own.v[i].pfn)
				j++;	/* read as a page: that is kept */
			all[n++] = s->own.v[i++];
		} else
			all[n++] = s->around.v[j++];
	}
	s->snap.frames = all;
	s->snap.nframes = n;
	return 0;
}

static enum dump_status
snap_finish(void *v)
{
	struct snap_sink *s = v;
	unsigned char *data;
	size_t len;
	int rc;

	if (s->failed)
		return DUMP_FAILED;
	if (unique_frames(s) != 0 || snapshot_encode(&s->snap, &data,
	    &len) != 0)
		return no_memory(s);
	rc = out_write(s->c.out, data, len);
	free(data);
	return rc == 0 ? DUMP_OK : DUMP_OUTPUT_ERROR;
}

static void
snap_close(void *v)
{
	struct snap_sink *s = v;

	snapshot_free(&s->snap);
	free(s->own.v);
	free(s->around.v);
	free(s);
}

const struct sink_ops sink_snapshot = {
	.name = "snapshot",
	.option = "record",
	.help = "write a snapshot of the processes to FILE",
	.own_columns = true,
	.wants = PAGE_FACTS_KPAGE | PAGE_FACT_REGION,
	.wants_kflags_file = true,
	.takes_empty_runs = true,
	.counts_frames = true,
	.open = snap_open,
	.header = snap_header,
	.begin_process = snap_begin_process,
	.begin_mapping = snap_begin_mapping,
	.pages = snap_pages,
	.end_process = snap_end_process,
	.finish = snap_finish,
	.close = snap_close,
};
