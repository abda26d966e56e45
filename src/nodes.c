/*
 * nodes: the NUMA node of each present page (see nodes.h).
 */
#include "nodes.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pagemap.h"
#include "walk.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22	/* Linux 5.14 */
#endif

/*
 * The frame of the page at addr of this process, read from our own
 * pagemap after len bytes from there were faulted in for reading
 * (MADV_POPULATE_READ, and a read, which alone does not map a page under
 * valgrind); 0 when not to be had.
 */
static uint64_t
own_frame(volatile char *addr, size_t len, uint64_t page_size)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	(void)madvise((char *)addr, len, MADV_POPULATE_READ);
	(void)*addr;
	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (off_t)((uintptr_t)addr / page_size *
	    8)) != (ssize_t)sizeof(e) || !(e & PM_PRESENT))
		e = 0;
	close(fd);
	return e & PM_PFN_MASK;
}

/*
 * Finds the frames of the zero pages: a read of untouched anonymous
 * memory maps the zero page, and of a PMD-aligned huge-advised region
 * the huge zero page (where THP may use it).
 */
static void
find_zero_pages(struct nodes *s)
{
	const uint64_t psz = s->page_size, pmd = psz * (psz / 8);
	char *m = mmap(NULL, 2 * pmd, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	char *huge;
	uint64_t pfn;

	if (m == MAP_FAILED)
		return;
	huge = (char *)(((uintptr_t)m + pmd - 1) & ~(uintptr_t)(pmd - 1));
	s->zero_pfn = own_frame(m == huge ? m + pmd : m, psz, psz);
	madvise(huge, pmd, MADV_HUGEPAGE);
	pfn = own_frame(huge, pmd, psz);
	if (pfn != 0 && pfn != s->zero_pfn) {
		s->huge_zero_pfn = pfn;
		s->huge_zero_end = pfn + pmd / psz;
	}
	munmap(m, 2 * pmd);
}

int
nodes_open(struct nodes *s, uint64_t page_size, bool may_see_pfns,
    bool captured)
{
	const char *root = getenv("PAGEMAP_DUMP_SYSFS");

	memset(s, 0, sizeof(*s));
	s->page_size = page_size;
	s->captured = captured;
	if (root == NULL || *root == '\0')
		root = "/sys";
	if (may_see_pfns) {
		s->map = numa_open(root, page_size);
		if (s->map == NULL && errno != ENOENT) {
			warn("node: %s/devices/system/node", root);
			return -1;
		}
	}
	if (s->map != NULL) {
		find_zero_pages(s);
		if ((s->zero_pfn != 0 && numa_exclude(s->map, s->zero_pfn,
		    s->zero_pfn + 1) != 0) || (s->huge_zero_pfn != 0 &&
		    numa_exclude(s->map, s->huge_zero_pfn,
		    s->huge_zero_end) != 0)) {
			warn("setting up");
			return -1;
		}
		return 0;
	}
	if (captured) {
		warnx("node: no memory blocks under %s/devices/system/node "
		    "to find the nodes of captured frames by", root);
		return -1;
	}
	s->addrs = malloc(WALK_ENTRIES * sizeof(*s->addrs));
	s->found = malloc(WALK_ENTRIES * sizeof(*s->found));
	if (s->addrs == NULL || s->found == NULL) {
		warn("setting up");
		return -1;
	}
	return 0;
}

int
nodes_begin_process(struct nodes *s, int pid)
{
	s->pid = pid;
	s->cursor = (struct numa_cursor)NUMA_CURSOR_INIT;
	if (s->map != NULL)
		return 0;
	/* No pages: the kernel checks only that we may ask. */
	if (syscall(SYS_move_pages, pid, 0UL, NULL, NULL, NULL, 0) == 0)
		return 0;
	if (errno == EPERM || errno == EACCES)
		warnx("pid %d: node: move_pages(2) may not ask about this "
		    "process (it needs ptrace read access; as root the "
		    "nodes come from sysfs)", pid);
	else if (errno == ENOSYS)
		warnx("pid %d: node: this kernel has no move_pages(2) (no "
		    "NUMA), and the PFNs are hidden", pid);
	else
		warn("pid %d: node: move_pages", pid);
	return -1;
}

/* Asks move_pages for the nodes of the present pages of b. */
static int
query(struct nodes *s, const struct page_batch *b, uint64_t *out)
{
	uint64_t i;
	size_t n = 0, k = 0;

	for (i = 0; i < b->n; i++)
		if (b->entries[i] & PM_PRESENT)
			s->addrs[n++] = (b->vpn + i) * s->page_size;
	if (n == 0) {
		for (i = 0; i < b->n; i++)
			out[i] = NUMA_NODE_NONE;
		return 0;
	}
	s->queries += (n + NUMA_QUERY_BATCH - 1) / NUMA_QUERY_BATCH;
	if (numa_query(s->pid, s->addrs, n, s->found) != 0)
		return -1;
	for (i = 0; i < b->n; i++)
		out[i] = (b->entries[i] & PM_PRESENT) ? s->found[k++] :
		    NUMA_NODE_NONE;
	return 0;
}

int
nodes_fill(struct nodes *s, const struct page_batch *b, uint64_t *out)
{
	if (s->map == NULL)
		return query(s, b, out);
	/* The zero pages were taken out of the map: they read none. */
	numa_lookup(s->map, &s->cursor, b->entries, (size_t)b->n, out);
	return 0;
}

bool
nodes_from_entries(const struct nodes *s)
{
	return s->map != NULL;
}

void
nodes_stage(void *ctx, const uint64_t *entries, size_t n, uint64_t *out)
{
	struct nodes *s = ctx;

	/* The zero pages were taken out of the map: they read none. */
	numa_lookup(s->map, &s->cursor, entries, n, out);
}

void
nodes_free(struct nodes *s)
{
	numa_free(s->map);
	free(s->addrs);
	free(s->found);
	memset(s, 0, sizeof(*s));
}
