/*
 * fuzz_options: a libFuzzer target for the command line.
 *
 * The input is an argument list, the arguments separated by NUL bytes.
 * options_parse must never crash, and what it returns must hold up: a
 * usage error has a one-line reason, a run has pids and columns the
 * registry knows, and the same arguments parsed again give the same
 * answer (the parser resets getopt itself). A violation calls abort(),
 * which libFuzzer reports as a crash with the input saved.
 *
 * Build: see the fuzz block of the Makefile (make fuzz).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "column.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 32

/* Reports a broken invariant and aborts, so libFuzzer keeps the input. */
#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz_options: %s:%d: check failed: " \
			    "%s\n", __FILE__, __LINE__, #cond);            \
			abort();                                           \
		}                                                          \
	} while (0)

/* Parses argv; checks the result; returns it. */
static enum options_result
parse(int argc, char **argv, struct options *o)
{
	char why[1024];
	enum options_result r;
	size_t i;

	options_init(o);
	o->pid_max = 99999;
	why[0] = '\0';
	r = options_parse(o, argc, argv, why, sizeof(why));
	CHECK(r == OPTIONS_RUN || r == OPTIONS_EXIT || r == OPTIONS_USAGE ||
	    r == OPTIONS_NOMEM);
	if (r == OPTIONS_USAGE)
		CHECK(why[0] != '\0' && strchr(why, '\n') == NULL);
	if (r != OPTIONS_RUN)
		return r;
	/*
	 * Pids, but for --all and --physical, which take none, --replay,
	 * which may take none, --diff, which takes its B instead, and
	 * --watch, which takes one.
	 */
	if (o->all || o->physical || o->diff != NULL)
		CHECK(o->npids == 0);
	else if (o->watch > 0)
		CHECK(o->npids == 1);
	else
		CHECK(o->npids < (size_t)argc &&
		    (o->npids >= 1 || o->replay != NULL));
	CHECK((o->diff != NULL) == (o->diff_b != NULL));
	CHECK((o->record != NULL) + (o->replay != NULL) +
	    (o->diff != NULL) + (o->watch > 0) <= 1);
	CHECK(o->count == 0 || o->watch > 0);
	CHECK(o->ncols >= 1 && o->ncols <= FORMAT_MAX_COLUMNS);
	for (i = 0; i < o->ncols; i++)
		CHECK(o->cols[i] < column_count);
	for (i = 0; i < o->npids; i++)
		CHECK(o->pids[i] >= 0 && o->pids[i] <= 99999);
	CHECK(o->sink != NULL);
	CHECK(!(o->sink->own_columns && o->own_columns));
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[MAX_ARGS + 2], *p;
	struct options a, b;
	int argc = 1;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = (char *)"pagemap-dump";
	for (p = copy; p <= copy + size && argc <= MAX_ARGS;
	    p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	/* getopt_long may permute argv: parse a copy of it each time. */
	char *again[MAX_ARGS + 2];
	memcpy(again, argv, sizeof(argv));
	enum options_result r1 = parse(argc, argv, &a);
	enum options_result r2 = parse(argc, again, &b);
	CHECK(r1 == r2);
	if (r1 == OPTIONS_RUN) {
		CHECK(a.npids == b.npids && a.ncols == b.ncols);
		CHECK(a.npids == 0 || memcmp(a.pids, b.pids,
		    a.npids * sizeof(a.pids[0])) == 0);
		CHECK(memcmp(a.cols, b.cols, a.ncols * sizeof(a.cols[0])) == 0);
		CHECK(a.sink == b.sink && a.kind == b.kind);
	}
	options_free(&a);
	options_free(&b);
	free(copy);
	return 0;
}
