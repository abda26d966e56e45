/*
 * End-to-end tests without CAP_SYS_ADMIN in the initial user namespace
 * (dropped from the bounding set before the tool is run, or as root of a
 * new user namespace), on the child of physical.h: the physical columns
 * and -k must be refused, never printed as zeros, and the summary leaves
 * PSS and USS out with a warning.
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

/* ---- without CAP_SYS_ADMIN ---------------------------------------------- */

/* Skips unless a program run with BOUNDING_SET lacks the capability. */
static void
require_dropping(void)
{
	const char *const args[] = { "/proc/self/status", NULL };
	const char *cat = access("/bin/cat", X_OK) == 0 ? "/bin/cat" :
	    "/usr/bin/cat";
	struct tl_run r;
	unsigned long long eff;
	const char *p;

	if (access(cat, X_OK) != 0)
		tl_skip("no cat to check that CAP_SYS_ADMIN can be dropped");
	run_restricted(&r, BOUNDING_SET, cat, args);
	if (tl_exit_code(&r) == NO_DROP)
		tl_skip("CAP_SYS_ADMIN cannot be dropped from the bounding "
		    "set (no CAP_SETPCAP)");
	p = strstr(r.out, "\nCapEff:");
	assert_non_null(p);
	eff = strtoull(p + 8, NULL, 16);
	tl_run_free(&r);
	if (eff & BIT(CAP_SYS_ADMIN))
		tl_skip("a program still gets CAP_SYS_ADMIN with it dropped "
		    "from the bounding set (inheritable or ambient)");
}

static void
should_refuse_the_physical_columns_without_cap_sys_admin(void **state)
{
	const char *const asks[][5] = {
		{ "-o", "+kflags", NULL, "kflags" },
		{ "-o", "+kflags-hex", NULL, "kflags-hex" },
		{ "-o", "+mapcount", NULL, "mapcount" },
		{ "-o", "addr,cgroup", NULL, "cgroup" },
		{ "-k", "anon", NULL, "-k" },
		{ "-f", "json", "-o", "+mapcount", NULL },
	};
	struct tl_run r;
	size_t i;
	(void)state;

	require_dropping();
	for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		const char *what = asks[i][3] != NULL && asks[i][2] == NULL ?
		    asks[i][3] : "mapcount";
		dump(&r, false, asks[i]);
		if (tl_exit_code(&r) != 1)
			fail_msg("%s %s without CAP_SYS_ADMIN: exit %d, want 1",
			    asks[i][0], asks[i][1], tl_exit_code(&r));
		/* No rows, not even a header: never a column of zeros. */
		assert_string_equal(r.out, "");
		if (strstr(r.err, what) == NULL ||
		    (strstr(r.err, "root") == NULL &&
		    strstr(r.err, "CAP_SYS_ADMIN") == NULL))
			fail_msg("%s %s: the message does not say that %s "
			    "needs root: %s", asks[i][0], asks[i][1], what,
			    r.err);
		tl_run_free(&r);
	}
}

/* In TSV as columns, in JSON as members: neither is there. */
static void
should_leave_pss_and_uss_out_of_the_summary_without_cap_sys_admin(
    void **state)
{
	const char *const opts[] = { NULL };
	const char *const json[] = { "-s", "-f", "json", NULL };
	struct summary s;
	struct tl_run r;
	struct tl_jobject *o;
	size_t n, i;
	(void)state;

	require_dropping();
	summary(&s, false, opts);
	assert_true(column(&s, "rss-kib") >= 0);
	assert_int_equal(column(&s, "pss-kib"), -1);
	assert_int_equal(column(&s, "uss-kib"), -1);
	assert_true(s.nrows > 1);
	assert_string_equal(summary_row(&s, s.nrows - 1)[0], "total");
	if (strstr(s.run.err, "pss-kib") == NULL ||
	    strstr(s.run.err, "uss-kib") == NULL)
		fail_msg("no warning naming pss-kib and uss-kib: %s",
		    s.run.err);
	summary_done(&s);

	dump(&r, false, json);
	assert_int_equal(tl_exit_code(&r), 0);
	n = tl_read_json_lines(r.out, &o);
	assert_true(n > 1);
	for (i = 0; i < n; i++) {
		assert_int_equal(json_type(&o[i], "rss-kib"), TL_JNUMBER);
		assert_int_equal(json_type(&o[i], "pss-kib"), -1);
		assert_int_equal(json_type(&o[i], "uss-kib"), -1);
	}
	assert_non_null(strstr(r.err, "pss-kib"));
	tl_jobjects_free(o, n);
	tl_run_free(&r);
}

/*
 * Skips unless the tool, run as root of a new user namespace, sees the
 * PFNs of its own pages hidden.
 */
static void
require_hidden_pfns_in_a_user_namespace(void)
{
	const char *const opts[] = { "-P", "-H", "-o", "pfn", NULL };
	struct tl_run r;
	char *text, *line;
	size_t rows = 0;

	dump_as(&r, USER_NAMESPACE, "self", opts);
	if (tl_exit_code(&r) == NO_DROP)
		tl_skip("no user namespace could be made (or mapped to "
		    "root)");
	assert_int_equal(tl_exit_code(&r), 0);
	text = r.out;
	while ((line = next_line(&text)) != NULL) {
		rows++;
		if (strcmp(line, "0") != 0)
			tl_skip("the kernel shows PFNs in a user namespace");
	}
	assert_true(rows > 0);
	tl_run_free(&r);
}

static void
should_refuse_the_physical_columns_in_a_user_namespace(void **state)
{
	const char *const asks[][4] = {
		{ "-o", "+kflags", NULL },
		{ "-o", "+mapcount", NULL },
		{ "-o", "addr,cgroup", NULL },
		{ "-k", "anon", NULL },
	};
	struct tl_run r;
	size_t i;
	(void)state;

	require_hidden_pfns_in_a_user_namespace();
	for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		/*
		 * CapEff is full in the namespace, but PFNs need
		 * CAP_SYS_ADMIN in the initial one: the values would all be
		 * zero, so they must be refused as without root.
		 */
		dump_as(&r, USER_NAMESPACE, "self", asks[i]);
		if (tl_exit_code(&r) != 1 || r.out[0] != '\0')
			fail_msg("%s %s in a user namespace: exit %d, want 1 "
			    "and no rows; it printed:\n%.300s", asks[i][0],
			    asks[i][1], tl_exit_code(&r), r.out);
		tl_run_free(&r);
	}
}

static void
should_leave_pss_and_uss_out_of_the_summary_in_a_user_namespace(
    void **state)
{
	const char *const opts[] = { "-s", NULL };
	struct tl_run r;
	char *nl;
	(void)state;

	require_hidden_pfns_in_a_user_namespace();
	dump_as(&r, USER_NAMESPACE, "self", opts);
	assert_int_equal(tl_exit_code(&r), 0);
	nl = strchr(r.out, '\n');
	assert_non_null(nl);
	*nl = '\0';
	if (tl_has_word(r.out, "pss") || tl_has_word(r.out, "uss"))
		fail_msg("the summary has PSS and USS from hidden PFNs "
		    "(all zero): %s", r.out);
	assert_non_null(strstr(r.err, "pss-kib"));
	tl_run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_refuse_the_physical_columns_without_cap_sys_admin),
		cmocka_unit_test(
		    should_leave_pss_and_uss_out_of_the_summary_without_cap_sys_admin),
		cmocka_unit_test(
		    should_refuse_the_physical_columns_in_a_user_namespace),
		cmocka_unit_test(
		    should_leave_pss_and_uss_out_of_the_summary_in_a_user_namespace),
	};
	int rc = physical_unusable("test_physical_caps");

	if (rc >= 0)
		return rc;
	return cmocka_run_group_tests(tests, physical_start, physical_stop);
}
