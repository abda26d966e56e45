/*
 * Tests for escape: mapping names made safe for a terminal. Text passes
 * unchanged; control bytes, bytes that are not well-formed UTF-8 and the
 * C1 controls become octal escapes; nothing that reaches the output can
 * act on a terminal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* Escapes len bytes of src into a malloc'd NUL-terminated string. */
static char *
escape_len(const char *src, size_t len)
{
	/* Exactly the documented room, so valgrind sees any overrun. */
	char *dst = malloc(ESCAPE_TEXT_MAX(len) + 1);
	size_t n;

	assert_non_null(dst);
	n = escape_text(dst, src, len);
	assert_true(n <= ESCAPE_TEXT_MAX(len));
	dst[n] = '\0';
	return dst;
}

/* Asserts that escaping len bytes of src gives exactly want. */
static void
assert_escapes_to(const char *src, size_t len, const char *want)
{
	char *got = escape_len(src, len);

	assert_string_equal(got, want);
	free(got);
}

#define ESCAPES_TO(src, want) \
	assert_escapes_to((src), sizeof(src) - 1, (want))
#define KEPT(src) ESCAPES_TO((src), (src))

/* Asserts what escape_utf8_len measures at s, n bytes available. */
#define MEASURES(s, n, want) \
	assert_int_equal(escape_utf8_len((const unsigned char *)(s), (n)), \
	    (want))

/*
 * Asserts that out (len bytes) is well-formed UTF-8 with no C0 control,
 * no DEL and no C1 control: nothing a terminal would act on.
 */
static void
assert_terminal_safe(const char *out, size_t len)
{
	const unsigned char *s = (const unsigned char *)out;
	size_t i = 0, n;

	while (i < len) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			fail_msg("control byte 0x%02x at %zu", s[i], i);
		n = escape_utf8_len(s + i, len - i);
		if (n == 0)
			fail_msg("byte 0x%02x at %zu is not UTF-8", s[i], i);
		if (s[i] == 0xc2 && s[i + 1] < 0xa0)
			fail_msg("C1 control c2 %02x at %zu", s[i + 1], i);
		i += n;
	}
}

static void
should_keep_plain_ascii_unchanged(void **state)
{
	(void)state;
	ESCAPES_TO("/usr/lib/x86_64-linux-gnu/libc.so.6",
	    "/usr/lib/x86_64-linux-gnu/libc.so.6");
	ESCAPES_TO(" !\"#$%&'()*+,-./0123456789:;<=>?@AZ[]^_`az{|}~",
	    " !\"#$%&'()*+,-./0123456789:;<=>?@AZ[]^_`az{|}~");
	KEPT("[anon:some name] (deleted)");
}

static void
should_escape_bidirectional_controls_that_reorder_a_name(void **state)
{
	(void)state;
	/* RIGHT-TO-LEFT OVERRIDE would show "a.exe" as "axe.a"... */
	ESCAPES_TO("a\xe2\x80\xae" "exe.a", "a\\342\\200\\256exe.a");
	ESCAPES_TO("\xe2\x80\x8e", "\\342\\200\\216");	/* LRM */
	ESCAPES_TO("\xe2\x80\x8f", "\\342\\200\\217");	/* RLM */
	ESCAPES_TO("\xe2\x80\xaa", "\\342\\200\\252");	/* LRE */
	ESCAPES_TO("\xe2\x81\xa6", "\\342\\201\\246");	/* LRI */
	ESCAPES_TO("\xe2\x81\xa9", "\\342\\201\\251");	/* PDI */
	/* Their neighbours are ordinary text. */
	KEPT("\xe2\x80\xa9");	/* PARAGRAPH SEPARATOR is not one */
	KEPT("\xe2\x80\xaf");	/* NARROW NO-BREAK SPACE */
	KEPT("\xe2\x81\xa5");	/* U+2065, unassigned */
	KEPT("\xe2\x81\xaa");	/* INHIBIT SYMMETRIC SWAPPING */
}

static void
should_write_bidirectional_controls_in_json_as_u_escapes(void **state)
{
	char dst[64];
	size_t n;

	(void)state;
	n = escape_json(dst, "a\xe2\x80\xae" "b\xe2\x81\xa9", 8);
	dst[n] = '\0';
	assert_string_equal(dst, "\"a\\u202eb\\u2069\"");
	n = escape_json(dst, "\xe2\x80\x8e\xe2\x80\xaf", 6);
	dst[n] = '\0';
	/* LRM escaped; NARROW NO-BREAK SPACE is text. */
	assert_string_equal(dst, "\"\\u200e\xe2\x80\xaf\"");
}

static void
should_write_nothing_for_nothing(void **state)
{
	char dst[1] = { 'x' };

	(void)state;
	assert_int_equal(escape_text(dst, "", 0), 0);
	assert_int_equal(dst[0], 'x');
}

static void
should_keep_backslashes_unchanged(void **state)
{
	(void)state;
	KEPT("a\\b");
	KEPT("\\");
	/* The kernel's own escape of a newline passes through as it is. */
	KEPT("/tmp/a\\012b");
}

static void
should_escape_control_bytes_as_three_octal_digits(void **state)
{
	(void)state;
	ESCAPES_TO("a\tb", "a\\011b");
	ESCAPES_TO("a\nb", "a\\012b");
	ESCAPES_TO("\x1b[31mred", "\\033[31mred");
	ESCAPES_TO("\x7f", "\\177");
	ESCAPES_TO("\x01", "\\001");
	ESCAPES_TO("\x1f", "\\037");
	ESCAPES_TO("\r\a\b", "\\015\\007\\010");
	/* An OSC title sequence ended by BEL. */
	ESCAPES_TO("\x1b]0;owned\x07", "\\033]0;owned\\007");
}

static void
should_escape_a_nul_byte(void **state)
{
	(void)state;
	assert_escapes_to("a\0b", 3, "a\\000b");
}

static void
should_keep_valid_utf8_unchanged(void **state)
{
	(void)state;
	KEPT("caf\xc3\xa9");		/* é */
	KEPT("\xe2\x82\xac");		/* € */
	KEPT("\xf0\x9f\x98\x80");	/* U+1F600 */
	KEPT("\xc2\xa0");		/* no-break space */
	KEPT("\xdf\xbf");		/* U+07FF */
	KEPT("\xe0\xa0\x80");		/* U+0800 */
	KEPT("\xed\x9f\xbf");		/* U+D7FF */
	KEPT("\xee\x80\x80");		/* U+E000 */
	KEPT("\xef\xbf\xbf");		/* U+FFFF */
	KEPT("\xf0\x90\x80\x80");	/* U+10000 */
	KEPT("\xf4\x8f\xbf\xbf");	/* U+10FFFF */
	KEPT("/tmp/\xe6\x97\xa5\xe6\x9c\xac.so");
}

static void
should_escape_a_lone_continuation_byte(void **state)
{
	(void)state;
	ESCAPES_TO("\x80", "\\200");
	ESCAPES_TO("a\xbf" "b", "a\\277b");
}

static void
should_escape_bytes_that_never_appear_in_utf8(void **state)
{
	(void)state;
	ESCAPES_TO("\xff", "\\377");
	ESCAPES_TO("\xfe", "\\376");
	ESCAPES_TO("\xc0", "\\300");
	ESCAPES_TO("\xc1\xbf", "\\301\\277");
}

static void
should_escape_an_overlong_encoding_byte_by_byte(void **state)
{
	(void)state;
	ESCAPES_TO("\xc0\xaf", "\\300\\257");			/* '/' in 2 */
	ESCAPES_TO("\xe0\x80\xaf", "\\340\\200\\257");		/* '/' in 3 */
	/* U+07FF in three bytes, U+FFFF in four. */
	ESCAPES_TO("\xe0\x9f\xbf", "\\340\\237\\277");
	ESCAPES_TO("\xf0\x8f\xbf\xbf", "\\360\\217\\277\\277");
}

static void
should_escape_a_surrogate_byte_by_byte(void **state)
{
	(void)state;
	ESCAPES_TO("\xed\xa0\x80", "\\355\\240\\200");		/* U+D800 */
	ESCAPES_TO("\xed\xbf\xbf", "\\355\\277\\277");		/* U+DFFF */
}

static void
should_escape_a_sequence_cut_short_at_the_end(void **state)
{
	(void)state;
	ESCAPES_TO("a\xe2\x82", "a\\342\\202");
	ESCAPES_TO("a\xf0\x9f\x98", "a\\360\\237\\230");
	ESCAPES_TO("a\xc3", "a\\303");
}

static void
should_escape_a_sequence_broken_in_the_middle(void **state)
{
	(void)state;
	ESCAPES_TO("\xe2\x82" "a", "\\342\\202a");
	ESCAPES_TO("\xc3" "a", "\\303a");
	/* The byte after the broken lead starts a new sequence. */
	ESCAPES_TO("\xe2\xc3\xa9", "\\342\xc3\xa9");
	ESCAPES_TO("\xf0\x9f\x98\xe2\x82\xac", "\\360\\237\\230\xe2\x82\xac");
}

static void
should_escape_lead_bytes_above_f4(void **state)
{
	(void)state;
	ESCAPES_TO("\xf5\x80\x80\x80", "\\365\\200\\200\\200");
	ESCAPES_TO("\xf7\xbf\xbf\xbf", "\\367\\277\\277\\277");
	ESCAPES_TO("\xf8\x88\x80\x80\x80", "\\370\\210\\200\\200\\200");
	ESCAPES_TO("\xf4\x90\x80\x80", "\\364\\220\\200\\200");	/* >U+10FFFF */
}

static void
should_escape_c1_controls(void **state)
{
	(void)state;
	ESCAPES_TO("\xc2\x80", "\\302\\200");
	ESCAPES_TO("\xc2\x9b" "31m", "\\302\\23331m");		/* CSI */
	ESCAPES_TO("\xc2\x9d", "\\302\\235");			/* OSC */
	ESCAPES_TO("\xc2\x9f", "\\302\\237");
	KEPT("\xc2\xa0");
	KEPT("\xc2\xbf");
}

static void
should_escape_every_c1_control_and_no_other_two_byte_character(void **state)
{
	char src[2], want[16];
	unsigned int cp;

	(void)state;
	for (cp = 0x80; cp < 0x800; cp++) {
		src[0] = (char)(0xc0 | cp >> 6);
		src[1] = (char)(0x80 | (cp & 0x3f));
		if (cp < 0xa0) {
			strcpy(want, "\\302\\");
			unsigned char c = (unsigned char)src[1];
			want[5] = (char)('0' + (c >> 6));
			want[6] = (char)('0' + (c >> 3 & 7));
			want[7] = (char)('0' + (c & 7));
			want[8] = '\0';
		} else {
			memcpy(want, src, 2);
			want[2] = '\0';
		}
		assert_escapes_to(src, 2, want);
	}
}

static void
should_escape_each_single_byte_exactly_as_specified(void **state)
{
	char src[1], want[8], *got;
	unsigned int b;
	size_t n;

	(void)state;
	for (b = 0; b < 256; b++) {
		src[0] = (char)b;
		if (b >= 0x20 && b < 0x7f) {
			want[0] = (char)b;
			want[1] = '\0';
		} else {
			want[0] = '\\';
			want[1] = (char)('0' + (b >> 6));
			want[2] = (char)('0' + (b >> 3 & 7));
			want[3] = (char)('0' + (b & 7));
			want[4] = '\0';
		}
		got = escape_len(src, 1);
		n = strlen(got);
		assert_string_equal(got, want);
		assert_terminal_safe(got, n);
		free(got);
	}
}

/* A small deterministic generator (xorshift64), so failures repeat. */
static uint64_t
next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Fills buf with random bytes mixed with pieces of valid UTF-8. */
static void
random_name(uint64_t *seed, unsigned char *buf, size_t len)
{
	static const char *const pieces[] = {
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc2\x85",
		"\xc2\xa0", "\xed\xa0\x80", "\x1b[", "\\012", "/lib",
	};
	size_t i = 0;

	while (i < len) {
		uint64_t r = next_random(seed);
		if (r % 4 == 0) {
			const char *p = pieces[(r >> 8) % 9];
			size_t n = strlen(p);
			if (n > len - i)
				n = len - i;
			memcpy(buf + i, p, n);
			i += n;
		} else
			buf[i++] = (unsigned char)(r >> 16);
	}
}

static void
should_never_output_a_control_byte_for_random_names(void **state)
{
	unsigned char src[300];
	uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
	size_t len, n, i;
	char *once, *twice;

	(void)state;
	for (i = 0; i < 20000; i++) {
		len = (size_t)(next_random(&seed) % sizeof(src));
		random_name(&seed, src, len);
		once = escape_len((const char *)src, len);
		n = strlen(once);
		assert_terminal_safe(once, n);
		/* Output is already safe: escaping it again changes nothing. */
		twice = escape_len(once, n);
		assert_string_equal(twice, once);
		free(twice);
		free(once);
	}
}

static void
should_need_at_most_four_bytes_per_input_byte(void **state)
{
	char src[64];
	char *got;

	(void)state;
	memset(src, 0x9b, sizeof(src));
	got = escape_len(src, sizeof(src));
	assert_int_equal(strlen(got), ESCAPE_TEXT_MAX(sizeof(src)));
	free(got);
}

static void
should_measure_ascii_as_one_byte(void **state)
{
	unsigned int b;
	unsigned char c;

	(void)state;
	for (b = 0; b < 0x80; b++) {
		c = (unsigned char)b;
		assert_int_equal(escape_utf8_len(&c, 1), 1);
	}
}

static void
should_measure_well_formed_sequences(void **state)
{
	(void)state;
	MEASURES("\xc2\x80", 2, 2);
	MEASURES("\xc3\xa9", 2, 2);
	MEASURES("\xdf\xbf", 2, 2);
	MEASURES("\xe0\xa0\x80", 3, 3);
	MEASURES("\xe2\x82\xac", 3, 3);
	MEASURES("\xed\x9f\xbf", 3, 3);
	MEASURES("\xee\x80\x80", 3, 3);
	MEASURES("\xf0\x90\x80\x80", 4, 4);
	MEASURES("\xf0\x9f\x98\x80", 4, 4);
	MEASURES("\xf4\x8f\xbf\xbf", 4, 4);
	/* Only the first sequence is measured. */
	MEASURES("\xc3\xa9zz", 4, 2);
}

static void
should_measure_ill_formed_sequences_as_zero(void **state)
{
	static const struct {
		const char *s;
		size_t n;
	} bad[] = {
		{ "\x80", 1 }, { "\xbf", 1 },			/* continuation */
		{ "\xc0\xaf", 2 }, { "\xc1\xbf", 2 },		/* overlong */
		{ "\xe0\x9f\xbf", 3 }, { "\xf0\x8f\xbf\xbf", 4 },
		{ "\xed\xa0\x80", 3 }, { "\xed\xbf\xbf", 3 },	/* surrogate */
		{ "\xf4\x90\x80\x80", 4 },			/* > U+10FFFF */
		{ "\xf5\x80\x80\x80", 4 }, { "\xff", 1 },	/* F5 and up */
		{ "\xc3\x41", 2 }, { "\xe2\x82\x41", 3 },	/* not cont. */
		{ "\xf0\x9f\x98\xc3", 4 },
		{ "\xc3\xa9", 1 }, { "\xe2\x82\xac", 2 },	/* cut short */
		{ "\xf0\x9f\x98\x80", 3 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (escape_utf8_len((const unsigned char *)bad[i].s,
		    bad[i].n) != 0)
			fail_msg("case %zu measured as well-formed", i);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_keep_plain_ascii_unchanged),
		cmocka_unit_test(
		    should_escape_bidirectional_controls_that_reorder_a_name),
		cmocka_unit_test(
		    should_write_bidirectional_controls_in_json_as_u_escapes),
		cmocka_unit_test(should_write_nothing_for_nothing),
		cmocka_unit_test(should_keep_backslashes_unchanged),
		cmocka_unit_test(should_escape_control_bytes_as_three_octal_digits),
		cmocka_unit_test(should_escape_a_nul_byte),
		cmocka_unit_test(should_keep_valid_utf8_unchanged),
		cmocka_unit_test(should_escape_a_lone_continuation_byte),
		cmocka_unit_test(should_escape_bytes_that_never_appear_in_utf8),
		cmocka_unit_test(should_escape_an_overlong_encoding_byte_by_byte),
		cmocka_unit_test(should_escape_a_surrogate_byte_by_byte),
		cmocka_unit_test(should_escape_a_sequence_cut_short_at_the_end),
		cmocka_unit_test(should_escape_a_sequence_broken_in_the_middle),
		cmocka_unit_test(should_escape_lead_bytes_above_f4),
		cmocka_unit_test(should_escape_c1_controls),
		cmocka_unit_test(should_escape_every_c1_control_and_no_other_two_byte_character),
		cmocka_unit_test(should_escape_each_single_byte_exactly_as_specified),
		cmocka_unit_test(should_never_output_a_control_byte_for_random_names),
		cmocka_unit_test(should_need_at_most_four_bytes_per_input_byte),
		cmocka_unit_test(should_measure_ascii_as_one_byte),
		cmocka_unit_test(should_measure_well_formed_sequences),
		cmocka_unit_test(should_measure_ill_formed_sequences_as_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
