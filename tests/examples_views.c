/*
 * examples_views: the checks of test_examples for the examples of the
 * views beyond the rows: the list of columns, the ranges, and the
 * summary split by folio and by node.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "examples.h"
#include "testlib.h"

/*
 * -o help: a line for every column of the rows and of the summary, each
 * starting with its name, under two headings.
 */
void
check_column_help(const struct run *r)
{
	static const char *const some[] = { "  addr ", "  pfn ", "  kflags ",
	    "  state ", "  rss-kib ", "  pss-kib ", "  swap-kib " };
	size_t i;

	require(tl_starts_with(r->out, "Columns of -o"),
	    "-o help does not start with its heading: '%.40s'", r->out);
	require(strstr(r->out, "\nColumns of --summary") != NULL,
	    "-o help has no summary columns");
	for (i = 0; i < sizeof(some) / sizeof(some[0]); i++)
		require(strstr(r->out, some[i]) != NULL,
		    "-o help does not list '%s'", some[i]);
	require(tl_count_lines(r->out) > 40, "-o help has %d lines",
	    tl_count_lines(r->out));
}

/*
 * -R -m [heap] -o pfn,present,name: runs of the first child's heap, one
 * after the other, each present run with a PFN, covering the heap.
 */
void
check_heap_ranges(const struct run *r)
{
	struct tl_lines ls;
	char *f[8];
	uint64_t next = 0, pages = 0;
	int i;

	tl_lines_split(&ls, r->out);
	require(ls.n > 1 && strcmp(ls.v[0], "start end pages pfn present "
	    "library") == 0, "not the header of ranges: '%s'",
	    ls.n > 0 ? ls.v[0] : "");
	for (i = 1; i < ls.n; i++) {
		char *line = strdup(ls.v[i]);
		uint64_t start, end;
		require(tl_split(line, ' ', f, 8) == 6 &&
		    strcmp(f[5], "[heap]") == 0, "not a range of the heap: "
		    "'%s'", ls.v[i]);
		start = strtoull(f[0], NULL, 16);
		end = strtoull(f[1], NULL, 16);
		require((next == 0 || start == next) && end > start &&
		    (end - start) / tl_page() == strtoull(f[2], NULL, 10),
		    "range '%s' does not follow the one before", ls.v[i]);
		require(strcmp(f[4], "1") != 0 || strcmp(f[3], "0") != 0,
		    "a present run without a PFN: '%s'", ls.v[i]);
		pages += strtoull(f[2], NULL, 10);
		next = end;
		free(line);
	}
	require(pages > 0, "no page in the heap's ranges");
	tl_lines_free(&ls);
}


/* The index of the field named name in the n fields f, or -1. */
static int
field_at(char **f, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i], name) == 0)
			return i;
	return -1;
}

/* Whether s is a folio size as the folio column writes it: 4K, 2M, 1G. */
static bool
is_size(const char *s)
{
	size_t n = strlen(s);

	return n >= 2 && strchr("KMG", s[n - 1]) != NULL && s[0] != '0' &&
	    strspn(s, "0123456789") == n - 1;
}

/* Whether a row's folio and folio-map go together. */
static bool
folio_pair(const char *size, const char *how)
{
	if (strcmp(size, "0") == 0)
		return strcmp(how, "none") == 0;
	if (!is_size(size))
		return false;
	if (strcmp(how, "small") == 0)
		return true;	/* a page of its own, whatever its size */
	return strcmp(how, "pmd") == 0 || strcmp(how, "pud") == 0 ||
	    strcmp(how, "aligned") == 0 || strcmp(how, "unaligned") == 0 ||
	    strcmp(how, "partial") == 0;
}

/*
 * -s --by folio,folio-map,file (maybe cut to some fields): the keys
 * after perms, each row's size and class going together, and the first
 * child's THP mapping's PMD-mapped 2M rows holding what smaps calls
 * AnonHugePages.
 */
void
check_folio_summary(const struct run *r)
{
	struct tl_lines ls;
	char *f[40], thp[32];
	int i, n, size_at, how_at, kib_at, start_at;
	long pmd_kib = 0, want = tl_smaps_kb(example_pid(0), example_thp(),
	    "AnonHugePages:");

	tl_lines_split(&ls, r->out);
	require(ls.n > 1 && strstr(ls.v[0], " perms folio folio-map "
	    "by-file/shared pages ") != NULL, "not the header of --by folio, "
	    "folio-map, file: '%s'", ls.n > 0 ? ls.v[0] : "");
	n = tl_split(ls.v[0], ' ', f, 40);
	size_at = field_at(f, n, "folio");
	how_at = field_at(f, n, "folio-map");
	kib_at = field_at(f, n, "rss-kib");
	start_at = field_at(f, n, "start");
	snprintf(thp, sizeof(thp), "%lx", (unsigned long)example_thp());
	for (i = 1; i < ls.n; i++) {
		char *line = strdup(ls.v[i]);
		require(tl_split(line, ' ', f, 40) >= n - 1 && folio_pair(
		    f[size_at], f[how_at]), "a row whose folio and folio-map "
		    "do not go together: '%s'", ls.v[i]);
		if (kib_at >= 0 && start_at >= 0 &&
		    strcmp(f[start_at], thp) == 0 &&
		    strcmp(f[size_at], "2M") == 0 &&
		    strcmp(f[how_at], "pmd") == 0)
			pmd_kib += strtol(f[kib_at], NULL, 10);
		free(line);
	}
	require(kib_at < 0 || pmd_kib == want, "the THP mapping at %s has "
	    "%ld KiB in 2M pmd rows, and smaps says AnonHugePages %ld", thp,
	    pmd_kib, want);
	tl_lines_free(&ls);
}

/* -P -m [heap] -o addr,pfn,node: each present heap page on a node. */
void
check_heap_nodes(const struct run *r)
{
	struct tl_lines ls;
	char *f[4];
	int i;

	tl_lines_split(&ls, r->out);
	require(ls.n > 1 && strcmp(ls.v[0], "addr pfn node") == 0,
	    "not the header 'addr pfn node': '%s'", ls.n > 0 ? ls.v[0] : "");
	for (i = 1; i < ls.n; i++) {
		char *line = strdup(ls.v[i]);
		require(tl_split(line, ' ', f, 4) == 3 && tl_is_hex(f[0]) &&
		    strcmp(f[1], "0") != 0 && tl_is_decimal(f[2]),
		    "not a present page with a frame and a node: '%s'",
		    ls.v[i]);
		free(line);
	}
	tl_lines_free(&ls);
}

/*
 * The N<node>= count of the mapping at start in numa_maps text, or 0
 * when the mapping has none (or is not there).
 */
static long
numa_maps_count(const char *text, const char *start, const char *node)
{
	char want[64], key[32];
	const char *p = text, *q;

	snprintf(want, sizeof(want), "%s ", start);
	snprintf(key, sizeof(key), " N%s=", node);
	while (p != NULL && *p != '\0') {
		if (tl_starts_with(p, want)) {
			q = strstr(p, key);
			if (q != NULL && q < strchr(p, '\n'))
				return strtol(q + strlen(key), NULL, 10);
			return 0;
		}
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	return 0;
}

/*
 * -s --by node: node after perms; each mapping's present pages on a node
 * are what numa_maps counts for it there (N0=...).
 */
void
check_node_summary(const struct run *r)
{
	struct tl_lines ls;
	char path[64], *numa, *f[40];
	int i, n, node_at, present_at, checked = 0;

	snprintf(path, sizeof(path), "/proc/%d/numa_maps",
	    (int)example_pid(0));
	numa = tl_read_file(path);
	require(numa != NULL, "cannot read %s", path);
	tl_lines_split(&ls, r->out);
	require(ls.n > 1 && strstr(ls.v[0], " perms node pages ") != NULL,
	    "not the header of --by node: '%s'", ls.n > 0 ? ls.v[0] : "");
	n = tl_split(ls.v[0], ' ', f, 40);
	node_at = field_at(f, n, "node");
	present_at = field_at(f, n, "present");
	for (i = 1; i < ls.n; i++) {
		char *line = strdup(ls.v[i]);
		require(tl_split(line, ' ', f, 40) >= n - 1, "a short row: '%s'",
		    ls.v[i]);
		if (strcmp(f[0], "total") != 0 && tl_is_decimal(f[node_at])) {
			long want = numa_maps_count(numa, f[0], f[node_at]);
			require(strtol(f[present_at], NULL, 10) == want,
			    "mapping %s has %s present pages on node %s, and "
			    "numa_maps says %ld", f[0], f[present_at],
			    f[node_at], want);
			checked++;
		}
		free(line);
	}
	require(checked > 0, "no mapping with a node");
	free(numa);
	tl_lines_free(&ls);
}

/*
 * -A -s -t --sort pss-kib | head: the totals' header, then a row per
 * process, pid and command name first, PSS largest first, ten at most.
 */
void
check_all_pss(const struct run *r)
{
	struct tl_lines ls;
	char *f[40];
	long last = -1, pss;
	int i, n, at;

	tl_lines_split(&ls, r->out);
	require(ls.n > 1 && ls.n <= 10 && tl_starts_with(ls.v[0],
	    "pid comm pages "), "not the totals' header and rows");
	n = tl_split(ls.v[0], ' ', f, 40);
	at = field_at(f, n, "pss-kib");
	require(at > 0, "no pss-kib column");
	for (i = 1; i < ls.n; i++) {
		char *line = strdup(ls.v[i]);
		require(tl_split(line, ' ', f, 40) == n &&
		    tl_is_decimal(f[0]) && tl_is_decimal(f[at]),
		    "not a process's total row: '%s'", ls.v[i]);
		pss = strtol(f[at], NULL, 10);
		require(last < 0 || pss <= last, "not largest first: '%s'",
		    ls.v[i]);
		last = pss;
		free(line);
	}
	tl_lines_free(&ls);
}

/*
 * -A --paddr PADDR -o pid,addr,pfn,mapcount,name: the first child's
 * written page, in it at its address, and as many rows as the frame's
 * map count, all of that frame.
 */
void
check_frame_owners(const struct run *r)
{
	struct tl_lines ls;
	char *f[6], want[64];
	long n = 0, count = 0;
	int i;
	bool seen = false;

	tl_lines_split(&ls, r->out);
	require(ls.n > 1 && strcmp(ls.v[0], "pid addr pfn mapcount library")
	    == 0, "not the header 'pid addr pfn mapcount library': '%s'",
	    ls.n > 0 ? ls.v[0] : "");
	snprintf(want, sizeof(want), "%d %lx ", (int)example_pid(0),
	    (unsigned long)(example_addr() & ~(uintptr_t)(tl_page() - 1)));
	for (i = 1; i < ls.n; i++) {
		char *line = strdup(ls.v[i]);
		require(tl_split(line, ' ', f, 6) >= 4 && tl_is_hex(f[2]) &&
		    strcmp(f[2], "0") != 0, "not a row of a frame: '%s'",
		    ls.v[i]);
		seen |= tl_starts_with(ls.v[i], want);
		count = strtol(f[3], NULL, 10);
		n++;
		free(line);
	}
	require(seen, "the first child's page (%s) is not there", want);
	require(n == count, "%ld rows for a frame mapped %ld times", n, count);
	tl_lines_free(&ls);
}

/*
 * --physical -s -t --by kflags --sort pages | head: the totals' header
 * with kflags first (frames have no pid), and rows of frames, most
 * first.
 */
void
check_physical_histogram(const struct run *r)
{
	struct tl_lines ls;
	char *f[40];
	long last = -1, n;
	int i, at, k;

	tl_lines_split(&ls, r->out);
	require(ls.n > 1 && tl_starts_with(ls.v[0], "kflags pages "),
	    "not the header of frames by flags: '%s'", ls.n ? ls.v[0] : "");
	k = tl_split(ls.v[0], ' ', f, 40);
	at = field_at(f, k, "pages");
	for (i = 1; i < ls.n; i++) {
		char *line = strdup(ls.v[i]);
		require(tl_split(line, ' ', f, 40) == k, "a short row: '%s'",
		    ls.v[i]);
		n = strtol(f[at], NULL, 10);
		require(n > 0 && (last < 0 || n <= last), "not most first: "
		    "'%s'", ls.v[i]);
		last = n;
		free(line);
	}
	tl_lines_free(&ls);
}
