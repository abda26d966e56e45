/*
 * examples_views: the checks of test_examples for the examples of the
 * views beyond the rows: the list of columns and the ranges.
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

