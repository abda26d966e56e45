/*
 * End-to-end tests of the physical-page columns in every format, on the
 * child of physical.h: kflags, kflags-hex, mapcount, cgroup and present
 * in text, TSV, CSV (kflags quoted) and JSON (kflags a string, counts
 * numbers), each row checked against itself; and the cgroup column
 * against the inode of the child's memory cgroup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "physical.h"

/* ---- formats ------------------------------------------------------------ */

#define FORMAT_COLUMNS "addr,kflags,kflags-hex,mapcount,cgroup,present"

/* Checks one row's fields (as text) against each other. */
static void
check_fields(const char *addr, const char *kflags, uint64_t hex,
    uint64_t mapcount, uint64_t cgroup, bool present, uintptr_t want_addr,
    const char *none)
{
	char names[1024];

	assert_int_equal(number(addr, 16), want_addr);
	if (!present) {
		assert_string_equal(kflags, none);
		assert_int_equal(hex, 0);
		assert_int_equal(mapcount, 0);
		assert_int_equal(cgroup, 0);
		return;
	}
	if (hex == 0)
		fail_msg("a present page at %s without flags", addr);
	tl_flag_names_of(hex, names, sizeof(names));
	if (strcmp(kflags, names) != 0)
		fail_msg("page %s: kflags '%s', but kflags-hex 0x%" PRIx64
		    " is '%s'", addr, kflags, hex, names);
	assert_true(mapcount >= 1);
}

/* Runs the region in a format with FORMAT_COLUMNS; returns the output. */
static void
dump_format(struct tl_run *run, const char *format)
{
	char r[64];
	const char *const opts[] = { "-f", format, "-o", FORMAT_COLUMNS,
	    "-r", r, NULL };

	range(r, sizeof(r), child.l.base, child.l.end);
	dump_ok(run, opts);
}


static void
should_write_the_physical_columns_in_text_and_tsv(void **state)
{
	const char *const formats[] = { "text", "tsv" };
	struct tl_run run;
	char *text, *line, *f[8] = { NULL };
	size_t i, n;
	(void)state;

	for (i = 0; i < 2; i++) {
		char sep = i == 0 ? ' ' : '\t';
		dump_format(&run, formats[i]);
		text = run.out;
		line = next_line(&text);
		assert_non_null(line);
		assert_string_equal(line, i == 0 ?
		    "addr kflags kflags-hex mapcount cgroup present" :
		    "addr\tkflags\tkflags-hex\tmapcount\tcgroup\tpresent");
		for (n = 0; (line = next_line(&text)) != NULL; n++) {
			if (tl_split(line, sep, f, 8) != 6)
				fail_msg("%s: not 6 fields: %s", formats[i],
				    line);
			/* In text, "-" for no flags keeps the columns. */
			check_fields(f[0], f[1], number(f[2], 16),
			    number(f[3], 10), number(f[4], 10),
			    number(f[5], 10) != 0,
			    child.l.base + n * child.l.page,
			    i == 0 ? "-" : "");
		}
		assert_int_equal(n, region_pages());
		tl_run_free(&run);
	}
}

static void
should_quote_kflags_in_csv_so_that_it_parses_back(void **state)
{
	static const char *const header[6] = { "addr", "kflags", "kflags-hex",
		"mapcount", "cgroup", "present" };
	struct tl_table t = { 0, 0, NULL };
	struct tl_run run;
	size_t n, c;
	(void)state;

	dump_format(&run, "csv");
	tl_read_csv(run.out, &t);
	assert_true(t.n > 0);
	assert_int_equal(t.r[0].n, 6);
	for (c = 0; c < 6; c++) {
		assert_string_equal(t.r[0].f[c], header[c]);
		assert_false(t.r[0].quoted[c]);
	}
	for (n = 1; n < t.n; n++) {
		const struct tl_rec *r = &t.r[n];
		if (r->n != 6)
			fail_msg("csv: not 6 fields");
		check_fields(r->f[0], r->f[1], number(r->f[2], 16),
		    number(r->f[3], 10), number(r->f[4], 10),
		    number(r->f[5], 10) != 0,
		    child.l.base + (n - 1) * child.l.page, "");
		if (r->f[1][0] != '\0')
			assert_true(r->quoted[1]);
		assert_false(r->quoted[0] || r->quoted[2] || r->quoted[3] ||
		    r->quoted[4] || r->quoted[5]);
	}
	assert_int_equal(t.n - 1, region_pages());
	tl_table_free(&t);
	tl_run_free(&run);
}

/* The text of member key of o, which must be of type want. */
static const char *
member(const struct tl_jobject *o, const char *key, enum tl_jtype want)
{
	const struct tl_jmember *m = tl_jget(o, key);

	if (m == NULL || m->type != want)
		fail_msg("json: \"%s\" is missing or not of type %d", key,
		    (int)want);
	return m->s;
}

static void
should_give_kflags_as_strings_and_counts_as_numbers_in_json(void **state)
{
	struct tl_run run;
	struct tl_jobject *o;
	const char *addr, *hex;
	size_t n, i;
	(void)state;

	dump_format(&run, "json");
	n = tl_read_json_lines(run.out, &o);
	for (i = 0; i < n; i++) {
		addr = member(&o[i], "addr", TL_JSTRING);
		hex = member(&o[i], "kflags-hex", TL_JSTRING);
		if (strncmp(addr, "0x", 2) != 0 || strncmp(hex, "0x", 2) != 0)
			fail_msg("json: addr %s, kflags-hex %s: want 0x...",
			    addr, hex);
		member(&o[i], "present", TL_JBOOL);
		check_fields(addr + 2, member(&o[i], "kflags", TL_JSTRING),
		    number(hex + 2, 16),
		    number(member(&o[i], "mapcount", TL_JNUMBER), 10),
		    number(member(&o[i], "cgroup", TL_JNUMBER), 10),
		    tl_jget(&o[i], "present")->b,
		    child.l.base + i * child.l.page, "");
	}
	assert_int_equal(n, region_pages());
	tl_jobjects_free(o, n);
	tl_run_free(&run);
}

/* ---- cgroup ----------------------------------------------------------- */

/*
 * The directory of the memory cgroup that the child's pages are charged
 * to, from /proc/PID/cgroup and /proc/self/mountinfo (cgroup v1 memory
 * hierarchy, else v2 up to the nearest cgroup with the memory controller).
 * Returns false when it cannot tell.
 */
static bool
memory_cgroup_dir(char *dir, size_t len)
{
	char path[64], line[1024], v1[512] = "", v2[512] = "", *p;
	char mnt1[512] = "", mnt2[512] = "", root1[512] = "", root2[512] = "";
	char ctrl[520];
	FILE *fp;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)child.pid);
	if ((fp = fopen(path, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *ctl = strchr(line, ':'), *cg;
		line[strcspn(line, "\n")] = '\0';
		if (ctl == NULL || (cg = strchr(ctl + 1, ':')) == NULL)
			continue;
		*cg++ = '\0';
		ctl++;
		if (*ctl == '\0')
			snprintf(v2, sizeof(v2), "%s", cg);
		else {
			snprintf(ctrl, sizeof(ctrl), ",%s,", ctl);
			if (strstr(ctrl, ",memory,") != NULL)
				snprintf(v1, sizeof(v1), "%s", cg);
		}
	}
	fclose(fp);
	if ((fp = fopen("/proc/self/mountinfo", "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), fp) != NULL) {
		char root[512], mnt[512], type[64], opts[512];
		p = strstr(line, " - ");
		if (p == NULL || sscanf(line, "%*s %*s %*s %511s %511s", root,
		    mnt) != 2 || sscanf(p, " - %63s %*s %511s", type,
		    opts) != 2)
			continue;
		snprintf(ctrl, sizeof(ctrl), ",%s,", opts);
		if (strcmp(type, "cgroup") == 0 &&
		    strstr(ctrl, ",memory,") != NULL) {
			snprintf(mnt1, sizeof(mnt1), "%s", mnt);
			snprintf(root1, sizeof(root1), "%s", root);
		} else if (strcmp(type, "cgroup2") == 0) {
			snprintf(mnt2, sizeof(mnt2), "%s", mnt);
			snprintf(root2, sizeof(root2), "%s", root);
		}
	}
	fclose(fp);
	if (v1[0] != '\0' && mnt1[0] != '\0') {
		size_t r = strcmp(root1, "/") == 0 ? 0 : strlen(root1);
		if (strncmp(v1, root1, r) != 0)
			return false;
		snprintf(dir, len, "%s%s", mnt1, v1 + r);
		return true;
	}
	if (v2[0] == '\0' || mnt2[0] == '\0')
		return false;
	{
		size_t r = strcmp(root2, "/") == 0 ? 0 : strlen(root2);
		if (strncmp(v2, root2, r) != 0)
			return false;
		snprintf(dir, len, "%s%s", mnt2, v2 + r);
	}
	/* Up to the nearest cgroup where the memory controller is on. */
	while (!found) {
		char file[1100];
		snprintf(file, sizeof(file), "%s/cgroup.controllers", dir);
		if ((fp = fopen(file, "r")) != NULL) {
			if (fgets(line, sizeof(line), fp) != NULL)
				found = tl_has_word(line, "memory");
			fclose(fp);
		}
		if (found || strlen(dir) <= strlen(mnt2))
			break;
		*strrchr(dir, '/') = '\0';
	}
	return true;
}

static void
should_name_the_memory_cgroup_of_a_page_by_its_inode(void **state)
{
	struct page_row *rows;
	struct stat st;
	char dir[1024];
	size_t n, i, present = 0;
	(void)state;

	if (!memory_cgroup_dir(dir, sizeof(dir)))
		tl_skip("the child's memory cgroup could not be found");
	if (stat(dir, &st) != 0) {
		tl_skipf("cannot stat the memory cgroup %s",
		    dir);
	}
	rows = pages(child.l.base, child.l.end, NULL, &n);
	assert_int_equal(n, region_pages());
	for (i = 0; i < n; i++) {
		if (!rows[i].present) {
			assert_int_equal(rows[i].cgroup, 0);
			continue;
		}
		present++;
		if (rows[i].cgroup != (uint64_t)st.st_ino)
			fail_msg("page 0x%" PRIx64 ": cgroup %" PRIu64 ", but "
			    "%s is inode %" PRIu64, rows[i].addr,
			    rows[i].cgroup, dir, (uint64_t)st.st_ino);
	}
	assert_true(present > 0);
	free(rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_write_the_physical_columns_in_text_and_tsv),
		cmocka_unit_test(should_quote_kflags_in_csv_so_that_it_parses_back),
		cmocka_unit_test(
		    should_give_kflags_as_strings_and_counts_as_numbers_in_json),
		cmocka_unit_test(should_name_the_memory_cgroup_of_a_page_by_its_inode),
	};
	int rc = physical_unusable("test_physical_formats");

	if (rc >= 0)
		return rc;
	return cmocka_run_group_tests(tests, physical_start, physical_stop);
}
