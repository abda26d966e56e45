/*
 * pipeline: sources, stages, the filter and the sink of one run (see
 * pipeline.h).
 *
 * The stages are two. The kpage stage looks the present pages of each
 * buffer up in /proc/kpageflags, kpagecount and kpagecgroup; it runs in
 * the reader's looker threads (walk.c), on the files opened here. The
 * regions stage asks PAGEMAP_SCAN where the zero page and huge mappings
 * are, as each buffer comes (regions.c).
 */
#include "pipeline.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "column.h"
#include "folio.h"
#include "nodes.h"
#include "regions.h"

struct pipeline {
	struct pipeline_config c;
	void *sink;
	unsigned need;		/* facts the columns and filter need */
	unsigned have;		/* facts to be had */
	uint64_t categories;	/* what the reader reads: see walk.h */
	/* The kpage lookups: the columns' and filter's, and with more. */
	struct kpage base, more;
	bool use_base, use_more;
	unsigned more_facts;
	int kflags_fd;		/* the sink's own flags lookups, or -1 */
	bool own_kflags_fd;
	struct regions regions;
	bool shows_pfns;		/* a column of the sink's is a PFN */
	struct folio_stage folio;	/* with PAGE_FACT_HUGE */
	uint64_t *folio_values;		/* one per entry of a buffer */
	struct nodes nodes;		/* with PAGE_FACT_NODE */
	bool nodes_in_reader;		/* from sysfs, in the reader's thread */
	uint64_t *node_values;		/* else from move_pages, here */
	bool pfn_warned;
};

/* Opens one /proc/kpage* file (or its captured copy); reports a failure. */
static int
open_kpage_file(const struct pipeline *p, enum kpage_file file, bool quiet)
{
	const char *path = kpage_path(file);
	int fd;

	if (p->c.kpage_fds != NULL) {	/* a snapshot's */
		fd = p->c.kpage_fds[file] >= 0 ? fcntl(p->c.kpage_fds[file],
		    F_DUPFD_CLOEXEC, 0) : -1;
		if (p->c.kpage_fds[file] < 0 && !quiet)
			warnx("%s: not in the snapshot (it was recorded "
			    "without root, or without CONFIG_MEMCG)", path);
		return fd;
	}
	fd = p->c.kpage_dirfd < 0 ? open(path, O_RDONLY | O_CLOEXEC) :
	    openat(p->c.kpage_dirfd, strrchr(path, '/') + 1,
	    O_RDONLY | O_CLOEXEC);
	if (fd < 0 && !quiet) {
		if (errno == EACCES || errno == EPERM)
			warnx("%s: permission denied (run as root)", path);
		else if (errno == ENOENT && file == KPAGE_CGROUP)
			warnx("%s: not there (a kernel without "
			    "CONFIG_MEMCG)", path);
		else
			warn("%s", path);
	}
	return fd;
}

/*
 * Which map counts need no read of /proc/kpagecount (see kpage.h). With
 * the flags of every page at hand, a page that is exclusive and not part
 * of a larger folio has a count of 1 on every kernel. For PSS alone, the
 * exclusive bit is trusted as it is (exact where the kernel counts each
 * page's mappings; see the man page for the others); the mapcount column
 * without the flags reads them all.
 */
static enum kpage_count_rule
count_rule(unsigned facts, unsigned need)
{
	const char *v = getenv("PAGEMAP_DUMP_READ_COUNTS");

	if (v != NULL && *v != '\0')
		return KPAGE_COUNT_READ;
	if (facts & PAGE_FACT_KFLAGS)
		return KPAGE_COUNT_SMALL;
	return need & PAGE_FACT_COUNT ? KPAGE_COUNT_READ :
	    KPAGE_COUNT_EXCLUSIVE;
}

/*
 * Sets k up on the kpage files of facts, copies of the descriptors in
 * fd. Returns 0, or -1 (reported).
 */
static int
setup_kpage(struct pipeline *p, struct kpage *k, const int fd[KPAGE_FILES],
    unsigned facts)
{
	int copy[KPAGE_FILES], f;

	for (f = 0; f < KPAGE_FILES; f++) {
		copy[f] = (facts & (1u << f)) && fd[f] >= 0 ?
		    fcntl(fd[f], F_DUPFD_CLOEXEC, 0) : -1;
		if ((facts & (1u << f)) && fd[f] >= 0 && copy[f] < 0) {
			warn("%s", kpage_path((enum kpage_file)f));
			while (--f >= 0)
				if (copy[f] >= 0)
					close(copy[f]);
			return -1;
		}
	}
	/* It takes the descriptors, and closes them if it fails. */
	if (kpage_init(k, copy[0], copy[1], copy[2], WALK_ENTRIES) != 0) {
		warn("setting up");
		return -1;
	}
	k->count_rule = count_rule(facts, p->need);
	k->frames = p->c.physical;
	return 0;
}

/*
 * Opens the kpage files the columns and filter need (an error when they
 * cannot be had), and those the sink wants (quietly). Sets have.
 */
static int
open_kpage(struct pipeline *p, int fd[KPAGE_FILES])
{
	const struct sink_ops *sink = p->c.sink;
	unsigned want = p->c.may_see_pfns ? sink->wants : 0;

	/* Frames have no PSS: their map counts only where a column asks. */
	if (p->c.physical && !sink->counts_frames)
		want &= ~(unsigned)PAGE_FACT_COUNT;
	int f;

	if ((p->need & PAGE_FACT_PFN) && !p->c.may_see_pfns) {
		warnx("kflags, kflags-hex, mapcount, cgroup, the folio "
		    "columns, -k, --pfn and --paddr need the PFNs, which the kernel shows only to root "
		    "(CAP_SYS_ADMIN)");
		return -1;
	}
	for (f = 0; f < KPAGE_FILES; f++) {
		unsigned bit = 1u << f;
		if (p->need & bit)
			fd[f] = open_kpage_file(p, (enum kpage_file)f, false);
		else if (want & bit)
			fd[f] = open_kpage_file(p, (enum kpage_file)f, true);
		if ((p->need & bit) && fd[f] < 0)
			return -1;
		if (fd[f] >= 0)
			p->have |= bit;
	}
	p->kflags_fd = fd[KPAGE_FLAGS];
	if (sink->wants_kflags_file && p->c.may_see_pfns &&
	    p->kflags_fd < 0) {
		p->kflags_fd = open_kpage_file(p, KPAGE_FLAGS, true);
		p->own_kflags_fd = p->kflags_fd >= 0;
	}
	return 0;
}

/*
 * Sets up the folio stage where the columns need it: which pages are
 * mapped huge (the regions, so PAGEMAP_SCAN), and with PAGE_FACT_FOLIO
 * the folios' sizes (the flags). Returns 0, or -1 (reported).
 */
static int
open_folio(struct pipeline *p)
{
	if (!(p->need & (PAGE_FACT_HUGE | PAGE_FACT_FOLIO)))
		return 0;
	if ((p->need & PAGE_FACT_HUGE) && !p->c.scan_works) {
		warnx("huge and folio-map need PAGEMAP_SCAN (Linux 6.7), "
		    "which this kernel lacks");
		return -1;
	}
	p->folio_values = malloc(WALK_ENTRIES * sizeof(*p->folio_values));
	if (p->folio_values == NULL) {
		warn("setting up");
		return -1;
	}
	folio_init(&p->folio, p->c.page_size,
	    (p->need & PAGE_FACT_FOLIO) != 0,
	    p->use_base ? p->base.fd[KPAGE_FLAGS] : -1);
	if (p->need & PAGE_FACT_HUGE)
		p->have |= PAGE_FACT_REGION | PAGE_FACT_HUGE;
	p->have |= p->need & PAGE_FACT_FOLIO;
	return 0;
}

/* Sets up the node stage where the columns need it. Returns 0, or -1. */
static int
open_nodes(struct pipeline *p)
{
	if (!(p->need & PAGE_FACT_NODE))
		return 0;
	if (nodes_open(&p->nodes, p->c.page_size, p->c.may_see_pfns,
	    p->c.kpage_dirfd >= 0 || p->c.kpage_fds != NULL ||
	    p->c.physical) != 0) {
		nodes_free(&p->nodes);
		return -1;
	}
	p->have |= PAGE_FACT_NODE;
	p->nodes_in_reader = nodes_from_entries(&p->nodes);
	if (p->nodes_in_reader)
		return 0;
	p->node_values = malloc(WALK_ENTRIES * sizeof(*p->node_values));
	if (p->node_values == NULL) {
		warn("setting up");
		nodes_free(&p->nodes);
		return -1;
	}
	return 0;
}

/* Sets up the stages: the kpage lookups, the regions. Returns 0, or -1. */
static int
open_stages(struct pipeline *p)
{
	int fd[KPAGE_FILES] = { -1, -1, -1 }, f, rc = -1;

	if (open_kpage(p, fd) != 0)
		goto out;
	if ((p->have & PAGE_FACTS_KPAGE) != 0) {
		if (setup_kpage(p, &p->base, fd, p->have) != 0)
			goto out;
		p->use_base = true;
	}
	if ((p->c.sink->wants & PAGE_FACT_REGION) && p->c.scan_works)
		p->have |= PAGE_FACT_REGION;
	p->regions.page_size = p->c.page_size;
	if (open_folio(p) != 0 || open_nodes(p) != 0)
		goto out;
	rc = 0;
out:
	/* The lookups hold copies; the sink's flags are kept apart. */
	for (f = 0; f < KPAGE_FILES; f++)
		if (fd[f] >= 0 && fd[f] != p->kflags_fd)
			close(fd[f]);
	if (p->kflags_fd >= 0 && p->kflags_fd == fd[KPAGE_FLAGS])
		p->own_kflags_fd = true;
	return rc;
}

/*
 * Whether the columns show PFNs (pfn, paddr), which read 0 where the
 * kernel hides them: then, and only then, that is said (check_pfns).
 */
static bool
shows_pfns(const unsigned *cols, size_t n)
{
	int pfn = column_find("pfn", 3), paddr = column_find("paddr", 5);
	size_t i;

	for (i = 0; i < n; i++)
		if ((int)cols[i] == pfn || (int)cols[i] == paddr)
			return true;
	return false;
}

struct pipeline *
pipeline_open(const struct pipeline_config *c)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	struct sink_context sc;

	if (p == NULL) {
		warn("setting up");
		return NULL;
	}
	p->c = *c;
	p->kflags_fd = -1;
	/* Frames themselves (--physical) have their PFNs whatever we are. */
	p->shows_pfns = !c->sink->own_columns && !c->physical &&
	    shows_pfns(c->cols, c->ncols);
	p->need = filter_needs(c->filter) |
	    (c->sink->own_columns ? 0 : column_needs(c->cols, c->ncols)) |
	    column_needs(c->keys, c->nkeys);
	if (open_stages(p) != 0) {
		pipeline_close(p);
		return NULL;
	}
	p->categories = filter_scan_categories(c->filter);
	if (p->categories == 0 && c->sink->takes_empty_runs)
		p->categories = WALK_PAGE_IS_PRESENT | WALK_PAGE_IS_SWAPPED |
		    WALK_PAGE_IS_SOFT_DIRTY;
	sc = (struct sink_context){ c->format, c->kind, c->cols, c->ncols,
	    c->out, c->filter, c->page_size, p->have, p->kflags_fd,
	    c->several_pids, c->keys, c->nkeys, c->totals, c->sort,
	    c->physical, c->look };
	p->sink = c->sink->open(&sc);
	if (p->sink == NULL) {
		warn("setting up");
		pipeline_close(p);
		return NULL;
	}
	return p;
}

int
pipeline_header(struct pipeline *p)
{
	return p->c.sink->header(p->sink);
}

void
pipeline_warn_hidden_pfns(struct pipeline *p, int pid)
{
	if (p->pfn_warned || !p->shows_pfns)
		return;
	p->pfn_warned = true;
	warnx("pid %d: the kernel hides PFNs from callers without "
	    "CAP_SYS_ADMIN: the pfn column reads 0 (run as root to see them)",
	    pid);
}

/*
 * The kpage lookups of a process: the columns' and filter's, or with the
 * per-page facts the sink asks for it, lookups with those too (set up
 * once). Returns NULL for none; sets *failed (reported) when they cannot
 * be set up.
 */
static struct kpage *
process_kpage(struct pipeline *p, unsigned per_page, bool *failed)
{
	struct kpage *base = p->use_base ? &p->base : NULL;
	int fd[KPAGE_FILES] = { -1, -1, -1 };
	unsigned facts = (p->have & PAGE_FACTS_KPAGE) | per_page;

	if ((per_page & ~p->have & PAGE_FACTS_KPAGE) == 0 || base == NULL)
		return base;
	if (!p->use_more || p->more_facts != facts) {
		if (p->use_more)
			kpage_free(&p->more);
		p->use_more = false;
		memcpy(fd, base->fd, sizeof(fd));
		if (per_page & PAGE_FACT_KFLAGS)
			fd[KPAGE_FLAGS] = p->kflags_fd;
		if (setup_kpage(p, &p->more, fd, facts) != 0) {
			*failed = true;
			return NULL;
		}
		p->use_more = true;
		p->more_facts = facts;
	}
	return &p->more;
}

/*
 * Says once when a present page shows no PFN (the kernel hid them). The
 * kernel shows or hides every PFN alike (by who opened pagemap), so the
 * first present page of a batch tells.
 */
static void
check_pfns(struct pipeline *p, int pid, const struct page_batch *b)
{
	uint64_t i;

	for (i = 0; b->entries != NULL && i < b->n; i++)
		if (b->entries[i] & PM_PRESENT) {
			if ((b->entries[i] & PM_PFN_MASK) == 0)
				pipeline_warn_hidden_pfns(p, pid);
			return;
		}
}

/* What one process's walk carries from buffer to buffer. */
struct run {
	struct pipeline *p;
	int pid;
	const struct maps *maps;
	const struct walk_span *spans;
	const struct maps_entry *map;	/* the mapping at hand */
	bool scan_failed;		/* the regions stage failed */
};

static enum dump_status
to_sink(void *ctx, const struct page_batch *b)
{
	struct pipeline *p = ctx;

	return p->c.sink->pages(p->sink, b);
}

/* Hands the selected pages of one buffer's segments to the sink. */
static enum dump_status
consume(struct run *r, const struct walk_result *b)
{
	struct pipeline *p = r->p;
	enum dump_status st = DUMP_OK;
	size_t i;

	for (i = 0; i < b->nsegments && st == DUMP_OK; i++) {
		const struct walk_segment *s = &b->segments[i];
		struct page_batch batch = {
			.map = &r->maps->entries[r->spans[s->span].map],
			.vpn = s->vpn, .n = s->n, .entries = s->entries,
			.regions = (p->have & PAGE_FACT_REGION) ?
			    &p->regions : NULL,
		};
		memcpy(batch.kpage, s->kpage, sizeof(batch.kpage));
		if (p->folio_values != NULL && batch.entries != NULL) {
			folio_fill(&p->folio, &batch, p->folio_values);
			batch.folio = p->folio_values;
		}
		if (p->node_values != NULL && batch.entries != NULL) {
			if (nodes_fill(&p->nodes, &batch, p->node_values) != 0) {
				warn("pid %d: node: move_pages", r->pid);
				return DUMP_FAILED;
			}
			batch.node = p->node_values;
		} else if (p->nodes_in_reader)
			batch.node = s->values;
		if (batch.map != r->map) {
			r->map = batch.map;
			st = p->c.sink->begin_mapping(p->sink, batch.map);
			if (st != DUMP_OK)
				break;
		}
		if (!p->pfn_warned && p->shows_pfns)
			check_pfns(p, r->pid, &batch);
		st = filter_pages(p->c.filter, &batch, to_sink, p);
	}
	return st;
}

/* Says what the walk read, for PAGEMAP_DUMP_STATS. */
static void
print_stats(const struct pipeline *p, int pid, struct walk_stats ws)
{
	fprintf(stderr, "pagemap-dump: pid %d: %" PRIu64 " entries read with "
	    "%" PRIu64 " preads, %" PRIu64 " PAGEMAP_SCAN calls\n", pid,
	    ws.entries, ws.preads, ws.scans);
	if (p->use_base)
		fprintf(stderr, "pagemap-dump: pid %d: %" PRIu64 " kpageflags, "
		    "%" PRIu64 " kpagecount, %" PRIu64 " kpagecgroup reads\n",
		    pid, p->base.preads[KPAGE_FLAGS],
		    p->base.preads[KPAGE_COUNT], p->base.preads[KPAGE_CGROUP]);
	if (p->folio_values != NULL)
		fprintf(stderr, "pagemap-dump: pid %d: folios: %" PRIu64
		    " kpageflags, %" PRIu64 " pagemap reads of their own\n",
		    pid, p->folio.probes, p->folio.entry_reads);
}

/* Walks the spans, buffer by buffer, to the sink. */
static enum dump_status
walk_spans(struct run *r, struct walk *w, int pagemap_fd,
    struct pipeline_end *end)
{
	struct pipeline *p = r->p;
	const struct walk_result *b;
	enum dump_status st = DUMP_OK;

	end->status = WALK_MORE;
	while (end->status == WALK_MORE && st == DUMP_OK) {
		b = walk_next(w);
		if ((p->have & PAGE_FACT_REGION) && regions_scan_buffer(
		    &p->regions, pagemap_fd, r->spans, b) != 0) {
			*end = (struct pipeline_end){ WALK_FAILED, errno,
			    "pagemap" };
			r->scan_failed = true;
			walk_release(w, b);
			return DUMP_OK;
		}
		st = consume(r, b);
		*end = (struct pipeline_end){ b->status, b->error, b->failed };
		walk_release(w, b);
	}
	return st;
}

enum dump_status
pipeline_process(struct pipeline *p, const struct sink_process *proc,
    int pagemap_fd, struct pipeline_end *end)
{
	const int pid = proc->pid;
	const struct maps *maps = proc->maps;
	struct run r = { .p = p, .pid = pid, .maps = maps };
	struct walk_span *spans;
	enum dump_status st;
	unsigned per_page = 0;
	bool failed = false;
	struct walk_stats stats;
	struct walk_stage node_stage = { nodes_stage, &p->nodes };
	struct kpage *k;
	struct walk *w;
	size_t nspans;

	*end = (struct pipeline_end){ WALK_END, 0, NULL };
	spans = filter_spans(p->c.filter, maps, p->c.page_size, &nspans);
	if (spans == NULL && nspans > 0) {
		warnx("pid %d: out of memory", pid);
		return DUMP_FAILED;
	}
	r.spans = spans;
	st = p->c.sink->begin_process(p->sink, proc, &per_page);
	if (st == DUMP_OK && (p->have & PAGE_FACT_NODE) &&
	    nodes_begin_process(&p->nodes, pid) != 0)
		st = DUMP_FAILED;
	k = st == DUMP_OK ? process_kpage(p, per_page, &failed) : NULL;
	w = st == DUMP_OK && !failed ? walk_start(pagemap_fd,
	    p->c.page_size, spans, nspans, p->categories, k,
	    p->nodes_in_reader ? &node_stage : NULL) : NULL;
	if (st == DUMP_OK && !failed && w == NULL)
		warn("pid %d", pid);
	if (w == NULL) {
		free(spans);
		return st != DUMP_OK ? st : DUMP_FAILED;
	}
	regions_reset(&p->regions);
	folio_begin_process(&p->folio, pagemap_fd);
	st = walk_spans(&r, w, pagemap_fd, end);
	stats = walk_stop(w);	/* the reader is done: counts are final */
	if (p->c.stats)
		print_stats(p, pid, stats);
	free(spans);
	/* A failed scan of the regions ends it without the sink's last. */
	if (st == DUMP_OK && !r.scan_failed)
		st = p->c.sink->end_process(p->sink, end->status == WALK_END);
	return st;
}

enum dump_status
pipeline_finish(struct pipeline *p)
{
	return p->c.sink->finish != NULL ? p->c.sink->finish(p->sink) :
	    DUMP_OK;
}

void
pipeline_close(struct pipeline *p)
{
	if (p == NULL)
		return;
	if (p->sink != NULL)
		p->c.sink->close(p->sink);
	if (p->use_base)
		kpage_free(&p->base);
	if (p->use_more)
		kpage_free(&p->more);
	if (p->own_kflags_fd)
		close(p->kflags_fd);
	regions_free(&p->regions);
	free(p->folio_values);
	if (p->have & PAGE_FACT_NODE)
		nodes_free(&p->nodes);
	free(p->node_values);
	free(p);
}
