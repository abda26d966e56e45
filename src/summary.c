/*
 * summary: per-page counting for --summary, the way task_mmu.c counts
 * smaps (smaps_account, smaps_pte_entry, smaps_pmd_entry,
 * smaps_hugetlb_range).
 */
#include "summary.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagemap.h"
#include "regions.h"

#define KPF_ANON	(UINT64_C(1) << 12)
#define KPF_SWAPBACKED	(UINT64_C(1) << 14)
#define KPF_HUGE	(UINT64_C(1) << 17)
#define KPF_KSM_SHIFT	21

/* Reads the mount points of hugetlbfs from /proc/self/mounts. */
static int
read_hugetlbfs(struct summary *s)
{
	char line[4096], dir[4096], type[64];
	char **grown;
	FILE *fp = fopen("/proc/self/mounts", "re");

	if (fp == NULL)
		return 0;	/* then no path is taken for hugetlbfs */
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%*s %4095s %63s", dir, type) != 2 ||
		    strcmp(type, "hugetlbfs") != 0)
			continue;
		grown = realloc(s->hugetlbfs,
		    (s->nhugetlbfs + 1) * sizeof(*grown));
		if (grown == NULL || (grown[s->nhugetlbfs] = strdup(dir)) ==
		    NULL) {
			if (grown != NULL)
				s->hugetlbfs = grown;
			fclose(fp);
			return -1;
		}
		s->hugetlbfs = grown;
		s->nhugetlbfs++;
	}
	fclose(fp);
	return 0;
}

int
summary_init(struct summary *s, uint64_t page_size, int kflags_fd)
{
	memset(s, 0, sizeof(*s));
	s->page_size = page_size;
	s->kflags_fd = kflags_fd;
	s->shmem = s->hugetlb = -1;
	return read_hugetlbfs(s);
}

void
summary_free(struct summary *s)
{
	size_t i;

	for (i = 0; i < s->nhugetlbfs; i++)
		free(s->hugetlbfs[i]);
	free(s->hugetlbfs);
	memset(s, 0, sizeof(*s));
	s->kflags_fd = -1;
}

void
summary_begin_process(struct summary *s)
{
	s->cursor = 0;
}

void
summary_begin_mapping(struct summary *s, const struct maps_entry *map)
{
	s->map = map;
	s->shmem = s->hugetlb = -1;
}

/* Whether the mapping's name starts with prefix. */
static bool
name_starts(const struct maps_entry *m, const char *prefix)
{
	size_t n = strlen(prefix);

	return m->name_len >= n && memcmp(m->name, prefix, n) == 0;
}

/* The kpageflags of pfn, or 0 when they cannot be read. */
static uint64_t
kflags_of(const struct summary *s, uint64_t pfn)
{
	uint64_t v;

	if (s->kflags_fd < 0 || pfn == 0 ||
	    pread(s->kflags_fd, &v, sizeof(v), (off_t)(pfn * 8)) != 8)
		return 0;
	return v;
}

/*
 * Whether the file pages of the mapping (whose page raw is one) are shmem
 * (tmpfs, memfd, shared anonymous and SysV memory): swap-backed pages
 * that are not anonymous, asked of kpageflags; without it, told by the
 * name the kernel gives such mappings.
 */
static bool
mapping_shmem(struct summary *s, uint64_t raw)
{
	const struct maps_entry *m = s->map;
	uint64_t f;

	if (s->shmem >= 0)
		return s->shmem;
	f = kflags_of(s, raw & PM_PFN_MASK);
	if (f != 0)
		s->shmem = (f & KPF_SWAPBACKED) && !(f & KPF_ANON);
	else
		s->shmem = m != NULL && (name_starts(m, "/memfd:") ||
		    name_starts(m, "/dev/shm/") || name_starts(m, "/SYSV") ||
		    name_starts(m, "/dev/zero") ||
		    name_starts(m, "[anon_shmem:"));
	return s->shmem;
}

/*
 * Whether the mapping, whose page raw is mapped huge, is hugetlb: by the
 * page's flags, or without them by its name (MAP_HUGETLB memory, or a
 * file on a hugetlbfs mount).
 */
static bool
mapping_hugetlb(struct summary *s, uint64_t raw)
{
	const struct maps_entry *m = s->map;
	uint64_t f;
	size_t i, n;

	if (s->hugetlb >= 0)
		return s->hugetlb;
	f = kflags_of(s, raw & PM_PFN_MASK);
	if (f != 0) {
		s->hugetlb = (f & KPF_HUGE) != 0;
		return s->hugetlb;
	}
	s->hugetlb = m != NULL && name_starts(m, "/anon_hugepage");
	for (i = 0; m != NULL && i < s->nhugetlbfs && !s->hugetlb; i++) {
		n = strlen(s->hugetlbfs[i]);
		s->hugetlb = name_starts(m, s->hugetlbfs[i]) &&
		    m->name_len > n && m->name[n] == '/';
	}
	return s->hugetlb;
}

/* How the pages of a run count, by the region they lie in. */
enum kind { PLAIN, ZERO, PMD, HUGETLB };

/* Adds the PSS of a mapping's file pages to shmem or file, by its kind. */
static void
add_file_pss(struct summary *s, struct format_summary *sum, uint64_t pss,
    uint64_t raw)
{
	if (pss == 0)
		return;
	if (mapping_shmem(s, raw))
		sum->pss_shmem += pss;
	else
		sum->pss_file += pss;
}

/*
 * A page's share of PSS, in the kernel's fixed point: its size (full)
 * divided by how many times it is mapped (c, at least 1), truncated.
 */
static inline uint64_t
page_pss(uint64_t full, uint64_t c)
{
	return c == 1 ? full : full / c;
}

/*
 * Counts n entries of pages that are neither the zero page nor mapped
 * huge: almost every page, so the bits are summed without branches where
 * they can be, and a file page's PSS is sent to shmem or file once for
 * the run.
 */
static void
count_plain(struct summary *s, struct format_summary *sum,
    const uint64_t *e, const uint64_t *mc, const uint64_t *kf, uint64_t n)
{
	const uint64_t full = s->page_size << FORMAT_PSS_SHIFT;
	uint64_t i, x, p, ex, c, pss, file_pss = 0, file_raw = 0;
	uint64_t pages = 0, present = 0, swapped = 0, file = 0, excl = 0;
	uint64_t soft_dirty = 0, priv = 0, uss = 0, pss_all = 0, anon = 0;
	uint64_t ksm = 0, sw;

	for (i = 0; i < n; i++) {
		x = e[i];
		/* In swap: bit 62 without 63, and not a marker. */
		sw = (x >> 62) == 1 && pagemap_state(x) == PAGEMAP_SWAP;
		p = x >> 63;
		ex = x >> 56 & 1;
		pages++;
		present += p;
		swapped += sw;
		file += x >> 61 & 1;
		excl += ex;
		soft_dirty += x >> 55 & 1;
		/*
		 * Private as smaps counts it: mapped once. The map count
		 * says it where it is read; bit 56 says the same but for a
		 * page of a large folio that was once mapped shared, which
		 * the kernel may still take as maybe shared.
		 */
		priv += p & (mc != NULL ? mc[i] <= 1 : ex);
		if (!p)
			continue;
		if (kf != NULL)
			ksm += kf[i] >> KPF_KSM_SHIFT & 1;
		/*
		 * A count of 0 is a page mapped by no normal means (the zero
		 * page, where PAGEMAP_SCAN could not tell it): no PSS.
		 */
		if (mc == NULL || (c = mc[i]) == 0)
			continue;
		pss = page_pss(full, c);
		uss += c == 1;
		pss_all += pss;
		if (x & PM_FILE_SHARED) {
			file_pss += pss;
			file_raw = x;
		} else
			anon += pss;
	}
	sum->pages += pages;
	sum->present += present;
	sum->swapped += swapped;
	sum->file_shared += file;
	sum->exclusive += excl;
	sum->soft_dirty += soft_dirty;
	sum->rss += present;
	sum->private_ += priv;
	sum->shared += present - priv;
	sum->uss += uss;
	sum->ksm += ksm;
	sum->pss += pss_all;
	sum->pss_anon += anon;
	add_file_pss(s, sum, file_pss, file_raw);
}

/* Counts n entries of one kind other than PLAIN. */
static void
count_run(struct summary *s, struct format_summary *sum, const uint64_t *e,
    const uint64_t *mc, const uint64_t *kf, uint64_t n, enum kind kind)
{
	const uint64_t full = s->page_size << FORMAT_PSS_SHIFT;
	uint64_t i, x, c, pss;
	bool sw;

	for (i = 0; i < n; i++) {
		x = e[i];
		sw = (x >> 62) == 1 && pagemap_state(x) == PAGEMAP_SWAP;
		sum->pages++;
		sum->present += x >> 63;
		sum->swapped += sw;
		sum->file_shared += x >> 61 & 1;
		sum->exclusive += x >> 56 & 1;
		sum->soft_dirty += x >> 55 & 1;
		if (!(x & PM_PRESENT))
			continue;
		if (kind == ZERO) {
			sum->zero++;
			continue;
		}
		if (kind == HUGETLB) {
			/* The bit is smaps' test: not maybe mapped shared. */
			if (x & PM_EXCLUSIVE)
				sum->hugetlb_private++;
			else
				sum->hugetlb_shared++;
			continue;
		}
		/* PMD-mapped: resident, and counted apart too. */
		sum->rss++;
		if (kf != NULL)
			sum->ksm += kf[i] >> KPF_KSM_SHIFT & 1;
		/* Private: mapped once (see count_plain). */
		if (mc != NULL ? mc[i] <= 1 : (x & PM_EXCLUSIVE) != 0)
			sum->private_++;
		else
			sum->shared++;
		if (!(x & PM_FILE_SHARED))
			sum->anon_pmd++;
		else if (mapping_shmem(s, x))
			sum->shmem_pmd++;
		else
			sum->file_pmd++;
		if (mc == NULL || (c = mc[i]) == 0)
			continue;
		pss = page_pss(full, c);
		sum->pss += pss;
		sum->uss += c == 1;
		if (!(x & PM_FILE_SHARED))
			sum->pss_anon += pss;
		else
			add_file_pss(s, sum, pss, x);
	}
}

/* The kind of the pages from vpn on, and the page where it ends. */
static enum kind
kind_at(struct summary *s, const struct regions *rs, uint64_t vpn,
    uint64_t end, const uint64_t *e, uint64_t *stop)
{
	const struct walk_scan_region *r;

	if (rs == NULL) {
		*stop = end;
		return PLAIN;
	}
	while (s->cursor < rs->n && rs->v[s->cursor].end <= vpn)
		s->cursor++;
	/* Pages are counted in ascending order, but -k may look back. */
	while (s->cursor > 0 && rs->v[s->cursor - 1].end > vpn)
		s->cursor--;
	if (s->cursor == rs->n || rs->v[s->cursor].start >= end) {
		*stop = end;
		return PLAIN;
	}
	r = &rs->v[s->cursor];
	if (r->start > vpn) {
		*stop = r->start;
		return PLAIN;
	}
	*stop = r->end < end ? r->end : end;
	if (r->categories & WALK_PAGE_IS_PFNZERO)
		return ZERO;	/* the huge zero page too */
	return e != NULL && mapping_hugetlb(s, *e) ? HUGETLB : PMD;
}

void
summary_count(struct summary *s, struct format_summary *sum,
    const struct page_batch *b, bool pss)
{
	const uint64_t *mapcount = pss ? b->kpage[KPAGE_COUNT] : NULL;
	const uint64_t *kflags = b->kpage[KPAGE_FLAGS];
	uint64_t i = 0, stop, vpn = b->vpn, n = b->n;
	enum kind kind;

	if (b->entries == NULL) {
		sum->pages += n;	/* zero entries: pages, nothing else */
		return;
	}
	while (i < n) {
		const uint64_t *mc = mapcount != NULL ? mapcount + i : NULL;
		const uint64_t *kf = kflags != NULL ? kflags + i : NULL;
		kind = kind_at(s, b->regions, vpn + i, vpn + n, b->entries + i,
		    &stop);
		if (kind == PLAIN)
			count_plain(s, sum, b->entries + i, mc, kf,
			    stop - vpn - i);
		else
			count_run(s, sum, b->entries + i, mc, kf,
			    stop - vpn - i, kind);
		i = stop - vpn;
	}
}

bool
summary_may_have_ksm(int dirfd)
{
	char buf[1024], *p;
	ssize_t n;
	int fd = openat(dirfd, "ksm_stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return access("/sys/kernel/mm/ksm", F_OK) == 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	p = strstr(buf, "ksm_merging_pages ");
	if (p == NULL)
		return true;
	return strtoull(p + strlen("ksm_merging_pages "), NULL, 10) > 0;
}

void
summary_add(struct format_summary *t, const struct format_summary *s)
{
	t->pages += s->pages;
	t->present += s->present;
	t->swapped += s->swapped;
	t->file_shared += s->file_shared;
	t->soft_dirty += s->soft_dirty;
	t->exclusive += s->exclusive;
	t->rss += s->rss;
	t->pss += s->pss;
	t->pss_anon += s->pss_anon;
	t->pss_file += s->pss_file;
	t->pss_shmem += s->pss_shmem;
	t->uss += s->uss;
	t->shared += s->shared;
	t->private_ += s->private_;
	t->zero += s->zero;
	t->ksm += s->ksm;
	t->anon_pmd += s->anon_pmd;
	t->shmem_pmd += s->shmem_pmd;
	t->file_pmd += s->file_pmd;
	t->hugetlb_shared += s->hugetlb_shared;
	t->hugetlb_private += s->hugetlb_private;
}
