/*
 * Tests for dump: telling from a /proc/self/status text whether the caller
 * has CAP_SYS_ADMIN (bit 21 of CapEff), which decides whether PFNs will
 * read as zero.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>

#include "dump.h"

/* The lines of a real status text around the capability sets. */
#define HEAD \
	"Name:\tpagemap-dump\n" \
	"Umask:\t0022\n" \
	"State:\tR (running)\n" \
	"Pid:\t4321\n" \
	"Uid:\t1000\t1000\t1000\t1000\n"
#define TAIL \
	"CapBnd:\t000001ffffffffff\n" \
	"CapAmb:\t0000000000000000\n" \
	"NoNewPrivs:\t0\n" \
	"Seccomp:\t0\n"

static void
should_see_sys_admin_in_a_full_effective_set(void **state)
{
	(void)state;
	assert_true(dump_has_sys_admin(HEAD
	    "CapInh:\t0000000000000000\n"
	    "CapPrm:\t000001ffffffffff\n"
	    "CapEff:\t000001ffffffffff\n" TAIL));
}

static void
should_see_sys_admin_when_bit_21_alone_is_set(void **state)
{
	(void)state;
	assert_true(dump_has_sys_admin(HEAD
	    "CapInh:\t0000000000000000\n"
	    "CapPrm:\t0000000000200000\n"
	    "CapEff:\t0000000000200000\n" TAIL));
}

static void
should_not_see_sys_admin_when_bit_21_is_clear(void **state)
{
	(void)state;
	assert_false(dump_has_sys_admin(HEAD
	    "CapInh:\t0000000000000000\n"
	    "CapPrm:\t000001ffffdfffff\n"
	    "CapEff:\t000001ffffdfffff\n" TAIL));
	/* The bits either side of 21 are not it. */
	assert_false(dump_has_sys_admin(HEAD
	    "CapEff:\t0000000000500000\n" TAIL));
}

static void
should_not_see_sys_admin_in_an_empty_effective_set(void **state)
{
	(void)state;
	assert_false(dump_has_sys_admin(HEAD
	    "CapInh:\t0000000000000000\n"
	    "CapPrm:\t0000000000000000\n"
	    "CapEff:\t0000000000000000\n" TAIL));
}

static void
should_read_the_effective_set_not_the_permitted_one(void **state)
{
	(void)state;
	/* Permitted but not effective (a setuid program that dropped it). */
	assert_false(dump_has_sys_admin(HEAD
	    "CapInh:\t0000000000000000\n"
	    "CapPrm:\t000001ffffffffff\n"
	    "CapEff:\t0000000000000000\n"
	    "CapBnd:\t000001ffffffffff\n"
	    "CapAmb:\t000001ffffffffff\n"));
}

static void
should_not_see_sys_admin_without_a_cap_eff_line(void **state)
{
	(void)state;
	assert_false(dump_has_sys_admin(HEAD
	    "CapInh:\t0000000000000000\n"
	    "CapPrm:\t000001ffffffffff\n" TAIL));
	assert_false(dump_has_sys_admin(""));
}

static void
should_not_see_sys_admin_in_a_cap_eff_line_without_a_number(void **state)
{
	(void)state;
	assert_false(dump_has_sys_admin(HEAD "CapEff:\t\n" TAIL));
	assert_false(dump_has_sys_admin(HEAD "CapEff:"));
	assert_false(dump_has_sys_admin(HEAD "CapEff:\tzz\n" TAIL));
}

static void
should_read_a_cap_eff_line_at_the_end_without_a_newline(void **state)
{
	(void)state;
	assert_true(dump_has_sys_admin(HEAD "CapEff:\t0000000000200000"));
}

static void
should_not_take_another_field_ending_in_cap_eff(void **state)
{
	(void)state;
	/* Only a line that starts with "CapEff:" is the effective set. */
	assert_false(dump_has_sys_admin(HEAD
	    "XCapEff:\t000001ffffffffff\n"
	    "CapEff:\t0000000000000000\n" TAIL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_see_sys_admin_in_a_full_effective_set),
		cmocka_unit_test(should_see_sys_admin_when_bit_21_alone_is_set),
		cmocka_unit_test(should_not_see_sys_admin_when_bit_21_is_clear),
		cmocka_unit_test(should_not_see_sys_admin_in_an_empty_effective_set),
		cmocka_unit_test(should_read_the_effective_set_not_the_permitted_one),
		cmocka_unit_test(should_not_see_sys_admin_without_a_cap_eff_line),
		cmocka_unit_test(should_not_see_sys_admin_in_a_cap_eff_line_without_a_number),
		cmocka_unit_test(should_read_a_cap_eff_line_at_the_end_without_a_newline),
		cmocka_unit_test(should_not_take_another_field_ending_in_cap_eff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
