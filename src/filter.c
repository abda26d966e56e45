/*
 * filter: ranges, addresses, names and page states that select rows.
 */
#include "filter.h"

#include <stdlib.h>
#include <string.h>

/* Grows *array by one element of size bytes. Returns the new slot. */
static void *
grow(void *array_ptr, size_t *count, size_t size)
{
	void **array = array_ptr;
	char *grown = realloc(*array, (*count + 1) * size);

	if (grown == NULL)
		return NULL;
	*array = grown;
	return grown + (*count)++ * size;
}

int
filter_add_range(struct filter *f, uint64_t start, uint64_t end)
{
	struct filter_interval *r = grow(&f->ranges, &f->nranges, sizeof(*r));

	if (r == NULL)
		return -1;
	r->start = start;
	r->end = end;
	return 0;
}

int
filter_add_address(struct filter *f, uint64_t addr)
{
	uint64_t *a = grow(&f->addrs, &f->naddrs, sizeof(*a));

	if (a == NULL)
		return -1;
	*a = addr;
	return 0;
}

int
filter_add_name(struct filter *f, const char *name)
{
	const char **n = grow(&f->names, &f->nnames, sizeof(*n));

	if (n == NULL)
		return -1;
	*n = name;
	return 0;
}

int
filter_add_pfns(struct filter *f, uint64_t start, uint64_t end)
{
	struct filter_interval *grown = realloc(f->pfns,
	    (f->npfns + 1) * sizeof(*grown));

	if (grown == NULL)
		return -1;
	f->pfns = grown;
	f->pfns[f->npfns++] = (struct filter_interval){ start, end };
	return 0;
}

int
filter_add_paddr(struct filter *f, uint64_t paddr)
{
	uint64_t *grown = realloc(f->paddrs, (f->npaddrs + 1) *
	    sizeof(*grown));

	if (grown == NULL)
		return -1;
	f->paddrs = grown;
	f->paddrs[f->npaddrs++] = paddr;
	return 0;
}


static int
cmp_interval(const void *a, const void *b)
{
	const struct filter_interval *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v and merges what overlaps or touches; returns the new count. */
static size_t
merge(struct filter_interval *v, size_t n)
{
	size_t i, out = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_interval);
	for (i = 1; i < n; i++) {
		if (v[i].start <= v[out].end) {
			if (v[i].end > v[out].end)
				v[out].end = v[i].end;
		} else
			v[++out] = v[i];
	}
	return out + 1;
}

/*
 * Widens [start, end) to whole pages (a page at the top of the address
 * space ends at UINT64_MAX, which no mapping reaches).
 */
static struct filter_interval
whole_pages(uint64_t start, uint64_t end, uint64_t page_size)
{
	struct filter_interval v;

	v.start = start & ~(page_size - 1);
	v.end = end > UINT64_MAX - (page_size - 1) ? UINT64_MAX :
	    (end + page_size - 1) & ~(page_size - 1);
	return v;
}

/* Whether addr lies in one of the ranges (as given). */
static bool
in_ranges(const struct filter *f, uint64_t addr)
{
	size_t i;

	for (i = 0; i < f->nranges; i++)
		if (addr >= f->ranges[i].start && addr < f->ranges[i].end)
			return true;
	return false;
}

/* The frames of --pfn and --paddr, merged into f->frames. */
static int
prepare_frames(struct filter *f, uint64_t page_size)
{
	size_t n = f->npfns + f->npaddrs, i;

	free(f->frames);
	f->frames = NULL;
	f->nframes = 0;
	if (n == 0)
		return 0;
	f->frames = malloc(n * sizeof(*f->frames));
	if (f->frames == NULL)
		return -1;
	if (f->npfns > 0)	/* pfns is NULL without them */
		memcpy(f->frames, f->pfns, f->npfns * sizeof(*f->frames));
	for (i = 0; i < f->npaddrs; i++)
		f->frames[f->npfns + i] = (struct filter_interval){
		    f->paddrs[i] / page_size, f->paddrs[i] / page_size + 1 };
	f->nframes = merge(f->frames, n);
	return 0;
}

/* Whether the present page of entry raw is in a frame of --pfn. */
static bool
frame_selected(const struct filter *f, uint64_t raw)
{
	uint64_t pfn = raw & PM_PFN_MASK;
	size_t lo = 0, hi = f->nframes, mid;

	if (!(raw & PM_PRESENT))
		return false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (f->frames[mid].end <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->nframes && f->frames[lo].start <= pfn;
}

/*
 * The pages of the given addresses, as intervals; with ranges, only of
 * the addresses inside one of them.
 */
static struct filter_interval *
address_pages(const struct filter *f, uint64_t page_size, size_t *n)
{
	struct filter_interval *v = calloc(f->naddrs, sizeof(*v));
	size_t i, k = 0;

	if (v == NULL)
		return NULL;
	for (i = 0; i < f->naddrs; i++)
		if (f->nranges == 0 || in_ranges(f, f->addrs[i]))
			v[k++] = whole_pages(f->addrs[i], f->addrs[i] + 1,
			    page_size);
	*n = merge(v, k);
	return v;
}

int
filter_prepare(struct filter *f, uint64_t page_size)
{
	struct filter_interval *ranges = NULL, *pages = NULL;
	size_t nranges = 0, npages = 0, i;

	free(f->select);
	free(f->sorted_addrs);
	f->select = NULL;
	f->sorted_addrs = NULL;
	f->nselect = 0;
	if (prepare_frames(f, page_size) != 0)
		return -1;
	if (f->naddrs > 0) {
		f->sorted_addrs = malloc(f->naddrs * sizeof(uint64_t));
		pages = address_pages(f, page_size, &npages);
		if (f->sorted_addrs == NULL || pages == NULL)
			goto nomem;
		memcpy(f->sorted_addrs, f->addrs, f->naddrs * sizeof(uint64_t));
		qsort(f->sorted_addrs, f->naddrs, sizeof(uint64_t), cmp_u64);
	}
	if (f->nranges > 0 && f->naddrs == 0) {
		/*
		 * Whole pages, merged after rounding: two ranges inside one
		 * page select it once.
		 */
		ranges = malloc(f->nranges * sizeof(*ranges));
		if (ranges == NULL)
			goto nomem;
		for (i = 0; i < f->nranges; i++)
			ranges[i] = whole_pages(f->ranges[i].start,
			    f->ranges[i].end, page_size);
		nranges = merge(ranges, f->nranges);
	}
	if (f->naddrs == 0 && f->nranges == 0) {
		f->select = malloc(sizeof(*f->select));
		if (f->select == NULL)
			goto nomem;
		f->select[0].start = 0;
		f->select[0].end = UINT64_MAX;
		f->nselect = 1;
	} else if (f->naddrs == 0) {
		f->select = ranges;
		f->nselect = nranges;
		ranges = NULL;
	} else {
		/* The addresses, with ranges those inside them: their pages. */
		f->select = pages;
		f->nselect = npages;
		pages = NULL;
	}
	free(ranges);
	free(pages);
	return 0;
nomem:
	free(ranges);
	free(pages);
	return -1;
}

bool
filter_map(const struct filter *f, const struct maps_entry *map)
{
	size_t i;

	if (f->nnames == 0)
		return true;
	for (i = 0; i < f->nnames; i++)
		if (memmem(map->name, map->name_len, f->names[i],
		    strlen(f->names[i])) != NULL)
			return true;
	return false;
}

/*
 * Whether any page test applies (-P, -S, -k): a new page filter goes
 * here and in filter_page, and nowhere else.
 */
static bool
tests_pages(const struct filter *f)
{
	return f->present || f->swapped || f->kflags || f->nframes > 0;
}

bool
filter_page(const struct filter *f, uint64_t raw, uint64_t kflags)
{
	if (f->nframes > 0 && !frame_selected(f, raw))
		return false;
	if (f->kflags && (!(raw & PM_PRESENT) ||
	    (kflags & f->kflags_want) != f->kflags_want ||
	    (kflags & f->kflags_refuse) != 0))
		return false;
	if (!f->present && !f->swapped)
		return true;
	/* -S: pages in swap, not the markers bit 62 also marks. */
	return (f->present && (raw & PM_PRESENT)) ||
	    (f->swapped && (raw >> 62) == 1 &&
	    pagemap_state(raw) == PAGEMAP_SWAP);
}

unsigned
filter_needs(const struct filter *f)
{
	return (f->kflags ? PAGE_FACT_KFLAGS | PAGE_FACT_PFN : 0) |
	    (f->npfns + f->npaddrs > 0 ? PAGE_FACT_PFN : 0);
}

uint64_t
filter_scan_categories(const struct filter *f)
{
	uint64_t c = 0;

	if (f->kflags || f->npfns + f->npaddrs > 0)
		return WALK_PAGE_IS_PRESENT;	/* flags, frames: present only */
	if (f->present)
		c |= WALK_PAGE_IS_PRESENT;
	if (f->swapped)
		c |= WALK_PAGE_IS_SWAPPED;
	return c;
}

/*
 * Where the run of pages from i on that the filter selects (sel) or
 * leaves out (!sel) ends. -P alone, the common case, is a test of bit 63.
 */
static uint64_t
run_end(const struct filter *f, const uint64_t *e, const uint64_t *kf,
    uint64_t i, uint64_t n, bool sel)
{
	if (f->present && !f->swapped && !f->kflags && f->nframes == 0) {
		while (i < n && (e[i] >> 63) == sel)
			i++;
		return i;
	}
	while (i < n && filter_page(f, e[i], kf != NULL ? kf[i] : 0) == sel)
		i++;
	return i;
}

enum dump_status
filter_pages(const struct filter *f, const struct page_batch *b,
    filter_sink_fn *fn, void *ctx)
{
	const uint64_t *kf = b->kpage[KPAGE_FLAGS];
	struct page_batch run;
	enum dump_status st;
	uint64_t i = 0, start;

	if (!tests_pages(f))
		return fn(ctx, b);	/* every page: the batch whole */
	if (b->entries == NULL)		/* zero entries: none or all */
		return filter_page(f, 0, 0) ? fn(ctx, b) : DUMP_OK;
	while (i < b->n) {
		start = run_end(f, b->entries, kf, i, b->n, false);
		i = run_end(f, b->entries, kf, start, b->n, true);
		if (i == start)
			break;
		run = page_batch_sub(b, start, i);
		st = fn(ctx, &run);
		if (st != DUMP_OK)
			return st;
	}
	return DUMP_OK;
}

struct walk_span *
filter_spans(const struct filter *f, const struct maps *maps,
    uint64_t page_size, size_t *n)
{
	const struct filter_interval *iv;
	struct walk_span *v = NULL, *grown;
	size_t cap = 0, i;
	uint64_t s, e;

	*n = 0;
	for (i = 0; i < maps->count; i++) {
		const struct maps_entry *map = &maps->entries[i];
		if (!filter_map(f, map))
			continue;
		for (iv = filter_next(f, map->start);
		    iv != NULL && iv->start < map->end;
		    iv = iv->end == UINT64_MAX ? NULL :
		    filter_next(f, iv->end)) {
			s = iv->start > map->start ? iv->start : map->start;
			e = iv->end < map->end ? iv->end : map->end;
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				grown = realloc(v, cap * sizeof(*v));
				if (grown == NULL) {
					free(v);
					*n = 1;
					return NULL;
				}
				v = grown;
			}
			v[(*n)++] = (struct walk_span){ s / page_size,
			    e / page_size + (e % page_size != 0), i };
		}
	}
	return v;
}

const struct filter_interval *
filter_next(const struct filter *f, uint64_t addr)
{
	size_t lo = 0, hi = f->nselect;

	/* The first interval whose end is above addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->select[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->nselect ? &f->select[lo] : NULL;
}

uint64_t
filter_page_offset(const struct filter *f, uint64_t page_addr,
    uint64_t page_size)
{
	size_t lo = 0, hi = f->naddrs;

	/* The lowest given address at or above the page's start. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->sorted_addrs[mid] < page_addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < f->naddrs && f->sorted_addrs[lo] - page_addr < page_size)
		return f->sorted_addrs[lo] - page_addr;
	return 0;
}

void
filter_free(struct filter *f)
{
	free(f->ranges);
	free(f->addrs);
	free(f->names);
	free(f->select);
	free(f->sorted_addrs);
	free(f->pfns);
	free(f->paddrs);
	free(f->frames);
	memset(f, 0, sizeof(*f));
}
