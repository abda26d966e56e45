/*
 * folio: folio sizes and how they are mapped (see folio.h).
 */
#include "folio.h"

#include <string.h>
#include <unistd.h>

#include "pagemap.h"
#include "regions.h"

#define KPF_COMPOUND_HEAD	(UINT64_C(1) << 15)
#define KPF_COMPOUND_TAIL	(UINT64_C(1) << 16)
#define KPF_COMPOUND		(KPF_COMPOUND_HEAD | KPF_COMPOUND_TAIL)

/*
 * The largest order looked for: 2^20 pages (4 GiB of 4 KiB pages), above
 * every folio a kernel makes today (1 GiB hugetlb pages are order 18).
 */
#define FOLIO_MAX_ORDER 20

/* Entries of a folio read past a batch at once. */
#define FOLIO_READ 512

static const char *const class_names[FOLIO_CLASSES] = {
	"none", "small", "pmd", "pud", "aligned", "unaligned", "partial",
};

const char *
folio_class_name(enum folio_class c)
{
	return c < FOLIO_CLASSES ? class_names[c] : "none";
}

void
folio_init(struct folio_stage *s, uint64_t page_size, bool sizes,
    int kflags_fd)
{
	uint64_t entries = page_size / 8;	/* a page table's */

	memset(s, 0, sizeof(*s));
	s->page_size = page_size;
	s->sizes = sizes;
	s->kflags_fd = kflags_fd;
	s->pagemap_fd = -1;
	while (entries > 1) {
		s->pmd_order++;
		entries >>= 1;
	}
}

void
folio_begin_process(struct folio_stage *s, int pagemap_fd)
{
	s->pagemap_fd = pagemap_fd;
	s->cursor = 0;
	s->have_last = false;
}

/* Whether page vpn lies in a huge region of rs (NULL: not known). */
static bool
huge_at(struct folio_stage *s, const struct regions *rs, uint64_t vpn)
{
	if (rs == NULL)
		return false;
	while (s->cursor < rs->n && rs->v[s->cursor].end <= vpn)
		s->cursor++;
	while (s->cursor > 0 && rs->v[s->cursor - 1].end > vpn)
		s->cursor--;
	return s->cursor < rs->n && rs->v[s->cursor].start <= vpn &&
	    (rs->v[s->cursor].categories & WALK_PAGE_IS_HUGE) != 0;
}

/*
 * The flags of frame pfn: from the batch, where its page i + (pfn - at)
 * maps that frame, or else read (0 when they cannot be).
 */
static uint64_t
flags_of(struct folio_stage *s, const struct page_batch *b, uint64_t i,
    uint64_t at, uint64_t pfn)
{
	uint64_t j = i + (pfn - at), v;	/* wraps below 0: beyond n */

	if (j < b->n && (b->entries[j] & PM_PRESENT) &&
	    (b->entries[j] & PM_PFN_MASK) == pfn)
		return b->kpage[KPAGE_FLAGS][j];
	s->probes++;
	if (pread(s->kflags_fd, &v, sizeof(v), (off_t)(pfn * 8)) !=
	    (ssize_t)sizeof(v))
		return 0;
	return v;
}

/*
 * The head and order of the folio of frame pfn (page i of b, flags f).
 * Returns false when the flags around do not make a folio (it changed
 * while read).
 */
static bool
find_folio(struct folio_stage *s, const struct page_batch *b, uint64_t i,
    uint64_t pfn, uint64_t f, uint64_t *head, unsigned *order)
{
	uint64_t h = pfn, span;
	unsigned j;

	for (j = 1; !(f & KPF_COMPOUND_HEAD); j++) {
		if (j > FOLIO_MAX_ORDER || !(f & KPF_COMPOUND_TAIL))
			return false;
		h = pfn & ~((UINT64_C(1) << j) - 1);
		f = flags_of(s, b, i, pfn, h);
	}
	/* The smallest order that reaches pfn, then up to the end. */
	span = pfn - h + 1;
	for (j = 1; (UINT64_C(1) << j) < span; j++)
		;
	for (; j <= FOLIO_MAX_ORDER; j++)
		if (!(flags_of(s, b, i, pfn, h + (UINT64_C(1) << j)) &
		    KPF_COMPOUND_TAIL)) {
			*head = h;
			*order = j;
			return true;
		}
	return false;
}

/*
 * Whether virtual pages vpn0.. of the mapping map the n frames from
 * head on, entries from the batch where it has them, else read.
 */
static bool
mapped_whole(struct folio_stage *s, const struct page_batch *b,
    uint64_t vpn0, uint64_t head, uint64_t n)
{
	uint64_t buf[FOLIO_READ], t = 0, k, got, x;
	const uint64_t psz = s->page_size;

	if (vpn0 < b->map->start / psz || vpn0 + n > b->map->end / psz)
		return false;
	if (s->pagemap_fd == WALK_PHYSICAL)
		return vpn0 == head;	/* frames map themselves */
	while (t < n) {
		uint64_t v = vpn0 + t;
		if (v >= b->vpn && v < b->vpn + b->n) {
			x = b->entries[v - b->vpn];
			if (!(x & PM_PRESENT) || (x & PM_PFN_MASK) != head + t)
				return false;
			t++;
			continue;
		}
		/* Past the batch: up to where it starts again, or the end. */
		got = n - t < FOLIO_READ ? n - t : FOLIO_READ;
		if (v < b->vpn && b->vpn - v < got)
			got = b->vpn - v;
		s->entry_reads++;
		if (s->pagemap_fd < 0 || pread(s->pagemap_fd, buf, got * 8,
		    (off_t)(v * 8)) != (ssize_t)(got * 8))
			return false;
		for (k = 0; k < got; k++)
			if (!(buf[k] & PM_PRESENT) ||
			    (buf[k] & PM_PFN_MASK) != head + t + k)
				return false;
		t += got;
	}
	return true;
}

/* The class of a PTE-mapped folio of 2^order frames from head. */
static enum folio_class
pte_class(struct folio_stage *s, const struct page_batch *b,
    uint64_t vpn0, uint64_t head, unsigned order)
{
	uint64_t n = UINT64_C(1) << order;

	if (!mapped_whole(s, b, vpn0, head, n))
		return FOLIO_PARTIAL;
	return vpn0 % n == 0 ? FOLIO_ALIGNED : FOLIO_UNALIGNED;
}

/* The value of page i of b, a present page of a compound folio. */
static uint64_t
compound_value(struct folio_stage *s, const struct page_batch *b,
    uint64_t i, bool huge)
{
	uint64_t pfn = b->entries[i] & PM_PFN_MASK, vpn = b->vpn + i;
	uint64_t head;
	unsigned order;
	enum folio_class c;

	if (s->have_last && pfn >= s->last_head &&
	    pfn - s->last_head < (UINT64_C(1) << s->last_order) &&
	    vpn - (pfn - s->last_head) == s->last_vpn0 &&
	    huge == s->last_huge)
		return (s->last_order + 1) | (uint64_t)s->last_class <<
		    FOLIO_CLASS_SHIFT | (huge ? FOLIO_HUGE : 0);
	if (!find_folio(s, b, i, pfn, b->kpage[KPAGE_FLAGS][i], &head,
	    &order)) {
		s->have_last = false;
		return 1 | (uint64_t)(huge ? FOLIO_PMD : FOLIO_SMALL) <<
		    FOLIO_CLASS_SHIFT | (huge ? FOLIO_HUGE : 0);
	}
	if (huge)
		c = order > s->pmd_order ? FOLIO_PUD : FOLIO_PMD;
	else
		c = pte_class(s, b, vpn - (pfn - head), head, order);
	s->have_last = true;
	s->last_huge = huge;
	s->last_head = head;
	s->last_order = order;
	s->last_vpn0 = vpn - (pfn - head);
	s->last_class = c;
	return (order + 1) | (uint64_t)c << FOLIO_CLASS_SHIFT |
	    (huge ? FOLIO_HUGE : 0);
}

void
folio_fill(struct folio_stage *s, const struct page_batch *b, uint64_t *out)
{
	const uint64_t *kf = b->kpage[KPAGE_FLAGS];
	const uint64_t small = 1 | (uint64_t)FOLIO_SMALL << FOLIO_CLASS_SHIFT;
	const uint64_t pmd = (uint64_t)FOLIO_PMD << FOLIO_CLASS_SHIFT;
	uint64_t i;
	bool huge;

	for (i = 0; i < b->n; i++) {
		if (!(b->entries[i] & PM_PRESENT)) {
			out[i] = 0;
			continue;
		}
		huge = huge_at(s, b->regions, b->vpn + i);
		if (!s->sizes || kf == NULL)
			out[i] = huge ? FOLIO_HUGE | pmd : 0;
		else if (!(kf[i] & KPF_COMPOUND))
			out[i] = small | (huge ? FOLIO_HUGE : 0);
		else
			out[i] = compound_value(s, b, i, huge);
	}
}
