/*
 * Tests for escape: mapping names made safe for a terminal. Text passes
 * unchanged; control bytes, bytes that are not well-formed UTF-8, the C1
 * controls and the invisible, separator and bidirectional characters
 * escape.h lists become octal escapes (\uXXXX in JSON); nothing that
 * reaches the output can act on a terminal or hide in a name.
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

#include "escape.h"
#include "readers.h"
#include "testdata.h"

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
	KEPT("\xe2\x80\xaf");	/* NARROW NO-BREAK SPACE */
	KEPT("\xe2\x81\xa5");	/* U+2065, unassigned */
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

/*
 * The invisible characters escape.h lists beyond the bidirectional
 * controls, each with its text escape and its JSON escape (without the
 * quotes): the first and last of each range, and every one the issue
 * named.
 */
static const struct invisible {
	unsigned long cp;
	const char *utf8, *text, *json;
} invisible[] = {
	{ 0x00ad, "\xc2\xad", "\\302\\255", "\\u00ad" },	/* SHY */
	{ 0x061c, "\xd8\x9c", "\\330\\234", "\\u061c" },	/* ALM */
	{ 0x180e, "\xe1\xa0\x8e", "\\341\\240\\216", "\\u180e" }, /* MVS */
	{ 0x200b, "\xe2\x80\x8b", "\\342\\200\\213", "\\u200b" }, /* ZWSP */
	{ 0x200c, "\xe2\x80\x8c", "\\342\\200\\214", "\\u200c" }, /* ZWNJ */
	{ 0x200d, "\xe2\x80\x8d", "\\342\\200\\215", "\\u200d" }, /* ZWJ */
	{ 0x2028, "\xe2\x80\xa8", "\\342\\200\\250", "\\u2028" }, /* LS */
	{ 0x2029, "\xe2\x80\xa9", "\\342\\200\\251", "\\u2029" }, /* PS */
	{ 0x2060, "\xe2\x81\xa0", "\\342\\201\\240", "\\u2060" }, /* WJ */
	{ 0x2061, "\xe2\x81\xa1", "\\342\\201\\241", "\\u2061" },
	{ 0x2062, "\xe2\x81\xa2", "\\342\\201\\242", "\\u2062" },
	{ 0x2063, "\xe2\x81\xa3", "\\342\\201\\243", "\\u2063" },
	{ 0x2064, "\xe2\x81\xa4", "\\342\\201\\244", "\\u2064" },
	{ 0x206a, "\xe2\x81\xaa", "\\342\\201\\252", "\\u206a" },
	{ 0x206f, "\xe2\x81\xaf", "\\342\\201\\257", "\\u206f" },
	{ 0xfeff, "\xef\xbb\xbf", "\\357\\273\\277", "\\ufeff" }, /* BOM */
	{ 0x1bca0, "\xf0\x9b\xb2\xa0", "\\360\\233\\262\\240",
	    "\\ud82f\\udca0" },
	{ 0x1bca3, "\xf0\x9b\xb2\xa3", "\\360\\233\\262\\243",
	    "\\ud82f\\udca3" },
	{ 0x1d173, "\xf0\x9d\x85\xb3", "\\360\\235\\205\\263",
	    "\\ud834\\udd73" },
	{ 0x1d17a, "\xf0\x9d\x85\xba", "\\360\\235\\205\\272",
	    "\\ud834\\udd7a" },
	{ 0xe0001, "\xf3\xa0\x80\x81", "\\363\\240\\200\\201",
	    "\\udb40\\udc01" },			/* LANGUAGE TAG */
	{ 0xe0020, "\xf3\xa0\x80\xa0", "\\363\\240\\200\\240",
	    "\\udb40\\udc20" },			/* TAG SPACE */
	{ 0xe007f, "\xf3\xa0\x81\xbf", "\\363\\240\\201\\277",
	    "\\udb40\\udc7f" },			/* CANCEL TAG */
};
#define NINVISIBLE (sizeof(invisible) / sizeof(invisible[0]))

/*
 * Characters next to those, or like them but visible, that are ordinary
 * text in every format.
 */
static const char *const visible_neighbours[] = {
	"\xc2\xac", "\xc2\xae",			/* U+00AC, U+00AE */
	"\xd8\x80",				/* ARABIC NUMBER SIGN */
	"\xd8\x9b", "\xd8\x9d",			/* U+061B, U+061D */
	"\xe1\xa0\x8d", "\xe1\xa0\x8f",		/* U+180D, U+180F */
	"\xe2\x80\x8a",				/* HAIR SPACE */
	"\xe2\x80\x90",				/* HYPHEN */
	"\xe2\x80\xa7",				/* HYPHENATION POINT */
	"\xe2\x80\xaf",				/* NARROW NBSP */
	"\xe2\x80\xb0",				/* PER MILLE SIGN */
	"\xe2\x81\x9f",				/* MEDIUM MATH SPACE */
	"\xe2\x81\xa5",				/* U+2065, unassigned */
	"\xe2\x81\xb0",				/* SUPERSCRIPT ZERO */
	"\xe3\x85\xa4",				/* HANGUL FILLER */
	"\xef\xb8\x8f",				/* U+FE0F VS-16 */
	"\xef\xbb\xbe", "\xef\xbf\xb9",		/* U+FEFE, U+FFF9 */
	"\xf0\x9b\xb2\x9f", "\xf0\x9b\xb2\xa4",	/* U+1BC9F, U+1BCA4 */
	"\xf0\x9d\x85\xb2", "\xf0\x9d\x85\xbb",	/* U+1D172, U+1D17B */
	"\xf3\xa0\x80\x80", "\xf3\xa0\x80\x82",	/* U+E0000, U+E0002 */
	"\xf3\xa0\x80\x9f", "\xf3\xa0\x82\x80",	/* U+E001F, U+E0080 */
	"\xf3\xa0\x84\x80",			/* VARIATION SELECTOR-17 */
};
#define NNEIGHBOURS (sizeof(visible_neighbours) / sizeof(visible_neighbours[0]))

/* escape_csv of a NUL-terminated src, in a malloc'd string. */
static char *
csv_of(const char *src)
{
	size_t len = strlen(src), n;
	char *dst = malloc(ESCAPE_CSV_MAX(len) + 1);

	assert_non_null(dst);
	n = escape_csv(dst, src, len);
	assert_true(n <= ESCAPE_CSV_MAX(len));
	dst[n] = '\0';
	return dst;
}

/* escape_json of a NUL-terminated src, in a malloc'd string. */
static char *
json_of(const char *src)
{
	size_t len = strlen(src), n;
	char *dst = malloc(ESCAPE_JSON_MAX(len) + 1);

	assert_non_null(dst);
	n = escape_json(dst, src, len);
	assert_true(n <= ESCAPE_JSON_MAX(len));
	dst[n] = '\0';
	return dst;
}

/* Asserts that got is want, naming the case (what, n); frees got. */
static void
assert_got(char *got, const char *want, const char *format,
    const char *what, unsigned long n)
{
	if (strcmp(got, want) != 0)
		fail_msg("%s of %s%04lX: '%s', want '%s'", format, what, n,
		    got, want);
	free(got);
}

static void
should_escape_invisible_characters_in_text(void **state)
{
	char src[32], want[64];
	size_t i;

	(void)state;
	for (i = 0; i < NINVISIBLE; i++) {
		const struct invisible *v = &invisible[i];
		assert_got(escape_len(v->utf8, strlen(v->utf8)), v->text,
		    "text", "U+", v->cp);
		/* Inside a name: "lib<ZWSP>c.so" must not read "libc.so". */
		snprintf(src, sizeof(src), "lib%sc.so", v->utf8);
		snprintf(want, sizeof(want), "lib%sc.so", v->text);
		assert_got(escape_len(src, strlen(src)), want, "text", "U+",
		    v->cp);
	}
}

static void
should_escape_invisible_characters_in_csv(void **state)
{
	char src[32], want[64];
	size_t i;

	(void)state;
	for (i = 0; i < NINVISIBLE; i++) {
		const struct invisible *v = &invisible[i];
		/* As in text, and no quotes for a backslash. */
		assert_got(csv_of(v->utf8), v->text, "csv", "U+", v->cp);
		snprintf(src, sizeof(src), "a,%s", v->utf8);
		snprintf(want, sizeof(want), "\"a,%s\"", v->text);
		assert_got(csv_of(src), want, "csv", "U+", v->cp);
	}
}

static void
should_write_invisible_characters_in_json_as_u_escapes(void **state)
{
	char src[32], want[64];
	size_t i;

	(void)state;
	for (i = 0; i < NINVISIBLE; i++) {
		const struct invisible *v = &invisible[i];
		snprintf(want, sizeof(want), "\"%s\"", v->json);
		assert_got(json_of(v->utf8), want, "json", "U+", v->cp);
		snprintf(src, sizeof(src), "a%s\"", v->utf8);
		snprintf(want, sizeof(want), "\"a%s\\\"\"", v->json);
		assert_got(json_of(src), want, "json", "U+", v->cp);
	}
	/* U+2028 and U+2029 end a line in JavaScript, which JSON allows. */
	assert_got(json_of("\xe2\x80\xa8\xe2\x80\xa9"),
	    "\"\\u2028\\u2029\"", "json", "U+", 0x2028);
}

static void
should_keep_the_visible_neighbours_of_invisible_characters(void **state)
{
	char want[32];
	size_t i;

	(void)state;
	for (i = 0; i < NNEIGHBOURS; i++) {
		const char *s = visible_neighbours[i];
		assert_got(escape_len(s, strlen(s)), s, "text", "neighbour ",
		    i);
		assert_got(csv_of(s), s, "csv", "neighbour ", i);
		snprintf(want, sizeof(want), "\"%s\"", s);
		assert_got(json_of(s), want, "json", "neighbour ", i);
	}
}

/*
 * Every code point escape.h says is escaped beyond C0 and DEL is in
 * testdata.h's tl_escaped_ranges, written out again from its list.
 */
static void
should_escape_the_documented_code_points_and_no_others(void **state)
{
	char src[5], text[32], json[32], want[32];
	unsigned long cp, hi, lo;
	size_t len, n, k;

	(void)state;
	for (cp = 0x80; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		len = tl_utf8_encode((unsigned char *)src, (uint32_t)cp);
		src[len] = '\0';
		n = escape_text(text, src, len);
		text[n] = '\0';
		n = escape_json(json, src, len);
		json[n] = '\0';
		if (!tl_escaped_code_point((uint32_t)cp)) {
			if (strcmp(text, src) != 0)
				fail_msg("text escapes U+%04lX", cp);
			snprintf(want, sizeof(want), "\"%s\"", src);
			if (strcmp(json, want) != 0)
				fail_msg("json escapes U+%04lX", cp);
			continue;
		}
		for (k = 0; k < len; k++)
			snprintf(want + 4 * k, 5, "\\%03o",
			    (unsigned char)src[k]);
		if (strcmp(text, want) != 0)
			fail_msg("text of U+%04lX: '%s', want '%s'", cp, text,
			    want);
		if (cp < 0x10000)
			snprintf(want, sizeof(want), "\"\\u%04lx\"", cp);
		else {
			hi = 0xd800 + ((cp - 0x10000) >> 10);
			lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
			snprintf(want, sizeof(want), "\"\\u%04lx\\u%04lx\"", hi,
			    lo);
		}
		if (strcmp(json, want) != 0)
			fail_msg("json of U+%04lX: '%s', want '%s'", cp, json,
			    want);
	}
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
	/* The one-character CSI of C1, as ESC [ above. */
	ESCAPES_TO("\xc2\x9b" "31m", "\\302\\23331m");
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
		cmocka_unit_test(
		    should_escape_invisible_characters_in_text),
		cmocka_unit_test(
		    should_escape_invisible_characters_in_csv),
		cmocka_unit_test(
		    should_write_invisible_characters_in_json_as_u_escapes),
		cmocka_unit_test(
		    should_keep_the_visible_neighbours_of_invisible_characters),
		cmocka_unit_test(
		    should_escape_the_documented_code_points_and_no_others),
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
		cmocka_unit_test(should_escape_each_single_byte_exactly_as_specified),
		cmocka_unit_test(should_never_output_a_control_byte_for_random_names),
		cmocka_unit_test(should_need_at_most_four_bytes_per_input_byte),
		cmocka_unit_test(should_measure_ascii_as_one_byte),
		cmocka_unit_test(should_measure_well_formed_sequences),
		cmocka_unit_test(should_measure_ill_formed_sequences_as_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
