/*
 * Tests for the column registry: that -o help, --help and the man page
 * list exactly the columns the registry has, with its names and headers,
 * so that a column added to the table and not documented fails here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "column.h"
#include "options.h"
#include "testlib.h"

#define MAN "man/pagemap-dump.1"

static bool tagged(const char *text, const char *word);

/* What fn writes to a stream, as a string. */
static char *
capture(void (*fn)(FILE *))
{
	static char *text;
	static size_t len;
	FILE *fp;

	text = NULL;
	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	fn(fp);
	assert_int_equal(fclose(fp), 0);
	return text;
}

static void
full_usage(FILE *fp)
{
	options_usage(fp, true);
}

/* The line of text that starts with "  name " (after its indent). */
static const char *
help_line(const char *text, const char *name)
{
	char want[64];
	const char *p;

	snprintf(want, sizeof(want), "\n  %s ", name);
	p = strstr(text, want);
	return p != NULL ? p + 1 : NULL;
}

static void
should_describe_every_column_in_o_help(void **state)
{
	char *text = capture(column_help);
	const char *line, *eol;
	size_t i, lines = 0;

	(void)state;
	for (i = 0; i < column_count; i++) {
		line = help_line(text, column_table[i].name);
		assert_non_null(line);
		eol = strchr(line, '\n');
		assert_non_null(eol);
		/* Its help on its own line, and its header where it differs. */
		assert_non_null(strstr(line, column_table[i].help));
		assert_true(strstr(line, column_table[i].help) < eol);
		if (strcmp(column_table[i].name, column_table[i].header) != 0)
			assert_non_null(strstr(line, column_table[i].header));
	}
	line = strstr(text, "--summary");
	assert_non_null(line);
	for (i = 0; i < summary_column_count; i++) {
		assert_non_null(help_line(line, summary_column_table[i].name));
		assert_non_null(strstr(line, summary_column_table[i].help));
	}
	for (line = text; (line = strchr(line, '\n')) != NULL; line++)
		lines++;
	/* Three headings, two blank lines, and a line per column. */
	assert_int_equal(lines, 5 + column_count + summary_column_count);
	free(text);
}

static void
should_list_every_column_name_in_the_help(void **state)
{
	char *text = capture(full_usage), want[64];
	const char *cols = strstr(text, "\nColumns: ");
	size_t i;

	(void)state;
	assert_non_null(cols);
	assert_non_null(strstr(text, "-o help"));
	/* Those -o takes; a run's own (--ranges) are not among them. */
	for (i = 0; i < column_count; i++) {
		snprintf(want, sizeof(want), "%s%s%s", i == 0 ? " " : ",",
		    column_table[i].name,
		    i + 1 == column_count || column_table[i + 1].run ==
		    RUN_OWN ? "\n" : ",");
		if (column_table[i].run == RUN_OWN)
			assert_null(strstr(cols, want));
		else
			assert_non_null(strstr(cols, want));
	}
	free(text);
}

/*
 * The page columns the man page describes: ".It Cm name" in OUTPUT, with
 * "Pq header Cm header" where the header differs. Returns how many it
 * found, each checked against the registry.
 */
static size_t
check_man_page_columns(const char *man)
{
	const char *start = strstr(man, "\n.Sh OUTPUT\n");
	const char *end = start != NULL ? strstr(start, "\n.Ss Summary\n") : NULL;
	const char *p;
	char name[64], header[64];
	size_t found = 0;
	int i;

	assert_non_null(end);
	for (p = start; (p = strstr(p, "\n.It Cm ")) != NULL && p < end; p++) {
		header[0] = '\0';
		assert_true(sscanf(p, "\n.It Cm %63s Pq header Cm %63s", name,
		    header) >= 1);
		i = column_find(name, strlen(name));
		if (i < 0)
			i = column_find_own(name);
		if (i < 0)
			fail_msg("the man page describes column %s, which the "
			    "registry has not", name);
		assert_string_equal(header[0] != '\0' ? header : name,
		    column_table[i].header);
		found++;
	}
	return found;
}

/* How many columns are a run's own (--ranges). */
static size_t
own_columns(void)
{
	size_t i, n = 0;

	for (i = 0; i < column_count; i++)
		n += column_table[i].run == RUN_OWN;
	return n;
}

static void
should_describe_the_run_columns_under_ranges(void **state)
{
	char *man = tl_read_file(MAN), want[64];
	const char *sec;
	size_t i;

	(void)state;
	assert_non_null(man);
	sec = strstr(man, "\n.Ss Ranges\n");
	assert_non_null(sec);
	assert_true(own_columns() > 0);
	for (i = 0; i < column_count; i++) {
		if (column_table[i].run != RUN_OWN)
			continue;
		snprintf(want, sizeof(want), " %s", column_table[i].name);
		if (!tagged(sec, want))
			fail_msg("the man page's Ranges does not describe %s",
			    column_table[i].name);
	}
	free(man);
}

static void
should_describe_the_registry_columns_in_the_man_page(void **state)
{
	char *man = tl_read_file(MAN);

	(void)state;
	assert_non_null(man);
	assert_int_equal(check_man_page_columns(man), column_count -
	    own_columns());
	free(man);
}

/* Whether a ".It Cm" line of text holds word (" name") as a word. */
static bool
tagged(const char *text, const char *word)
{
	const char *p, *eol, *w;
	size_t n = strlen(word);

	for (p = text; (p = strstr(p, "\n.It Cm ")) != NULL; p++) {
		eol = strchr(p + 1, '\n');
		for (w = strstr(p, word); w != NULL && w < eol;
		    w = strstr(w + 1, word))
			if (w[n] == ' ' || w[n] == '\n')
				return true;
	}
	return false;
}

static void
should_show_the_summary_header_of_the_registry_in_the_man_page(void **state)
{
	char *man = tl_read_file(MAN), want[1024], name[64];
	const char *sec, *p;
	size_t i, n = 0;

	(void)state;
	assert_non_null(man);
	sec = strstr(man, "\n.Ss Summary\n");
	assert_non_null(sec);
	/*
	 * The literal header, pid and comm aside (only with several pids,
	 * and with --totals).
	 */
	for (i = 0; i < summary_column_count; i++)
		if (!(summary_column_table[i].needs & (SUMMARY_PID |
		    SUMMARY_TOTALS)))
			n += (size_t)snprintf(want + n, sizeof(want) - n,
			    "%s%s", n > 0 ? " " : "",
			    summary_column_table[i].header);
	p = strstr(sec, ".Bd -literal -offset indent\n");
	assert_non_null(p);
	p += strlen(".Bd -literal -offset indent\n");
	for (i = 0; i < n; i++, p++)
		assert_int_equal(*p == '\n' ? ' ' : *p, want[i]);
	/* Every KiB column has its entry (.It Cm a , b ...) after it. */
	for (i = 0; i < summary_column_count; i++) {
		if (strstr(summary_column_table[i].name, "-kib") == NULL)
			continue;
		snprintf(name, sizeof(name), " %s", summary_column_table[i].name);
		if (!tagged(sec, name))
			fail_msg("the man page does not describe %s",
			    summary_column_table[i].name);
	}
	free(man);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_describe_every_column_in_o_help),
		cmocka_unit_test(should_list_every_column_name_in_the_help),
		cmocka_unit_test(
		    should_describe_the_registry_columns_in_the_man_page),
		cmocka_unit_test(should_describe_the_run_columns_under_ranges),
		cmocka_unit_test(
		    should_show_the_summary_header_of_the_registry_in_the_man_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
