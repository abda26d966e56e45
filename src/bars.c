/*
 * bars: what a cell of --bars shows, and its glyph.
 */
#include "bars.h"

#include <string.h>

#include "pagemap.h"
#include "regions.h"

enum bar_state
bar_state_of(const struct bar_cell *c)
{
	if (c->pages > 0 && c->present == c->pages)
		return c->huge * 2 > c->present ? BAR_HUGE : BAR_PRESENT;
	if (c->present > 0)
		return BAR_PARTLY;
	if (c->swapped > 0)
		return BAR_SWAPPED;
	if (c->guard > 0)
		return BAR_GUARD;
	return BAR_EMPTY;
}

static const char ascii_glyph[BAR_STATES] = {
	[BAR_EMPTY] = '.', [BAR_PRESENT] = '#', [BAR_PARTLY] = 'o',
	[BAR_HUGE] = 'H', [BAR_SWAPPED] = 's', [BAR_GUARD] = 'g',
};

/* UTF-8: a space, full block, dark shade, light shade, multiplication. */
static const char *const block_glyph[BAR_STATES] = {
	[BAR_EMPTY] = " ", [BAR_PRESENT] = "\xe2\x96\x88",
	[BAR_PARTLY] = NULL, [BAR_HUGE] = "\xe2\x96\x93",
	[BAR_SWAPPED] = "\xe2\x96\x91", [BAR_GUARD] = "\xc3\x97",
};

/* SGR colours: green, cyan, magenta, yellow, red; the default for empty. */
static const char *const color_of[BAR_STATES] = {
	[BAR_EMPTY] = "\033[0m", [BAR_PRESENT] = "\033[32m",
	[BAR_PARTLY] = "\033[36m", [BAR_HUGE] = "\033[35m",
	[BAR_SWAPPED] = "\033[33m", [BAR_GUARD] = "\033[31m",
};

/* A partly present cell in blocks: one to seven eighths, as it is full. */
static char *
put_eighths(char *p, const struct bar_cell *c)
{
	uint64_t k = c->present * 8 / c->pages;

	k = k < 1 ? 1 : k > 7 ? 7 : k;
	*p++ = '\xe2';
	*p++ = '\x96';
	*p++ = (char)(0x80 + k);	/* U+2581..U+2587 */
	return p;
}

size_t
bar_draw(char *dst, const struct bar_cell *cells, size_t n, bool unicode,
    bool color)
{
	char *p = dst;
	int last = -1;
	size_t i, len;

	for (i = 0; i < n; i++) {
		enum bar_state st = bar_state_of(&cells[i]);
		if (color && (int)st != last) {
			len = strlen(color_of[st]);
			memcpy(p, color_of[st], len);
			p += len;
			last = (int)st;
		}
		if (!unicode) {
			*p++ = ascii_glyph[st];
		} else if (st == BAR_PARTLY) {
			p = put_eighths(p, &cells[i]);
		} else {
			len = strlen(block_glyph[st]);
			memcpy(p, block_glyph[st], len);
			p += len;
		}
	}
	if (color && last > 0) {
		memcpy(p, "\033[0m", 4);
		p += 4;
	}
	return (size_t)(p - dst);
}

const char *
bar_legend(bool unicode)
{
	if (unicode)
		return "legend: \xe2\x96\x88 present, \xe2\x96\x81-\xe2\x96\x87 "
		    "partly present (by eighths), \xe2\x96\x93 huge, "
		    "\xe2\x96\x91 swapped, \xc3\x97 guard, blank empty; a cell "
		    "is an equal share of the mapping's pages";
	return "legend: # present, o partly present, H huge, s swapped, "
	    "g guard, . empty; a cell is an equal share of the mapping's "
	    "pages";
}

void
bar_span(const struct filter *f, const struct maps_entry *m,
    uint64_t page_size, uint64_t *first, uint64_t *n)
{
	const struct filter_interval *iv = filter_next(f, m->start);
	uint64_t lo = m->start, hi = m->end;

	if (f->nselect > 0 && iv != NULL) {
		lo = iv->start > lo ? iv->start : lo;
		hi = lo;
		for (; iv < f->select + f->nselect && iv->start < m->end; iv++)
			hi = iv->end < m->end ? iv->end : m->end;
	}
	*first = lo / page_size;
	*n = (hi - lo) / page_size;
}

/* Whether page vpn is mapped huge, by the regions. */
static bool
huge_at(const struct regions *rs, uint64_t vpn, size_t *cursor)
{
	size_t c = *cursor;

	if (rs == NULL)
		return false;
	while (c < rs->n && rs->v[c].end <= vpn)
		c++;
	while (c > 0 && rs->v[c - 1].end > vpn)
		c--;
	*cursor = c;
	return c < rs->n && rs->v[c].start <= vpn &&
	    (rs->v[c].categories & WALK_PAGE_IS_HUGE);
}

void
bar_count(struct bar_cell *cells, size_t ncells, uint64_t first,
    uint64_t n, const struct page_batch *b, size_t *cursor)
{
	uint64_t i, k;

	if (b->entries == NULL || b->vpn < first || b->vpn + b->n > first + n)
		return;	/* empty pages: nothing to count */
	k = b->vpn - first;
	for (i = 0; i < b->n; i++) {
		struct bar_cell *c = &cells[bar_cell_of(k + i, n, ncells)];
		uint64_t raw = b->entries[i];
		if (raw & PM_PRESENT) {
			c->present++;
			c->huge += huge_at(b->regions, b->vpn + i, cursor);
		} else if (raw != 0) {
			enum pagemap_state st = pagemap_state(raw);
			c->swapped += st == PAGEMAP_SWAP;
			c->guard += st == PAGEMAP_GUARD;
		}
	}
}

void
bar_size_cells(struct bar_cell *cells, size_t ncells, uint64_t n)
{
	uint64_t c = ncells, at = 0, next;
	size_t i;

	for (i = 0; i < ncells; i++) {
		next = ((uint64_t)(i + 1) * n + c - 1) / c;
		cells[i].pages = next - at;
		at = next;
	}
}
