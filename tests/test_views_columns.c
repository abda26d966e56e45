/*
 * End-to-end tests of the views' columns and formats: which columns (-o)
 * in which format (-f, -H), and the view options that are refused.
 *
 * A child started afresh holds a known address space (views.c); the
 * pagemap-dump binary runs on it with stdout and stderr captured. What it
 * prints is read back (CSV and JSON Lines with testlib's strict readers,
 * never grepped) and checked against what the kernel tells us directly:
 * the child's maps and pagemap. What the machine cannot show (no swap,
 * not root) is skipped with the reason printed.
 */
#include "views.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- -o: columns ---- */

static void
should_print_exactly_the_listed_columns_in_order(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct tl_vma m = tl_vma_at(c->pid, l->file);
	struct tl_buf want = { NULL, 0, 0 };
	char range[64];
	int i;

	tl_buf_printf(&want, "inode addr perms offset dev library\n");
	for (i = 0; i < 4; i++)
		tl_buf_printf(&want, "%lu %" PRIx64 " r--p %x %s %s\n", m.inode,
		    (uint64_t)l->file + (uint64_t)(i * page),
		    (unsigned int)(i * page), m.dev, l->name);
	assert_run_prints(tl_buf_str(&want), "-o",
	    "inode,addr,perms,offset,dev,name", "-r", range_arg(range,
	    sizeof(range), l->file, l->file + 4 * page), c->arg);
	tl_buf_free(&want);
}

static void
should_append_a_plus_list_to_the_default_columns(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct tl_vma m = tl_vma_at(c->pid, l->file);
	struct tl_buf want = { NULL, 0, 0 };
	char range[64], tail[64];

	snprintf(tail, sizeof(tail), " r--p %lu", m.inode);
	tl_buf_printf(&want, "addr pfn soft-dirty file/shared swapped present "
	    "library perms inode\n");
	add_default_rows(&want, c->pid, l->file, 4, l->name, tail);
	assert_run_prints(tl_buf_str(&want), "-o", "+perms,inode", "-r",
	    range_arg(range, sizeof(range), l->file, l->file + 4 * page),
	    c->arg);
	tl_buf_free(&want);
}

static void
should_head_the_file_and_name_columns_file_shared_and_library(void **st)
{
	const struct child *c = *st;
	const struct layout *l = &c->layout;
	struct tl_buf want = { NULL, 0, 0 };
	struct tl_run r;
	char range[64];

	range_arg(range, sizeof(range), l->file, l->file + page);
	tl_buf_printf(&want, "file/shared library\n1 %s\n", l->name);
	assert_run_prints(tl_buf_str(&want), "-o", "file,name", "-r", range,
	    c->arg);

	/* Every other column is headed by its own name. */
	run(&r, "-H", "-o", ALL_COLUMNS, "-r", range, c->arg);
	tl_assert_ran_ok(&r);
	assert_int_equal(tl_count_lines(r.out), 1);
	tl_run_free(&r);
	run(&r, "-o", ALL_COLUMNS, "-r", range, c->arg);
	tl_assert_ran_ok(&r);
	assert_int_equal(tl_count_lines(r.out), 2);
	assert_memory_equal(r.out, "pid addr pfn soft-dirty file/shared "
	    "swapped present exclusive uffd-wp guard swap-type swap-offset "
	    "paddr perms offset dev inode library\n", 121);
	tl_run_free(&r);
	tl_buf_free(&want);
}

static void
should_exit_2_listing_every_valid_column_for_an_unknown_one(void **state)
{
	static const char *const lists[] = { "addr,bogus,pfn", "+bogus" };
	struct tl_run r;
	const char *valid;
	size_t i, k;
	(void)state;

	for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		run(&r, "-o", lists[k], "self");
		assert_int_equal(tl_exit_code(&r), 2);
		assert_string_equal(r.out, "");
		assert_non_null(strstr(r.err, "'bogus'"));
		valid = strstr(r.err, "valid:");
		if (valid == NULL)
			fail_msg("no list of valid columns: %s", r.err);
		for (i = 0; i < ALL_NCOLUMNS; i++) {
			/* Each name as a whole item of the list. */
			const char *p = valid;
			size_t n = strlen(all_columns[i]);
			bool found = false;
			while (!found && (p = strstr(p + 1, all_columns[i])) !=
			    NULL)
				found = strchr(" ,", p[-1]) != NULL &&
				    strchr(",)\n", p[n]) != NULL;
			if (!found)
				fail_msg("'%s' not listed: %s", all_columns[i],
				    r.err);
		}
		tl_run_free(&r);
	}
}

/*
 * A column named twice is printed twice, however long the name: 64 name
 * columns of a 14 KiB escaped name make rows of almost 1 MiB.
 */
static void
should_print_a_column_listed_many_times_that_many_times_for_a_long_name(
    void **state)
{
	const struct child *c = *state;
	struct tl_buf list = { NULL, 0, 0 }, name = { NULL, 0, 0 };
	struct tl_buf want = { NULL, 0, 0 }, mid = { NULL, 0, 0 };
	struct tl_run r;
	char match[64];
	int i, k;

	text_escape(&name, c->layout.long_name, strlen(c->layout.long_name));
	/* Every copy but the last has columns after it: blanks as \040. */
	for (k = 0; k < (int)name.len; k++)
		if (tl_buf_str(&name)[k] == ' ')
			tl_buf_add(&mid, "\\040", 4);
		else
			tl_buf_add(&mid, tl_buf_str(&name) + k, 1);
	for (k = 0; k < 64; k++)
		tl_buf_printf(&list, "%sname", k > 0 ? "," : "");
	for (i = 0; i < 4; i++)
		for (k = 0; k < 64; k++)
			tl_buf_printf(&want, "%s%s", k < 63 ? tl_buf_str(&mid) :
			    tl_buf_str(&name), k < 63 ? " " : "\n");
	snprintf(match, sizeof(match), "pmd-views-%d-long", (int)getpid());
	run(&r, "-H", "-o", tl_buf_str(&list), "-m", match, c->arg);
	tl_assert_ran_ok(&r);
	assert_int_equal(strlen(r.out), want.len);
	assert_string_equal(r.out, tl_buf_str(&want));
	tl_run_free(&r);
	tl_buf_free(&list);
	tl_buf_free(&name);
	tl_buf_free(&mid);
	tl_buf_free(&want);
}

/* ---- -f and -H: formats ---- */

/* Reads TSV of all columns: exactly 18 fields, so no raw tab in names. */
static void
read_all_columns_tsv(const char *s, struct tl_table *t)
{
	tl_read_tsv(s, ALL_NCOLUMNS, t);
}

/*
 * Dumps the child's layout in text and in fmt, read back with read,
 * until the two tables agree (5 tries), and checks what every format
 * with a header shares: a row per page, the file and name columns headed
 * file/shared and library, the fields of the text, and the hostile name
 * escaped as in text, no raw ESC anywhere. Leaves the table and run of
 * fmt to the caller.
 */
static void
assert_fields_are_the_text(const struct child *c, const char *fmt,
    void (*read)(const char *, struct tl_table *), struct tl_table *got,
    struct tl_run *rx)
{
	struct tl_table text = { 0, 0, NULL };
	struct tl_run rt;
	const struct tl_rec *h;
	char addr[32], want[320], range[64], why[512];
	int tries;

	layout_range(range, sizeof(range), &c->layout);
	for (tries = 0;; tries++) {
		run_text_and(&rt, rx, fmt, range, c->arg);
		tl_assert_ran_ok(&rt);
		tl_assert_ran_ok(rx);
		tl_read_text(rt.out, ALL_NCOLUMNS, &text);
		read(rx->out, got);
		if (tries == 4 || tl_tables_equal(&text, 0, got, 0, fmt, why,
		    sizeof(why)))
			break;
		RETRY(&text, got, &rt, rx);
	}
	assert_true(got->n > 8 + 4 + 2 + 4 + 4);
	assert_string_equal(got->r[0].f[4], "file/shared");
	assert_string_equal(got->r[0].f[17], "library");
	tl_assert_tables_equal(&text, 0, got, 0, fmt);
	snprintf(addr, sizeof(addr), "%" PRIx64, (uint64_t)c->layout.hostile);
	h = tl_find_rec(got, 1, addr);
	assert_non_null(h);
	hostile_text(c, want, sizeof(want));
	assert_string_equal(h->f[17], want);
	assert_null(strchr(rx->out, '\033'));
	tl_table_free(&text);
	tl_run_free(&rt);
}

static void
should_split_tsv_rows_on_tabs_into_the_text_fields(void **state)
{
	struct tl_table tsv = { 0, 0, NULL };
	struct tl_run rv;

	assert_fields_are_the_text(*state, "tsv", read_all_columns_tsv, &tsv,
	    &rv);
	tl_table_free(&tsv);
	tl_run_free(&rv);
}

static void
should_parse_csv_back_to_the_text_fields(void **state)
{
	struct tl_table csv = { 0, 0, NULL };
	struct tl_run rc;
	size_t i;

	/* The hostile name: escaped as in text, then quoted. */
	assert_fields_are_the_text(*state, "csv", tl_read_csv, &csv, &rc);
	for (i = 0; i < csv.n; i++)
		assert_int_equal(csv.r[i].n, ALL_NCOLUMNS);
	assert_null(strchr(rc.out, '\t'));
	tl_table_free(&csv);
	tl_run_free(&rc);
}

static void
should_write_json_lines_keyed_by_column_name_with_typed_values(void **st)
{
	const struct child *c = *st;
	struct tl_table text = { 0, 0, NULL }, json = { 0, 0, NULL };
	struct tl_jobject *objs;
	struct tl_run rt, rj;
	char range[64], why[512];
	size_t i, n;
	bool saw_anon = false;
	int tries = 0;

	layout_range(range, sizeof(range), &c->layout);
retry:
	run_text_and(&rt, &rj, "json", range, c->arg);
	tl_assert_ran_ok(&rt);
	tl_assert_ran_ok(&rj);
	tl_read_text(rt.out, ALL_NCOLUMNS, &text);
	/* No header: every line is an object. */
	n = tl_read_json_lines(rj.out, &objs);
	assert_true(n > 8 + 4 + 2 + 4 + 4);
	for (i = 0; i < n; i++) {
		const struct tl_jmember *pid = tl_jget(&objs[i], "pid");
		const struct tl_jmember *addr = tl_jget(&objs[i], "addr");
		json_row_as_text(&objs[i], tl_table_new_rec(&json));
		assert_string_equal(pid->s, c->arg);
		if (strtoull(addr->s, NULL, 16) == c->layout.anon + 2 *
		    (uint64_t)page) {
			saw_anon = true;
			assert_true(tl_jget(&objs[i], "present")->b);
			assert_false(tl_jget(&objs[i], "file")->b);
			assert_string_equal(tl_jget(&objs[i], "perms")->s, "rw-p");
			assert_string_equal(tl_jget(&objs[i], "name")->s, "");
		}
	}
	assert_true(saw_anon);
	/* The same values as the text rows (after the header). */
	if (tries++ < 4 && !tl_tables_equal(&text, 1, &json, 0, "json", why,
	    sizeof(why))) {
		tl_jobjects_free(objs, n);
		RETRY(&text, &json, &rt, &rj);
		goto retry;
	}
	tl_assert_tables_equal(&text, 1, &json, 0, "json");
	tl_jobjects_free(objs, n);
	tl_table_free(&text);
	tl_table_free(&json);
	tl_run_free(&rt);
	tl_run_free(&rj);
}

static void
should_decode_a_hostile_json_name_to_its_bytes_with_bad_utf8_in_octal(
    void **state)
{
	const struct child *c = *state;
	struct tl_jobject *objs;
	struct tl_run r;
	char match[64], want[320], addr[32];
	size_t i, n;

	snprintf(match, sizeof(match), "pmd-views-%d-h", (int)getpid());
	/* The raw name, but its byte 0xff as the four characters \377. */
	snprintf(want, sizeof(want),
	    "/tmp/pmd-views-%d-h\t,\"\033\\377-x (deleted)", (int)getpid());
	run(&r, "-f", "json", "-o", "addr,name", "-m", match, c->arg);
	tl_assert_ran_ok(&r);
	n = tl_read_json_lines(r.out, &objs);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		const struct tl_jmember *name = tl_jget(&objs[i], "name");
		assert_int_equal(objs[i].n, 2);
		snprintf(addr, sizeof(addr), "0x%" PRIx64,
		    (uint64_t)c->layout.hostile + i * (uint64_t)page);
		assert_string_equal(tl_jget(&objs[i], "addr")->s, addr);
		assert_non_null(name);
		assert_int_equal(name->len, strlen(want));
		assert_memory_equal(name->s, want, name->len);
		assert_non_null(memchr(name->s, 0x1b, name->len));
		assert_non_null(memchr(name->s, '\t', name->len));
	}
	assert_null(strchr(r.out, '\033'));
	assert_null(strchr(r.out, '\t'));
	tl_jobjects_free(objs, n);
	tl_run_free(&r);
}

static void
should_leave_out_the_header_with_H_or_no_header_in_every_format(void **st)
{
	static const char *const formats[] = { "text", "tsv", "csv" };
	static const char *const headers[] = {
		DEFAULT_HEADER,
		("addr\tpfn\tsoft-dirty\tfile/shared\tswapped\tpresent\t"
		"library\n"),
		"addr,pfn,soft-dirty,file/shared,swapped,present,library\n",
	};
	const struct child *c = *st;
	const struct layout *l = &c->layout;
	struct tl_run with, without, longer;
	char range[64];
	size_t i;

	range_arg(range, sizeof(range), l->anon, l->anon + 8 * page);
	for (i = 0; i < 3; i++) {
		run(&with, "-f", formats[i], "-r", range, c->arg);
		run(&without, "-H", "-f", formats[i], "-r", range, c->arg);
		run(&longer, "--no-header", "--format", formats[i], "-r",
		    range, c->arg);
		tl_assert_ran_ok(&with);
		tl_assert_ran_ok(&without);
		tl_assert_ran_ok(&longer);
		assert_int_equal(tl_count_lines(with.out), 9);
		assert_memory_equal(with.out, headers[i], strlen(headers[i]));
		assert_string_equal(without.out, with.out + strlen(headers[i]));
		assert_string_equal(longer.out, without.out);
		tl_run_free(&with);
		tl_run_free(&without);
		tl_run_free(&longer);
	}
	/* JSON Lines has no header either way. */
	run(&with, "-f", "json", "-r", range, c->arg);
	run(&without, "-f", "json", "-H", "-r", range, c->arg);
	tl_assert_ran_ok(&with);
	tl_assert_ran_ok(&without);
	assert_int_equal(tl_count_lines(with.out), 8);
	assert_int_equal(with.out[0], '{');
	assert_string_equal(without.out, with.out);
	tl_run_free(&with);
	tl_run_free(&without);
}

/* Appends the lines of s, each without its first field and sep. */
static void
add_without_first_field(struct tl_buf *b, const char *s, char sep)
{
	const char *nl, *cut;

	tl_buf_add(b, "", 0);
	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		cut = memchr(s, sep, (size_t)(nl - s));
		if (nl == NULL || cut == NULL)
			fail_msg("a line without '%c': %s", sep, s);
		tl_buf_add(b, cut + 1, (size_t)(nl - cut));
	}
}

/*
 * The default columns have a row writer of their own; the same columns
 * after a pid column go through the general one. Both must agree.
 */
static void
should_write_the_default_columns_as_the_general_writer_does(void **state)
{
	static const char *const formats[] = { "text", "tsv", "csv" };
	static const char seps[] = { ' ', '\t', ',' };
	const struct child *c = *state;
	struct tl_buf want = { NULL, 0, 0 };
	struct tl_run def, gen;
	struct tl_jobject *objs;
	char range[64];
	size_t i, k, n;

	layout_range(range, sizeof(range), &c->layout);
	for (i = 0; i < 3; i++) {
		run(&def, "-f", formats[i], "-r", range, c->arg);
		run(&gen, "-f", formats[i], "-o",
		    "pid,addr,pfn,soft-dirty,file,swapped,present,name", "-r",
		    range, c->arg);
		tl_assert_ran_ok(&def);
		tl_assert_ran_ok(&gen);
		want.len = 0;
		add_without_first_field(&want, gen.out, seps[i]);
		assert_true(tl_count_lines(def.out) > 8 + 4 + 2 + 4 + 4);
		assert_string_equal(def.out, tl_buf_str(&want));
		tl_run_free(&def);
		tl_run_free(&gen);
	}
	/* JSON: the default keys, in order. */
	run(&def, "-f", "json", "-r", range, c->arg);
	tl_assert_ran_ok(&def);
	n = tl_read_json_lines(def.out, &objs);
	assert_true(n > 8 + 4 + 2 + 4 + 4);
	for (i = 0; i < n; i++) {
		static const char *const keys[] = { "addr", "pfn",
		    "soft-dirty", "file", "swapped", "present", "name" };
		assert_int_equal(objs[i].n, 7);
		for (k = 0; k < 7; k++)
			assert_string_equal(objs[i].m[k].key, keys[k]);
	}
	tl_jobjects_free(objs, n);
	tl_run_free(&def);
	tl_buf_free(&want);
}

/* ---- bad arguments ---- */

static void
should_exit_2_with_usage_on_bad_view_arguments(void **state)
{
	/* Option, value, and what the message must quote. */
	static const char *const bad[][3] = {
		{ "-r", "10-10", "'10-10'" }, { "-r", "20-10", "'20-10'" },
		{ "-r", "0x1000-0x1000", "'0x1000-0x1000'" },
		{ "-r", "zz-100", "'zz-100'" }, { "-r", "10", "'10'" },
		{ "-r", "10-", "'10-'" }, { "-r", "-10", "'-10'" },
		{ "-r", "0x-0x10", "'0x-0x10'" }, { "-r", "10-0x", "'10-0x'" },
		{ "-r", "10-20-30", "'10-20-30'" },
		{ "-r", "1g-20", "'1g-20'" },
		{ "-r", " 10-20", "' 10-20'" },
		{ "-r", "10000000000000000-10000000000000001",
		    "'10000000000000000-10000000000000001'" },
		{ "--range", "2000-1000", "'2000-1000'" },
		{ "-a", "xyz", "'xyz'" }, { "-a", "", "''" },
		{ "-a", "0x", "'0x'" }, { "-a", "12-34", "'12-34'" },
		{ "-f", "bogus", "'bogus'" }, { "-f", "", "''" },
		{ "--format", "xml", "'xml'" },
		{ "-o", "", "column ''" }, { "-o", "addr,", "column ''" },
		{ "-o", ",addr", "column ''" },
		{ "-o", "addr,,pfn", "column ''" },
		{ "-o", "+", "column ''" }, { "-o", "+addr,", "column ''" },
		{ "--output", "addr, pfn", "column ' pfn'" },
	};
	struct tl_buf many = { NULL, 0, 0 };
	struct tl_run r;
	size_t i;
	int k;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run(&r, bad[i][0], bad[i][1], "self");
		if (tl_exit_code(&r) != 2)
			fail_msg("%s '%s': exit %d, not 2", bad[i][0],
			    bad[i][1], tl_exit_code(&r));
		assert_string_equal(r.out, "");
		assert_non_null(strstr(r.err, "usage: pagemap-dump"));
		if (strstr(r.err, bad[i][2]) == NULL)
			fail_msg("%s '%s': the message does not say %s: %s",
			    bad[i][0], bad[i][1], bad[i][2], r.err);
		tl_run_free(&r);
	}
	/* --summary has its own columns. */
	run(&r, "-s", "-o", "addr", "self");
	assert_int_equal(tl_exit_code(&r), 2);
	assert_string_equal(r.out, "");
	tl_run_free(&r);
	/* At most 64 columns. */
	for (k = 0; k < 65; k++)
		tl_buf_printf(&many, "%saddr", k > 0 ? "," : "");
	run(&r, "-o", tl_buf_str(&many), "self");
	assert_int_equal(tl_exit_code(&r), 2);
	assert_string_equal(r.out, "");
	tl_run_free(&r);
	tl_buf_free(&many);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(should_print_exactly_the_listed_columns_in_order),
		T(should_append_a_plus_list_to_the_default_columns),
		T(should_head_the_file_and_name_columns_file_shared_and_library),
		cmocka_unit_test(
		    should_exit_2_listing_every_valid_column_for_an_unknown_one),
		T2(should_print_a_column_listed_many_times_that_many_times_for_a_long_name,
		    setup_long_named_child),
		T(should_split_tsv_rows_on_tabs_into_the_text_fields),
		T(should_parse_csv_back_to_the_text_fields),
		T(should_write_json_lines_keyed_by_column_name_with_typed_values),
		T(should_decode_a_hostile_json_name_to_its_bytes_with_bad_utf8_in_octal),
		T(should_leave_out_the_header_with_H_or_no_header_in_every_format),
		T(should_write_the_default_columns_as_the_general_writer_does),
		cmocka_unit_test(
		    should_exit_2_with_usage_on_bad_view_arguments),
	};

	return views_main(argc, argv, "test_views_columns", tests,
	    sizeof(tests) / sizeof(tests[0]));
}
