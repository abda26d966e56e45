/*
 * Tests for options: pid arguments, and what options_parse tells main to
 * do for each kind of command line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "column.h"
#include "format.h"
#include "options.h"
#include "sink.h"

#define LIMIT OPTIONS_PID_LIMIT

static void
should_take_self_as_this_process_through_proc_self(void **state)
{
	(void)state;
	assert_int_equal(options_parse_pid("self", LIMIT), OPTIONS_PID_SELF);
}

static void
should_take_decimal_pids_up_to_pid_max(void **state)
{
	(void)state;
	assert_int_equal(options_parse_pid("1", LIMIT), 1);
	assert_int_equal(options_parse_pid("42", LIMIT), 42);
	assert_int_equal(options_parse_pid("4194304", 4194304), 4194304);
	assert_int_equal(options_parse_pid("32768", 32768), 32768);
}

static void
should_refuse_a_pid_beyond_pid_max(void **state)
{
	(void)state;
	assert_int_equal(options_parse_pid("4194305", 4194304), -1);
	assert_int_equal(options_parse_pid("32769", 32768), -1);
	assert_int_equal(options_parse_pid("2", 1), -1);
}

static void
should_refuse_a_number_too_big_for_any_integer(void **state)
{
	(void)state;
	assert_int_equal(options_parse_pid("99999999999999999999", LIMIT), -1);
	assert_int_equal(options_parse_pid("18446744073709551617", LIMIT), -1);
	assert_int_equal(options_parse_pid("4294967297", LIMIT), -1);
}

static void
should_refuse_text_that_is_not_a_pid(void **state)
{
	static const char *const bad[] = {
		"", "0", "-1", "+5", "12abc", "abc", " 5", "5 ", "0x10", "1e3",
		"Self", "SELF", "self ", "1.0", "--", "-",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (options_parse_pid(bad[i], LIMIT) != -1)
			fail_msg("\"%s\" taken for a pid", bad[i]);
}

static void
should_refuse_a_pid_with_a_leading_zero(void **state)
{
	(void)state;
	/* As the kernel does for /proc/007: no such directory. */
	assert_int_equal(options_parse_pid("007", LIMIT), -1);
	assert_int_equal(options_parse_pid("00", LIMIT), -1);
	assert_int_equal(options_parse_pid("01", LIMIT), -1);
}

/* A command line in writable storage, as main gets it. */
struct argv {
	char buf[8][64];
	char *argv[9];
	int argc;
};

static void
argv_set(struct argv *a, const char *const *args)
{
	a->argc = 0;
	for (; *args != NULL; args++) {
		assert_true(a->argc < 8);
		assert_true(strlen(*args) < sizeof(a->buf[0]));
		strcpy(a->buf[a->argc], *args);
		a->argv[a->argc] = a->buf[a->argc];
		a->argc++;
	}
	a->argv[a->argc] = NULL;
}

/* Parses args (a NULL-terminated list) from a fresh options. */
static enum options_result
parse(struct options *o, char *why, size_t whylen, const char *const *args)
{
	struct argv a;

	argv_set(&a, args);
	options_init(o);
	why[0] = '\0';
	return options_parse(o, a.argc, a.argv, why, whylen);
}

#define PARSE(o, why, ...) \
	parse((o), (why), sizeof(why), \
	    (const char *const[]){ "pagemap-dump", __VA_ARGS__, NULL })

static void
should_ask_for_a_pid_when_none_is_given(void **state)
{
	static const char *const args[] = { "pagemap-dump", NULL };
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(parse(&o, why, sizeof(why), args), OPTIONS_USAGE);
	assert_string_equal(why, "no pid given");
	assert_int_equal(o.npids, 0);
	options_free(&o);
}

static void
should_exit_after_help(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "-h"), OPTIONS_EXIT);
	assert_true(o.help);
	assert_false(o.version);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--help"), OPTIONS_EXIT);
	assert_true(o.help);
	options_free(&o);
	/* Help wins over a pid, even a bad one. */
	assert_int_equal(PARSE(&o, why, "-h", "notapid"), OPTIONS_EXIT);
	assert_true(o.help);
	options_free(&o);
}

static void
should_exit_after_the_version(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "-V"), OPTIONS_EXIT);
	assert_true(o.version);
	assert_false(o.help);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--version"), OPTIONS_EXIT);
	assert_true(o.version);
	options_free(&o);
}

static void
should_refuse_an_unknown_short_option(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "-x", "1"), OPTIONS_USAGE);
	assert_string_equal(why, "unknown option '-x'");
	options_free(&o);
}

static void
should_refuse_an_unknown_long_option(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "--bogus", "1"), OPTIONS_USAGE);
	assert_string_equal(why, "unknown option '--bogus'");
	options_free(&o);
}

static void
should_name_the_option_given_an_argument_it_does_not_take(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "--help=yes", "1"), OPTIONS_USAGE);
	/* Named as written: -h is a known option, so not "unknown '-h'". */
	if (strstr(why, "--help") == NULL)
		fail_msg("reason \"%s\" does not name --help", why);
	options_free(&o);
}

static void
should_parse_again_after_an_unknown_option(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "-x", "1"), OPTIONS_USAGE);
	options_free(&o);
	/* getopt's state was reset: the next parse starts afresh. */
	assert_int_equal(PARSE(&o, why, "7"), OPTIONS_RUN);
	assert_int_equal(o.npids, 1);
	assert_int_equal(o.pids[0], 7);
	options_free(&o);
}

static void
should_run_for_a_valid_pid(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "1234"), OPTIONS_RUN);
	assert_int_equal(o.npids, 1);
	assert_non_null(o.pids);
	assert_int_equal(o.pids[0], 1234);
	assert_false(o.help);
	assert_false(o.version);
	options_free(&o);
	assert_null(o.pids);
	assert_int_equal(o.npids, 0);
}

static void
should_run_for_self_as_proc_self(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "self"), OPTIONS_RUN);
	assert_int_equal(o.npids, 1);
	assert_int_equal(o.pids[0], OPTIONS_PID_SELF);
	options_free(&o);
}

static void
should_take_a_pid_after_a_double_dash(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "--", "1"), OPTIONS_RUN);
	assert_int_equal(o.npids, 1);
	assert_int_equal(o.pids[0], 1);
	options_free(&o);
}

static void
should_say_why_a_bad_pid_is_refused(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "12abc"), OPTIONS_USAGE);
	assert_string_equal(why, "'12abc' is not a pid (a number from 1 to "
	    "4194304 without leading zeros, or 'self')");
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "0"), OPTIONS_USAGE);
	assert_string_equal(why, "'0' is not a pid (a number from 1 to "
	    "4194304 without leading zeros, or 'self')");
	options_free(&o);
}

static void
should_refuse_a_pid_beyond_the_pid_max_of_the_options(void **state)
{
	static const char *const args[] = { "pagemap-dump", "32769", NULL };
	struct options o;
	struct argv a;
	char why[256];

	(void)state;
	argv_set(&a, args);
	options_init(&o);
	o.pid_max = 32768;
	assert_int_equal(options_parse(&o, a.argc, a.argv, why, sizeof(why)),
	    OPTIONS_USAGE);
	assert_string_equal(why, "'32769' is not a pid (a number from 1 to "
	    "32768 without leading zeros, or 'self')");
	options_free(&o);
}

static void
should_take_several_pids_and_put_the_pid_column_first(void **state)
{
	struct options o;
	char why[256];
	size_t i;

	(void)state;
	assert_int_equal(PARSE(&o, why, "1", "self", "300"), OPTIONS_RUN);
	assert_int_equal(o.npids, 3);
	assert_int_equal(o.pids[0], 1);
	assert_int_equal(o.pids[1], OPTIONS_PID_SELF);
	assert_int_equal(o.pids[2], 300);
	assert_int_equal(o.ncols, column_ndefaults + 1);
	assert_int_equal(o.cols[0], column_find("pid", 3));
	for (i = 0; i < column_ndefaults; i++)
		assert_int_equal(o.cols[i + 1], column_defaults[i]);
	options_free(&o);
}

static void
should_keep_the_default_columns_for_one_pid(void **state)
{
	struct options o;
	char why[256];
	size_t i;

	(void)state;
	assert_int_equal(PARSE(&o, why, "1"), OPTIONS_RUN);
	assert_int_equal(o.ncols, column_ndefaults);
	for (i = 0; i < column_ndefaults; i++)
		assert_int_equal(o.cols[i], column_defaults[i]);
	options_free(&o);
}

static void
should_refuse_a_bad_pid_among_good_ones(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "1", "x2", "3"), OPTIONS_USAGE);
	assert_string_equal(why, "'x2' is not a pid (a number from 1 to "
	    "4194304 without leading zeros, or 'self')");
	options_free(&o);
}

static void
should_take_options_after_the_pid(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "1", "-h"), OPTIONS_EXIT);
	assert_true(o.help);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "1", "-H"), OPTIONS_RUN);
	assert_true(o.no_header);
	assert_int_equal(o.npids, 1);
	options_free(&o);
	/* After "--", "-h" is an operand, and not a pid. */
	assert_int_equal(PARSE(&o, why, "--", "1", "-h"), OPTIONS_USAGE);
	assert_false(o.help);
	assert_string_equal(why, "'-h' is not a pid (a number from 1 to "
	    "4194304 without leading zeros, or 'self')");
	options_free(&o);
}

static void
should_say_which_option_needs_a_value(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "1", "-o"), OPTIONS_USAGE);
	assert_string_equal(why, "option '-o' needs a value");
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "1", "--output"), OPTIONS_USAGE);
	assert_string_equal(why, "option '--output' needs a value");
	options_free(&o);
}

static void
should_cut_a_long_bad_argument_in_the_reason(void **state)
{
	struct options o;
	char why[64], arg[60];

	(void)state;
	memset(arg, '9', sizeof(arg) - 1);
	arg[sizeof(arg) - 1] = '\0';
	assert_int_equal(PARSE(&o, why, arg), OPTIONS_USAGE);
	/* Cut to the buffer, and always terminated. */
	assert_int_equal(strlen(why), sizeof(why) - 1);
	assert_memory_equal(why, "'99999", 6);
	options_free(&o);
}

static void
should_take_o_help_as_a_request_to_describe_the_columns(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "-o", "help"), OPTIONS_EXIT);
	assert_true(o.column_help);
	assert_false(o.help);
	options_free(&o);
}

static void
should_choose_the_view_by_its_registered_option(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "1"), OPTIONS_RUN);
	assert_ptr_equal(o.sink, &sink_rows);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "-s", "1"), OPTIONS_RUN);
	assert_ptr_equal(o.sink, &sink_summary);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--summary", "1"), OPTIONS_RUN);
	assert_ptr_equal(o.sink, &sink_summary);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "-R", "-o", "present", "1"),
	    OPTIONS_RUN);
	assert_ptr_equal(o.sink, &sink_ranges);
	options_free(&o);
	/* One view at a time; the same one twice is fine. */
	assert_int_equal(PARSE(&o, why, "-s", "-s", "1"), OPTIONS_RUN);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "-s", "--ranges", "1"), OPTIONS_USAGE);
	assert_string_equal(why, "--summary and --ranges are two views: give "
	    "one");
	options_free(&o);
}

static void
should_take_by_columns_for_the_summary_only(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "-s", "--by", "folio,folio-map,file",
	    "1"), OPTIONS_RUN);
	assert_int_equal(o.nkeys, 3);
	assert_int_equal(o.keys[0], column_find("folio", 5));
	assert_int_equal(o.keys[2], column_find("file", 4));
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--by", "node", "-s", "1"),
	    OPTIONS_RUN);
	assert_int_equal(o.nkeys, 1);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--by", "node", "1"), OPTIONS_USAGE);
	assert_string_equal(why, "--by splits the rows of --summary: give it "
	    "with --summary");
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "-R", "--by", "node", "1"),
	    OPTIONS_USAGE);
	options_free(&o);
}

static void
should_take_the_bars_and_how_they_are_drawn(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "-B", "1"), OPTIONS_RUN);
	assert_ptr_equal(o.sink, &sink_bars);
	assert_false(o.unicode);
	assert_int_equal(o.color, TERM_COLOR_NEVER);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--bars", "--unicode", "--color",
	    "1"), OPTIONS_RUN);
	assert_true(o.unicode);
	assert_int_equal(o.color, TERM_COLOR_AUTO);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--bars", "--color=always", "1"),
	    OPTIONS_RUN);
	assert_int_equal(o.color, TERM_COLOR_ALWAYS);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--bars", "--color=never", "1"),
	    OPTIONS_RUN);
	assert_int_equal(o.color, TERM_COLOR_NEVER);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--bars", "--color=blue", "1"),
	    OPTIONS_USAGE);
	assert_string_equal(why, "--color takes auto, always or never: not "
	    "'blue'");
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--unicode", "1"), OPTIONS_USAGE);
	assert_string_equal(why, "--unicode and --color are for --bars: give "
	    "them with it");
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "-B", "-f", "json", "1"),
	    OPTIONS_USAGE);
	assert_string_equal(why, "--bars draws text: no --format with it");
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "-B", "--physical"), OPTIONS_USAGE);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "-B", "-o", "pfn", "1"),
	    OPTIONS_USAGE);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "-B", "-s", "1"), OPTIONS_USAGE);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--svg", "x.svg", "1"), OPTIONS_RUN);
	assert_ptr_equal(o.sink, &sink_svg);
	assert_string_equal(o.svg, "x.svg");
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--svg", "x.svg", "-B", "1"),
	    OPTIONS_USAGE);
	assert_string_equal(why, "--svg and --bars are two views: give one");
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--svg", "", "1"), OPTIONS_USAGE);
	options_free(&o);
	/* The picture of physical memory, by kind or, with -A, by owner. */
	assert_int_equal(PARSE(&o, why, "--svg", "-", "--physical"),
	    OPTIONS_RUN);
	assert_true(o.physical && !o.all);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--svg", "-", "--physical", "-A",
	    "100-200"), OPTIONS_RUN);
	assert_true(o.physical && o.all);
	assert_int_equal(o.pfn_start, 0x100);
	assert_int_equal(o.pfn_end, 0x200);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--physical", "-A"), OPTIONS_USAGE);
	assert_non_null(strstr(why, "but -A with --svg"));
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "-B", "--physical"), OPTIONS_USAGE);
	assert_non_null(strstr(why, "not --physical"));
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--svg", "-", "--physical", "-f",
	    "json"), OPTIONS_USAGE);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--svg", "-", "--unicode", "1"),
	    OPTIONS_USAGE);
	options_free(&o);
}

static void
should_refuse_by_columns_that_a_page_has_no_value_of_its_own_in(void **state)
{
	static const char *const bad[][2] = {
		{ "addr", "not addr" }, { "pfn", "not pfn" },
		{ "name", "not name" }, { "perms", "not perms" },
		{ "node,paddr", "not paddr" }, { "+node", "without '+'" },
		{ "bogus", "bogus" }, { "", "" },
		{ "node,node,node,node,node,node,node,node,node", "at most 8" },
	};
	struct options o;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(PARSE(&o, why, "-s", "--by", bad[i][0], "1"),
		    OPTIONS_USAGE);
		if (strstr(why, bad[i][1]) == NULL)
			fail_msg("--by '%s': '%s', want '%s'", bad[i][0], why,
			    bad[i][1]);
		options_free(&o);
	}
}

static void
should_take_record_replay_diff_and_watch_with_what_each_needs(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "--record", "f", "-A"), OPTIONS_RUN);
	assert_string_equal(o.record, "f");
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "-i", "f"), OPTIONS_RUN);
	assert_string_equal(o.replay, "f");
	assert_int_equal(o.npids, 0);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--replay", "f", "-s", "-P", "7"),
	    OPTIONS_RUN);
	assert_int_equal(o.npids, 1);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--diff", "a", "b"), OPTIONS_RUN);
	assert_string_equal(o.diff, "a");
	assert_string_equal(o.diff_b, "b");
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--watch", "0.5", "--count", "3",
	    "7"), OPTIONS_RUN);
	assert_true(o.watch == 0.5 && o.count == 3 && o.npids == 1);
	options_free(&o);
}

static void
should_refuse_record_replay_diff_and_watch_without_what_they_need(
    void **state)
{
	static const char *const bad[][6] = {
		{ "--record", "f", "-s", "1", NULL, "takes no view" },
		{ "--record", "f", "-P", "1", NULL, "takes no view" },
		{ "--replay", "f", "--physical", NULL, NULL, "--physical" },
		{ "--record", "f", "-i", "g", "1", "give one of" },
		{ "--replay", "f", "-A", NULL, NULL, "not with --all" },
		{ "--diff", "a", NULL, NULL, NULL, "give one B" },
		{ "--diff", "a", "b", "c", NULL, "give one B" },
		{ "--diff", "a", "-f", "json", "b", "takes no view" },
		{ "--watch", "1", NULL, NULL, NULL, "one pid" },
		{ "--watch", "1", "1", "2", NULL, "one pid" },
		{ "--watch", "0", "1", NULL, NULL, "above 0" },
		{ "--watch", "x", "1", NULL, NULL, "above 0" },
		{ "--count", "2", "1", NULL, NULL, "with --watch" },
		{ "--watch", "1", "--count", "0", "1", "1 or more" },
		{ "--watch", "1", "--count", "1.5", "1", "1 or more" },
		{ "--record", "", "1", NULL, NULL, "a file name" },
	};
	struct options o;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[7] = { "pagemap-dump" };
		int argc = 1, k;
		for (k = 0; k < 5 && bad[i][k] != NULL; k++)
			argv[argc++] = bad[i][k];
		options_init(&o);
		if (options_parse(&o, argc, (char **)argv, why, sizeof(why)) !=
		    OPTIONS_USAGE || strstr(why, bad[i][5]) == NULL)
			fail_msg("case %zu (%s %s): '%s', want '%s'", i,
			    bad[i][0], bad[i][1], why, bad[i][5]);
		options_free(&o);
	}
}

static void
should_take_all_without_pids_and_put_the_pid_column_first(void **state)
{
	struct options o;
	char why[256];

	(void)state;
	assert_int_equal(PARSE(&o, why, "-A"), OPTIONS_RUN);
	assert_true(o.all);
	assert_false(o.verbose);
	assert_int_equal(o.npids, 0);
	assert_int_equal(o.cols[0], column_find("pid", 3));
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "--all", "-s", "--verbose"),
	    OPTIONS_RUN);
	assert_true(o.all && o.verbose);
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "-A", "1"), OPTIONS_USAGE);
	assert_string_equal(why, "--all reads every process: give no pid "
	    "with it");
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "-A", "-a", "0x1000"), OPTIONS_USAGE);
	assert_string_equal(why, "--address names a page of one process: not "
	    "with --all");
	options_free(&o);
	assert_int_equal(PARSE(&o, why, "-A", "--by", "node"), OPTIONS_USAGE);
	options_free(&o);
}

static void
should_have_the_classic_row_as_its_default_columns(void **state)
{
	static const char *const names[] = { "addr", "pfn", "soft-dirty",
	    "file", "swapped", "present", "name" };
	size_t i;

	(void)state;
	assert_int_equal(column_ndefaults, 7);
	for (i = 0; i < column_ndefaults; i++)
		assert_string_equal(column_table[column_defaults[i]].name,
		    names[i]);
}

/*
 * A reason quotes the argument it refuses: with its control bytes
 * escaped, so that it stays one line and writes no escape sequence to
 * the terminal (found by fuzz_options: "-a" with a newline).
 */
static void
should_escape_control_bytes_of_a_quoted_argument(void **state)
{
	static const char *const bad[][3] = {
		{ "-a", "\n1", "bad address '\\0121'" },
		{ "-r", "\033[31m", "bad range '\\033[31m'" },
		{ "-o", "addr,\tx", "unknown column '\\011x'" },
		{ "-f", "js\non", "unknown format 'js\\012on'" },
		{ "-k", "lru,\x7f", "unknown page flag '\\177'" },
		{ "--bo\ngus", "1", "unknown option '--bo\\012gus'" },
		{ "\001", "", "is not a pid" },
		{ "-\001", "1", "unknown option '-\\001'" },
	};
	struct options o;
	char why[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bad[i][1][0] != '\0')
			assert_int_equal(PARSE(&o, why, bad[i][0], bad[i][1]),
			    OPTIONS_USAGE);
		else
			assert_int_equal(PARSE(&o, why, bad[i][0]),
			    OPTIONS_USAGE);
		if (strstr(why, bad[i][2]) == NULL)
			fail_msg("'%s' for %s: want '%s'", why, bad[i][0],
			    bad[i][2]);
		assert_null(strpbrk(why, "\n\t\033\001\177"));
		options_free(&o);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_escape_control_bytes_of_a_quoted_argument),
		cmocka_unit_test(should_take_o_help_as_a_request_to_describe_the_columns),
		cmocka_unit_test(should_choose_the_view_by_its_registered_option),
		cmocka_unit_test(should_take_by_columns_for_the_summary_only),
		cmocka_unit_test(should_take_all_without_pids_and_put_the_pid_column_first),
		cmocka_unit_test(should_refuse_by_columns_that_a_page_has_no_value_of_its_own_in),
		cmocka_unit_test(
		    should_take_record_replay_diff_and_watch_with_what_each_needs),
		cmocka_unit_test(
		    should_refuse_record_replay_diff_and_watch_without_what_they_need),
		cmocka_unit_test(should_have_the_classic_row_as_its_default_columns),
		cmocka_unit_test(should_take_self_as_this_process_through_proc_self),
		cmocka_unit_test(should_take_decimal_pids_up_to_pid_max),
		cmocka_unit_test(should_refuse_a_pid_beyond_pid_max),
		cmocka_unit_test(should_refuse_a_number_too_big_for_any_integer),
		cmocka_unit_test(should_refuse_text_that_is_not_a_pid),
		cmocka_unit_test(should_refuse_a_pid_with_a_leading_zero),
		cmocka_unit_test(should_ask_for_a_pid_when_none_is_given),
		cmocka_unit_test(should_exit_after_help),
		cmocka_unit_test(should_exit_after_the_version),
		cmocka_unit_test(should_refuse_an_unknown_short_option),
		cmocka_unit_test(should_refuse_an_unknown_long_option),
		cmocka_unit_test(should_name_the_option_given_an_argument_it_does_not_take),
		cmocka_unit_test(should_parse_again_after_an_unknown_option),
		cmocka_unit_test(should_run_for_a_valid_pid),
		cmocka_unit_test(should_run_for_self_as_proc_self),
		cmocka_unit_test(should_take_a_pid_after_a_double_dash),
		cmocka_unit_test(should_say_why_a_bad_pid_is_refused),
		cmocka_unit_test(should_refuse_a_pid_beyond_the_pid_max_of_the_options),
		cmocka_unit_test(should_take_several_pids_and_put_the_pid_column_first),
		cmocka_unit_test(should_keep_the_default_columns_for_one_pid),
		cmocka_unit_test(should_refuse_a_bad_pid_among_good_ones),
		cmocka_unit_test(should_take_options_after_the_pid),
		cmocka_unit_test(should_take_the_bars_and_how_they_are_drawn),
		cmocka_unit_test(should_say_which_option_needs_a_value),
		cmocka_unit_test(should_cut_a_long_bad_argument_in_the_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
