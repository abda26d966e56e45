/*
 * Tests for kpage's names: the -k list parser (kpage_parse_flags) and the
 * names of page flags (kpage_flag_names, kpage_flag_name, kpage_path),
 * checked against the names of linux/kernel-page-flags.h written out
 * in testdata.c.
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

#include "kpage.h"
#include "testlib.h"

/*
 * The flag names are testdata.h's tl_flag_names, written out from
 * linux/kernel-page-flags.h; NULL for a bit without a name.
 */

#define BIT(n) (UINT64_C(1) << (n))

/* Asserts what kpage_flag_names writes for flags, and its length. */
static void
assert_names(uint64_t flags, const char *want)
{
	char got[KPAGE_NAMES_MAX + 1];
	size_t n;

	memset(got, '#', sizeof(got));
	n = kpage_flag_names(got, flags);
	assert_true(n < KPAGE_NAMES_MAX);
	got[n] = '\0';
	assert_string_equal(got, want);
}

/* ---- kpage_parse_flags ------------------------------------------------- */

/* Parses list, which must be valid, into want and refuse. */
static void
assert_parses(const char *list, uint64_t want, uint64_t refuse)
{
	uint64_t w = 1234, r = 5678;
	char why[1024] = "";

	if (kpage_parse_flags(list, &w, &r, why, sizeof(why)) != 0)
		fail_msg("'%s' refused: %s", list, why);
	assert_int_equal(w, want);
	assert_int_equal(r, refuse);
}

/* Parses list, which must be refused, and checks the reason. */
static void
assert_refused(const char *list, const char *culprit)
{
	uint64_t w, r;
	char why[1024];
	unsigned int bit;

	memset(why, 0, sizeof(why));
	if (kpage_parse_flags(list, &w, &r, why, sizeof(why)) != -1)
		fail_msg("'%s' accepted", list);
	if (culprit != NULL && strstr(why, culprit) == NULL)
		fail_msg("'%s': the reason does not name '%s': %s", list,
		    culprit, why);
	/* The reason lists every valid name. */
	for (bit = 0; bit < 64; bit++)
		if (tl_flag_names[bit] != NULL &&
		    !tl_has_word(why, tl_flag_names[bit]))
			fail_msg("'%s': the reason does not list '%s': %s",
			    list, tl_flag_names[bit], why);
}

static void
should_parse_a_single_flag(void **state)
{
	(void)state;
	assert_parses("anon", BIT(12), 0);
	assert_parses("thp", BIT(22), 0);
	assert_parses("locked", BIT(0), 0);
	assert_parses("arch_2", BIT(41), 0);
}

static void
should_parse_every_flag_name_to_its_bit(void **state)
{
	unsigned int bit;
	(void)state;

	for (bit = 0; bit < 64; bit++)
		if (tl_flag_names[bit] != NULL)
			assert_parses(tl_flag_names[bit], BIT(bit), 0);
}

static void
should_parse_several_flags_into_one_mask(void **state)
{
	(void)state;
	assert_parses("anon,lru,thp", BIT(12) | BIT(5) | BIT(22), 0);
	assert_parses("uptodate,lru,mmap,anon,swapbacked",
	    BIT(3) | BIT(5) | BIT(11) | BIT(12) | BIT(14), 0);
	assert_parses("anon,anon", BIT(12), 0);
}

static void
should_parse_a_tilde_as_a_flag_that_must_be_absent(void **state)
{
	(void)state;
	assert_parses("~lru", 0, BIT(5));
	assert_parses("anon,~lru", BIT(12), BIT(5));
	assert_parses("~thp,compound_head,~mlocked,mmap",
	    BIT(15) | BIT(11), BIT(22) | BIT(33));
}

static void
should_refuse_an_unknown_flag_and_list_the_valid_ones(void **state)
{
	(void)state;
	assert_refused("bogus", "bogus");
	assert_refused("anon,bogus", "bogus");
	assert_refused("~bogus", "bogus");
	assert_refused("anon,~lru,nosuch", "nosuch");
}

static void
should_refuse_a_prefix_an_extension_or_capitals_of_a_flag(void **state)
{
	(void)state;
	assert_refused("an", "an");
	assert_refused("anonx", "anonx");
	assert_refused("ANON", "ANON");
	assert_refused("~~anon", NULL);
	assert_refused("anon ", NULL);
	assert_refused("bit27", "bit27");
}

static void
should_refuse_an_empty_item(void **state)
{
	(void)state;
	assert_refused("", NULL);
	assert_refused("anon,", NULL);
	assert_refused(",anon", NULL);
	assert_refused("anon,,lru", NULL);
	assert_refused("~", NULL);
	assert_refused("anon,~", NULL);
}

static void
should_keep_the_reason_within_a_short_buffer(void **state)
{
	char why[24];
	uint64_t w, r;
	(void)state;

	memset(why, '#', sizeof(why));
	assert_int_equal(kpage_parse_flags("bogus", &w, &r, why, 16), -1);
	assert_non_null(memchr(why, '\0', 16));
	assert_int_equal(why[16], '#');
	assert_int_equal(why[23], '#');
}

/* ---- kpage_flag_names -------------------------------------------------- */

static void
should_name_no_flags_as_an_empty_list(void **state)
{
	(void)state;
	assert_names(0, "");
}

static void
should_name_the_flags_of_a_page_in_bit_order(void **state)
{
	(void)state;
	assert_names(BIT(5), "lru");
	assert_names(BIT(3) | BIT(5) | BIT(11) | BIT(12) | BIT(14),
	    "uptodate,lru,mmap,anon,swapbacked");
	assert_names(BIT(22) | BIT(16) | BIT(12), "anon,compound_tail,thp");
	assert_names(BIT(0) | BIT(26), "locked,pgtable");
}

static void
should_name_every_known_bit(void **state)
{
	char want[KPAGE_NAMES_MAX];
	uint64_t all = 0;
	unsigned int bit;
	(void)state;

	for (bit = 0; bit < 64; bit++) {
		if (tl_flag_names[bit] == NULL)
			continue;
		/* Alone, reclaim reads as readahead (see overloaded bits). */
		tl_flag_names_of(BIT(bit), want, sizeof(want));
		assert_names(BIT(bit), want);
		assert_non_null(kpage_flag_name(bit));
		assert_string_equal(kpage_flag_name(bit), tl_flag_names[bit]);
		all |= BIT(bit);
	}
	tl_flag_names_of(all, want, sizeof(want));
	assert_names(all, want);
}

static void
should_name_bits_without_a_name_as_bit_and_number(void **state)
{
	unsigned int bit;
	char want[16];
	(void)state;

	for (bit = 27; bit < 32; bit++) {
		snprintf(want, sizeof(want), "bit%u", bit);
		assert_names(BIT(bit), want);
		assert_null(kpage_flag_name(bit));
	}
	for (bit = 42; bit < 64; bit++) {
		snprintf(want, sizeof(want), "bit%u", bit);
		assert_names(BIT(bit), want);
		assert_null(kpage_flag_name(bit));
	}
	assert_null(kpage_flag_name(64));
	assert_null(kpage_flag_name(1000));
	assert_names(BIT(27) | BIT(31) | BIT(42) | BIT(63),
	    "bit27,bit31,bit42,bit63");
	assert_names(BIT(12) | BIT(30) | BIT(33), "anon,bit30,mlocked");
}

static void
should_name_the_kernel_internal_bits_32_to_41(void **state)
{
	(void)state;
	assert_names(UINT64_C(0x3ff) << 32, "reserved,mlocked,owner_2,"
	    "private,private_2,owner_private,arch,uncached,softdirty,arch_2");
	assert_names(BIT(40), "softdirty");
	assert_names(BIT(35) | BIT(5), "lru,private");
}

/*
 * Bits the kernel overloads are named for what they mean, by what else
 * is set, as tools/mm/page-types reads them: owner_2 on an anonymous page
 * is anon_exclusive, active and error on a slab page are slub_frozen and
 * slub_debug, reclaim without writeback is readahead.
 */
static void
should_name_overloaded_bits_by_what_they_mean(void **state)
{
	(void)state;
	assert_names(BIT(12) | BIT(34), "anon,anon_exclusive");
	assert_names(BIT(34), "owner_2");
	assert_names(BIT(5) | BIT(34), "lru,owner_2");
	assert_names(BIT(7) | BIT(6), "slub_frozen,slab");
	assert_names(BIT(7) | BIT(1), "slub_debug,slab");
	assert_names(BIT(6) | BIT(1), "error,active");
	assert_names(BIT(9), "readahead");
	assert_names(BIT(8) | BIT(9), "writeback,reclaim");
}

/* -k takes those meanings too, as the flags they stand for. */
static void
should_take_the_meanings_of_overloaded_bits_in_k(void **state)
{
	uint64_t want, refuse;
	char why[1024];

	(void)state;
	assert_int_equal(kpage_parse_flags("anon_exclusive,~lru", &want,
	    &refuse, why, sizeof(why)), 0);
	assert_int_equal(want, BIT(12) | BIT(34));
	assert_int_equal(refuse, BIT(5));
	assert_int_equal(kpage_parse_flags("readahead", &want, &refuse, why,
	    sizeof(why)), 0);
	assert_int_equal(want, BIT(9));
	assert_int_equal(refuse, BIT(8));
	/* Not set is "not both": no mask of wanted and refused bits says it. */
	assert_int_equal(kpage_parse_flags("~anon_exclusive", &want, &refuse,
	    why, sizeof(why)), -1);
	assert_string_equal(why, "'~anon_exclusive' cannot be asked for: it "
	    "means two flags together");
	assert_int_equal(kpage_parse_flags("nope", &want, &refuse, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, ",anon_exclusive,slub_frozen,slub_debug,"
	    "readahead)"));
}

static void
should_name_all_64_bits_within_the_buffer(void **state)
{
	char want[KPAGE_NAMES_MAX];
	(void)state;

	tl_flag_names_of(UINT64_MAX, want, sizeof(want));
	assert_true(strlen(want) < KPAGE_NAMES_MAX);
	assert_names(UINT64_MAX, want);
}
static void
should_name_the_proc_files(void **state)
{
	(void)state;
	assert_string_equal(kpage_path(KPAGE_FLAGS), "/proc/kpageflags");
	assert_string_equal(kpage_path(KPAGE_COUNT), "/proc/kpagecount");
	assert_string_equal(kpage_path(KPAGE_CGROUP), "/proc/kpagecgroup");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_parse_a_single_flag),
		cmocka_unit_test(should_parse_every_flag_name_to_its_bit),
		cmocka_unit_test(should_parse_several_flags_into_one_mask),
		cmocka_unit_test(should_parse_a_tilde_as_a_flag_that_must_be_absent),
		cmocka_unit_test(should_refuse_an_unknown_flag_and_list_the_valid_ones),
		cmocka_unit_test(should_refuse_a_prefix_an_extension_or_capitals_of_a_flag),
		cmocka_unit_test(should_refuse_an_empty_item),
		cmocka_unit_test(should_keep_the_reason_within_a_short_buffer),
		cmocka_unit_test(should_name_no_flags_as_an_empty_list),
		cmocka_unit_test(should_name_the_flags_of_a_page_in_bit_order),
		cmocka_unit_test(should_name_every_known_bit),
		cmocka_unit_test(should_name_bits_without_a_name_as_bit_and_number),
		cmocka_unit_test(should_name_the_kernel_internal_bits_32_to_41),
		cmocka_unit_test(should_name_overloaded_bits_by_what_they_mean),
		cmocka_unit_test(should_take_the_meanings_of_overloaded_bits_in_k),
		cmocka_unit_test(should_name_all_64_bits_within_the_buffer),
		cmocka_unit_test(should_name_the_proc_files),
	};

	return cmocka_run_group_tests_name("kpage names", tests, NULL, NULL);
}
