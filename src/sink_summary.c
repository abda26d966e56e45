/*
 * sink_summary: --summary, one row per mapping with selected pages and a
 * total per process, counted as smaps counts (summary.c). With --by, a
 * row per mapping for each value of the key columns that its pages have
 * (and a total for each), in ascending order of the values.
 */
#include "sink.h"

#include <err.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "column.h"
#include "options.h"
#include "summary.h"

/* The counts of the pages of one key (--by), and a page of them. */
struct slot {
	uint64_t key[OPTIONS_MAX_KEYS];
	struct pagemap_entry entry;
	struct format_row row;		/* row.entry: set when written */
	struct format_summary sum;
};

struct slots {
	struct slot *v;
	size_t n, cap, last;
};

/* A total row kept for --sort, with what it points to. */
struct kept {
	struct format_summary sum;
	struct slot slot;	/* with --by: its key */
	bool keyed;
	char comm[64];
};

struct summary_sink {
	struct sink_context c;
	char comm[64];		/* --totals: the process's command name */
	struct kept *kept;	/* --sort: the total rows so far */
	size_t nkept, capkept;
	struct summary counts;
	bool pss;		/* map counts come with the pages */
	struct format_summary sum;	/* the mapping's, so far */
	struct format_summary total;	/* the process's */
	struct slots mapping, totals;	/* with --by */
	struct pagemap_entry entry;	/* the page at hand, with --by */
	struct format_row row;
	uint64_t key[OPTIONS_MAX_KEYS];
};

static void *
sink_open(const struct sink_context *c)
{
	struct summary_sink *s = calloc(1, sizeof(*s));
	unsigned have = c->several_pids ? SUMMARY_PID : 0;

	have |= c->totals ? SUMMARY_TOTALS | SUMMARY_PID : SUMMARY_MAPPINGS;
	if (c->physical)	/* frames: no process to name */
		have &= ~(unsigned)(SUMMARY_TOTALS | SUMMARY_PID);

	if (s == NULL)
		return NULL;
	s->c = *c;
	s->pss = (c->have & PAGE_FACT_COUNT) != 0;
	if (!s->pss && !c->physical)
		warnx("pss-kib and uss-kib left out of the summary: they need "
		    "/proc/kpagecount and the PFNs (run as root)");
	have |= s->pss ? SUMMARY_PSS : 0;
	have |= s->pss && c->kflags_fd >= 0 ? SUMMARY_PSS_CLASS : 0;
	have |= c->have & PAGE_FACT_REGION ? SUMMARY_SCAN : 0;
	format_set_summary(c->format, have);
	format_set_summary_keys(c->format, c->keys, c->nkeys);
	s->row.entry = &s->entry;
	s->row.page_size = c->page_size;
	if (summary_init(&s->counts, c->page_size, s->pss ? c->kflags_fd :
	    -1) != 0) {
		summary_free(&s->counts);
		free(s);
		return NULL;
	}
	return s;
}

static int
sink_header(void *p)
{
	struct summary_sink *s = p;

	return format_summary_header(s->c.format, s->c.out);
}

/* The command name of the process, for --totals ("" unknown). */
static void
read_comm(struct summary_sink *s, const struct sink_process *p)
{
	s->comm[0] = '\0';
	if (s->c.totals)
		sink_comm(p, s->comm, sizeof(s->comm));
}

/*
 * A process that may map KSM pages needs the flags of every page (KSM
 * pages are told by them alone): asked for when its ksm_stat says it
 * merged some, or there is none to say.
 */
static enum dump_status
sink_begin_process(void *v, const struct sink_process *p,
    unsigned *per_page)
{
	struct summary_sink *s = v;

	s->total = (struct format_summary){ .pid = p->pid,
	    .page_size = s->c.page_size, .comm = s->comm };
	s->sum = s->total;
	read_comm(s, p);
	summary_begin_process(&s->counts);
	*per_page = 0;
	if (s->pss && s->c.kflags_fd >= 0 &&
	    (p->dirfd < 0 || summary_may_have_ksm(p->dirfd)))
		*per_page = PAGE_FACT_KFLAGS | PAGE_FACT_COUNT;
	return DUMP_OK;
}

/*
 * The slot of key (the page in s->row has it) in ss: found, or added
 * with its counts empty. Returns NULL when out of memory.
 */
static struct slot *
slot_of(struct summary_sink *s, struct slots *ss, const uint64_t *key,
    const struct format_summary *blank)
{
	size_t bytes = s->c.nkeys * sizeof(key[0]), i;
	struct slot *grown;

	if (ss->last < ss->n && memcmp(ss->v[ss->last].key, key, bytes) == 0)
		return &ss->v[ss->last];
	for (i = 0; i < ss->n; i++)
		if (memcmp(ss->v[i].key, key, bytes) == 0)
			return &ss->v[ss->last = i];
	if (ss->n == ss->cap) {
		grown = realloc(ss->v, (ss->cap * 2 + 4) * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		ss->v = grown;
		ss->cap = ss->cap * 2 + 4;
	}
	grown = &ss->v[ss->last = ss->n++];
	memset(grown, 0, sizeof(*grown));
	memcpy(grown->key, key, bytes);
	grown->entry = s->entry;
	grown->row = s->row;
	grown->sum = *blank;
	return grown;
}

static size_t sort_nkeys;	/* for by_key: qsort has no context */

/* Orders slots by their keys, the first key first. */
static int
by_key(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	size_t i;

	for (i = 0; i < sort_nkeys; i++)
		if (x->key[i] != y->key[i])
			return x->key[i] < y->key[i] ? -1 : 1;
	return 0;
}

/*
 * A total row: written, or with --sort kept (a copy, with its key's
 * slot) to be written in order at the end.
 */
static enum dump_status
emit_total(struct summary_sink *s, const struct format_summary *sum,
    const struct slot *slot)
{
	struct kept *k;

	if (s->c.sort < 0)
		return format_summary_row(s->c.format, s->c.out, sum) != 0 ?
		    DUMP_OUTPUT_ERROR : DUMP_OK;
	if (s->nkept == s->capkept) {
		k = realloc(s->kept, (s->capkept * 2 + 64) * sizeof(*k));
		if (k == NULL) {
			warnx("pid %d: out of memory", sum->pid);
			return DUMP_FAILED;
		}
		s->kept = k;
		s->capkept = s->capkept * 2 + 64;
	}
	k = &s->kept[s->nkept++];
	k->sum = *sum;
	k->keyed = slot != NULL;
	if (slot != NULL)
		k->slot = *slot;
	snprintf(k->comm, sizeof(k->comm), "%s", sum->comm != NULL ?
	    sum->comm : "");
	return DUMP_OK;
}

/*
 * Writes the rows of the slots, in order of their keys, for mapping map
 * (NULL: the totals) and, for a mapping's, adds them to the totals.
 */
static enum dump_status
write_slots(struct summary_sink *s, struct slots *ss,
    const struct maps_entry *map)
{
	struct slot *t;
	size_t i;

	sort_nkeys = s->c.nkeys;
	qsort(ss->v, ss->n, sizeof(ss->v[0]), by_key);
	for (i = 0; i < ss->n; i++) {
		struct slot *v = &ss->v[i];
		v->row.entry = &v->entry;
		v->sum.key = &v->row;
		v->sum.map = map;
		if (map != NULL) {
			s->entry = v->entry;
			s->row = v->row;
			t = slot_of(s, &s->totals, v->key, &s->total);
			if (t == NULL) {
				warnx("pid %d: out of memory", s->total.pid);
				return DUMP_FAILED;
			}
			summary_add(&t->sum, &v->sum);
		}
		if (map == NULL) {
			v->sum.comm = s->comm;
			if (emit_total(s, &v->sum, v) != DUMP_OK)
				return DUMP_OUTPUT_ERROR;
		} else if (!s->c.totals && format_summary_row(s->c.format,
		    s->c.out, &v->sum) != 0)
			return DUMP_OUTPUT_ERROR;
	}
	s->row.entry = &s->entry;
	ss->n = 0;
	return DUMP_OK;
}

/* Ends the mapping at hand: its row, and its share of the total. */
static enum dump_status
end_mapping(struct summary_sink *s)
{
	if (s->c.nkeys > 0)
		return s->sum.map == NULL ? DUMP_OK :
		    write_slots(s, &s->mapping, s->sum.map);
	if (s->sum.map == NULL || s->sum.pages == 0)
		return DUMP_OK;
	summary_add(&s->total, &s->sum);
	if (!s->c.totals && format_summary_row(s->c.format, s->c.out,
	    &s->sum) != 0)
		return DUMP_OUTPUT_ERROR;
	return DUMP_OK;
}

static enum dump_status
sink_begin_mapping(void *p, const struct maps_entry *m)
{
	struct summary_sink *s = p;

	if (end_mapping(s) != DUMP_OK)
		return DUMP_OUTPUT_ERROR;
	s->sum = (struct format_summary){ .map = m, .pid = s->total.pid,
	    .page_size = s->c.page_size };
	summary_begin_mapping(&s->counts, m);
	if (format_set_mapping(s->c.format, m) != 0) {
		warn("pid %d", s->total.pid);
		return DUMP_FAILED;
	}
	return DUMP_OK;
}

/* Puts page k of b in s->row, and its key in key. */
static void
load_key(struct summary_sink *s, const struct page_batch *b, uint64_t k,
    uint64_t *key)
{
	struct format_row *r = &s->row;
	size_t i;

	pagemap_decode(b->entries != NULL ? b->entries[k] : 0, &s->entry);
	r->kflags = b->kpage[KPAGE_FLAGS] ? b->kpage[KPAGE_FLAGS][k] : 0;
	r->mapcount = b->kpage[KPAGE_COUNT] ? b->kpage[KPAGE_COUNT][k] : 0;
	r->cgroup = b->kpage[KPAGE_CGROUP] ? b->kpage[KPAGE_CGROUP][k] : 0;
	r->folio = b->folio != NULL ? b->folio[k] : 0;
	r->node = page_batch_node(b, k);
	r->addr = (b->vpn + k) * s->c.page_size;
	r->map = b->map;
	r->pid = s->total.pid;
	for (i = 0; i < s->c.nkeys; i++)
		key[i] = column_table[s->c.keys[i]].value(r);
}

/* Counts the pages from..to-1 of b, whose key is s->key, in its slot. */
static enum dump_status
count_keyed(struct summary_sink *s, const struct page_batch *b,
    uint64_t from, uint64_t to)
{
	struct page_batch run = page_batch_sub(b, from, to);
	struct slot *v;

	load_key(s, b, from, s->key);
	v = slot_of(s, &s->mapping, s->key, &s->sum);
	if (v == NULL) {
		warnx("pid %d: out of memory", s->total.pid);
		return DUMP_FAILED;
	}
	summary_count(&s->counts, &v->sum, &run, s->pss);
	return DUMP_OK;
}

/* Counts a batch run by run of pages with the same key. */
static enum dump_status
pages_keyed(struct summary_sink *s, const struct page_batch *b)
{
	uint64_t key[OPTIONS_MAX_KEYS], from = 0, k;
	size_t bytes = s->c.nkeys * sizeof(key[0]);

	if (b->entries != NULL)
		for (k = 1; k < b->n; k++) {
			load_key(s, b, from, s->key);
			load_key(s, b, k, key);
			if (memcmp(key, s->key, bytes) == 0)
				continue;
			if (count_keyed(s, b, from, k) != DUMP_OK)
				return DUMP_FAILED;
			from = k;
		}
	return count_keyed(s, b, from, b->n);
}

static enum dump_status
sink_pages(void *p, const struct page_batch *b)
{
	struct summary_sink *s = p;

	if (s->c.nkeys > 0)
		return pages_keyed(s, b);
	summary_count(&s->counts, &s->sum, b, s->pss);
	return DUMP_OK;
}

/* The last mapping's row, and with the pages complete, the total. */
static enum dump_status
sink_end_process(void *p, bool complete)
{
	struct summary_sink *s = p;

	if (end_mapping(s) != DUMP_OK)
		return DUMP_OUTPUT_ERROR;
	s->sum.map = NULL;
	if (s->c.nkeys > 0) {
		if (!complete) {
			s->totals.n = 0;
			return DUMP_OK;
		}
		return write_slots(s, &s->totals, NULL);
	}
	return complete ? emit_total(s, &s->total, NULL) : DUMP_OK;
}

static int sort_column;	/* for by_sort: qsort has no context */

/* Orders kept rows by --sort's column, largest first (pid: smallest). */
static int
by_sort(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;
	const struct summary_column *c = &summary_column_table[sort_column];
	uint64_t vx = c->value(&x->sum), vy = c->value(&y->sum);
	bool up = strcmp(c->name, "pid") == 0;

	if (vx != vy)
		return (vx < vy) == up ? -1 : 1;
	return x->sum.pid < y->sum.pid ? -1 : x->sum.pid > y->sum.pid;
}

/* --sort: the total rows kept, in order. */
static enum dump_status
sink_finish(void *p)
{
	struct summary_sink *s = p;
	size_t i;

	if (s->c.sort < 0)
		return DUMP_OK;
	sort_column = s->c.sort;
	qsort(s->kept, s->nkept, sizeof(s->kept[0]), by_sort);
	for (i = 0; i < s->nkept; i++) {
		struct kept *k = &s->kept[i];
		k->sum.comm = k->comm;
		if (k->keyed) {
			k->slot.row.entry = &k->slot.entry;
			k->sum.key = &k->slot.row;
		}
		if (format_summary_row(s->c.format, s->c.out, &k->sum) != 0)
			return DUMP_OUTPUT_ERROR;
	}
	s->nkept = 0;
	return DUMP_OK;
}

static void
sink_close(void *p)
{
	struct summary_sink *s = p;

	summary_free(&s->counts);
	free(s->mapping.v);
	free(s->totals.v);
	free(s->kept);
	free(s);
}

const struct sink_ops sink_summary = {
	.name = "summary",
	.letter = 's',
	.option = "summary",
	.help = "one row per mapping, and a total",
	.own_columns = true,
	.wants = PAGE_FACT_COUNT | PAGE_FACT_REGION,
	.wants_kflags_file = true,
	.takes_empty_runs = true,
	.takes_keys = true,
	.open = sink_open,
	.header = sink_header,
	.begin_process = sink_begin_process,
	.begin_mapping = sink_begin_mapping,
	.pages = sink_pages,
	.end_process = sink_end_process,
	.finish = sink_finish,
	.close = sink_close,
};
