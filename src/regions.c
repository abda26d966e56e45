/*
 * regions: where the zero page and huge mappings are (see regions.h).
 */
#include "regions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
regions_reset(struct regions *r)
{
	r->n = 0;
}

/* Makes room for one more call's worth of regions. */
static int
reserve(struct regions *r)
{
	struct walk_scan_region *grown;

	if (r->cap - r->n >= WALK_REGIONS)
		return 0;
	grown = realloc(r->v, (r->cap + WALK_REGIONS) * sizeof(*grown));
	if (grown == NULL) {
		errno = ENOMEM;
		return -1;
	}
	r->v = grown;
	r->cap += WALK_REGIONS;
	return 0;
}

int
regions_scan(struct regions *r, int fd, uint64_t start, uint64_t end)
{
	const uint64_t want = WALK_PAGE_IS_PFNZERO | WALK_PAGE_IS_HUGE;
	uint64_t at, reached, last;
	size_t base;
	int n, k;

	for (at = start; at < end; at = reached) {
		if (reserve(r) != 0)
			return -1;
		n = walk_scan(fd, r->page_size, at, end, want, want,
		    r->v + r->n, WALK_REGIONS, &reached);
		/* EFAULT: above the task's address space ([vsyscall]). */
		if (n < 0 && errno == EFAULT)
			return 0;
		if (n < 0)
			return -1;
		/* Never a page twice (walk_end may lag, see walk.h). */
		base = r->n;
		last = base > 0 ? r->v[base - 1].end : 0;
		for (k = 0; k < n; k++) {
			struct walk_scan_region x = r->v[base + (size_t)k];
			if (x.start < last)
				x.start = last;
			if (x.end > x.start)
				r->v[r->n++] = x;
			last = x.end > last ? x.end : last;
		}
		if (reached <= at)
			break;	/* no progress: nothing more here */
	}
	return 0;
}

/* Whether segment b continues segment a with no page between them. */
static bool
adjacent(const struct walk_span *spans, const struct walk_segment *a,
    const struct walk_segment *b)
{
	if (b->entries == NULL)
		return false;
	if (b->span == a->span)
		return true;
	return spans[b->span].map == spans[a->span].map + 1 &&
	    b->vpn == spans[b->span].vpn &&
	    a->vpn + a->n == spans[a->span].end;
}

int
regions_scan_buffer(struct regions *r, int fd, const struct walk_span *spans,
    const struct walk_result *b)
{
	const struct walk_segment *s = b->segments;
	size_t i = 0, j;

	while (i < b->nsegments) {
		if (s[i].entries == NULL) {
			i++;	/* a run of empty entries: nothing there */
			continue;
		}
		for (j = i + 1; j < b->nsegments && adjacent(spans, &s[j - 1],
		    &s[j]); j++)
			;
		if (regions_scan(r, fd, s[i].vpn, s[j - 1].vpn + s[j - 1].n) != 0)
			return -1;
		i = j;
	}
	return 0;
}

void
regions_free(struct regions *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}
