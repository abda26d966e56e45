/*
 * fuzz_escape: libFuzzer targets for the escaping of mapping names, one per
 * output format. Built three times, with -DFUZZ_FORMAT=FORMAT_TEXT,
 * FORMAT_CSV or FORMAT_JSON (see the fuzz block of the Makefile).
 *
 * The input is a mapping name. It goes through the escaper alone (into a
 * buffer of exactly the ESCAPE_*_MAX room, so AddressSanitizer sees an
 * overrun) and through format_new + format_set_mapping + format_row and
 * format_summary_row into an in-memory out buffer. Then the output is
 * checked against what the format promises, with checkers written here
 * independently of src/:
 *
 *   text, tsv  no byte below 0x20 but the separators and the final '\n',
 *              no DEL, well-formed UTF-8 without C1 controls, separators,
 *              bidirectional controls or invisible format characters, and
 *              the name escaped exactly as documented (a reference escaper
 *              below);
 *   csv        exactly one record that a strict RFC 4180 parser reads
 *              back into the same fields as the TSV row of the same page;
 *   json       one line, terminal-safe like text (those characters only
 *              as \uXXXX), that a strict JSON parser accepts, whose "name"
 *              decodes to the input with each byte that is not part of
 *              well-formed UTF-8 as a backslash and three octal digits.
 *
 * A violation calls abort(), which libFuzzer reports as a crash.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "column.h"
#include "escape.h"
#include "format.h"
#include "maps.h"
#include "out.h"
#include "pagemap.h"

#ifndef FUZZ_FORMAT
#error "build with -DFUZZ_FORMAT=FORMAT_TEXT, FORMAT_CSV or FORMAT_JSON"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz_escape: %s:%d: check failed: %s\n", \
			    __FILE__, __LINE__, #cond);                    \
			abort();                                           \
		}                                                          \
	} while (0)

/* A byte string; the checkers below build them and free them. */
struct bytes {
	unsigned char *p;
	size_t len;
};

/* Room for n bytes, aborting when out of memory. */
static unsigned char *
xmalloc(size_t n)
{
	unsigned char *p = malloc(n > 0 ? n : 1);

	CHECK(p != NULL);
	return p;
}

static bool
bytes_equal(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/*
 * Reference UTF-8, written from the Unicode definition (a code point
 * decoded, then its range checked) rather than from escape.c's table:
 * returns the length of the well-formed sequence at s (n bytes available)
 * and its code point in *cp, or 0 when none starts there.
 */
static size_t
ref_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	uint32_t c;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Appends the UTF-8 encoding of a valid code point; returns the end. */
static unsigned char *
put_utf8(unsigned char *d, uint32_t c)
{
	if (c < 0x80) {
		*d++ = (unsigned char)c;
	} else if (c < 0x800) {
		*d++ = (unsigned char)(0xc0 | c >> 6);
		*d++ = (unsigned char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*d++ = (unsigned char)(0xe0 | c >> 12);
		*d++ = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		*d++ = (unsigned char)(0x80 | (c & 0x3f));
	} else {
		*d++ = (unsigned char)(0xf0 | c >> 18);
		*d++ = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		*d++ = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		*d++ = (unsigned char)(0x80 | (c & 0x3f));
	}
	return d;
}

static unsigned char *
put_octal(unsigned char *d, unsigned char c)
{
	*d++ = '\\';
	*d++ = (unsigned char)('0' + (c >> 6));
	*d++ = (unsigned char)('0' + (c >> 3 & 7));
	*d++ = (unsigned char)('0' + (c & 7));
	return d;
}

/*
 * Whether code point cp (above U+007F) is one escape.h lists as escaped:
 * a C1 control, a line or paragraph separator, a bidirectional control or
 * an invisible format character. Written from that list, not from
 * escape.c's table.
 */
static bool
is_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||		/* C1 */
	    cp == 0xad || cp == 0x61c || cp == 0x180e ||
	    (cp >= 0x200b && cp <= 0x200f) ||		/* ZWSP-RLM */
	    (cp >= 0x2028 && cp <= 0x202e) ||	/* LS, PS, LRE..RLO */
	    (cp >= 0x2060 && cp <= 0x2064) ||		/* WJ, operators */
	    (cp >= 0x2066 && cp <= 0x206f) ||	/* LRI..PDI, deprecated */
	    cp == 0xfeff ||				/* BOM */
	    (cp >= 0x1bca0 && cp <= 0x1bca3) ||		/* shorthand */
	    (cp >= 0x1d173 && cp <= 0x1d17a) ||		/* musical */
	    cp == 0xe0001 || (cp >= 0xe0020 && cp <= 0xe007f);	/* tags */
}

/*
 * The text escape as escape.h documents it: printable ASCII and
 * well-formed UTF-8 kept, each other byte (controls, DEL, bytes outside
 * well-formed UTF-8, every byte of a character is_hidden names) as \ooo.
 */
static struct bytes
ref_text(const unsigned char *s, size_t len)
{
	struct bytes b = { xmalloc(len * 4), 0 };
	unsigned char *d = b.p;
	size_t i = 0, n, k;
	uint32_t cp = 0;

	while (i < len) {
		n = ref_utf8(s + i, len - i, &cp);
		if (n == 1 && cp >= 0x20 && cp != 0x7f) {
			*d++ = s[i];
		} else if (n >= 2 && !is_hidden(cp)) {
			memcpy(d, s + i, n);
			d += n;
		} else {
			if (n == 0)
				n = 1;
			for (k = 0; k < n; k++)
				d = put_octal(d, s[i + k]);
		}
		i += n;
	}
	b.len = (size_t)(d - b.p);
	return b;
}

/*
 * What the JSON "name" must decode to: the input, with each byte that
 * does not belong to well-formed UTF-8 as \ooo.
 */
static struct bytes
ref_json_decoded(const unsigned char *s, size_t len)
{
	struct bytes b = { xmalloc(len * 4), 0 };
	unsigned char *d = b.p;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = ref_utf8(s + i, len - i, &cp);
		if (n == 0) {
			d = put_octal(d, s[i]);
			n = 1;
		} else {
			memcpy(d, s + i, n);
			d += n;
		}
		i += n;
	}
	b.len = (size_t)(d - b.p);
	return b;
}

/*
 * Checks that s (len bytes) is safe for a terminal: well-formed UTF-8, no
 * character is_hidden names, no DEL, and no byte below 0x20 except a
 * separator sep (0 for none) and a '\n' as the very last byte when
 * final_nl.
 */
static void
check_terminal_safe(const unsigned char *s, size_t len, char sep,
    bool final_nl)
{
	size_t i = 0, n;
	uint32_t cp = 0;

	if (final_nl) {
		CHECK(len > 0 && s[len - 1] == '\n');
		len--;
	}
	while (i < len) {
		n = ref_utf8(s + i, len - i, &cp);
		CHECK(n > 0);
		if (n == 1)
			CHECK((cp >= 0x20 && cp != 0x7f) ||
			    (sep != 0 && cp == (unsigned char)sep));
		else
			CHECK(!is_hidden(cp));
		i += n;
	}
}

/* Splits a line (final '\n' included) at each sep into fields. */
static size_t
split_fields(const unsigned char *s, size_t len, char sep,
    struct bytes *fields, size_t max)
{
	size_t n = 0, start = 0, i;

	CHECK(len > 0 && s[len - 1] == '\n');
	len--;
	CHECK(memchr(s, '\n', len) == NULL);
	for (i = 0; i <= len; i++)
		if (i == len || s[i] == (unsigned char)sep) {
			CHECK(n < max);
			fields[n].p = (unsigned char *)s + start;
			fields[n].len = i - start;
			n++;
			start = i + 1;
		}
	return n;
}

/*
 * A strict RFC 4180 reader for exactly one record. Deviations, both what
 * pagemap-dump promises: the record ends in LF rather than CRLF, and bytes
 * 0x80-0xff count as TEXTDATA (they are UTF-8). Controls other than CR and
 * LF, and DEL, are rejected everywhere; a quote may appear only doubled
 * inside a quoted field; nothing may follow the one record. Decoded fields
 * go to dec (room for len bytes). Returns the number of fields, or -1.
 */
static long
csv_parse_record(const unsigned char *s, size_t len, unsigned char *dec,
    struct bytes *fields, size_t max)
{
	size_t i = 0, n = 0;
	unsigned char *d = dec;

	for (;;) {
		if (n == max)
			return -1;
		fields[n].p = d;
		if (i < len && s[i] == '"') {
			i++;
			for (;;) {
				if (i >= len)
					return -1;	/* unterminated */
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') {
						*d++ = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if ((s[i] < 0x20 && s[i] != '\r' &&
				    s[i] != '\n') || s[i] == 0x7f)
					return -1;
				*d++ = s[i++];
			}
		} else {
			while (i < len && s[i] != ',' && s[i] != '\n') {
				if (s[i] < 0x20 || s[i] == 0x7f || s[i] == '"')
					return -1;
				*d++ = s[i++];
			}
		}
		fields[n].len = (size_t)(d - fields[n].p);
		n++;
		if (i >= len)
			return -1;	/* no record terminator */
		if (s[i] == ',') {
			i++;
			continue;
		}
		if (s[i] != '\n' || i + 1 != len)
			return -1;	/* junk after a field, or a second record */
		return (long)n;
	}
}

/*
 * A strict JSON (RFC 8259) parser: objects, arrays, strings with every
 * escape (\uXXXX with surrogate pairs; lone surrogates rejected), numbers,
 * true, false, null; strings must be well-formed UTF-8 with no raw
 * control. It records the decoded "name" member of the top-level object.
 */
struct json {
	const unsigned char *s;
	size_t len, i;
	unsigned char *scratch;	/* decoded strings; room for len bytes */
	struct bytes name;	/* the top-level "name", decoded */
	int names;		/* how many top-level "name" members */
};

static void
json_ws(struct json *j)
{
	while (j->i < j->len && (j->s[j->i] == ' ' || j->s[j->i] == '\t' ||
	    j->s[j->i] == '\n' || j->s[j->i] == '\r'))
		j->i++;
}

static bool
json_lit(struct json *j, const char *w)
{
	size_t n = strlen(w);

	if (j->len - j->i < n || memcmp(j->s + j->i, w, n) != 0)
		return false;
	j->i += n;
	return true;
}

static int
json_hex4(struct json *j)
{
	int v = 0, k, c, d;

	if (j->len - j->i < 4)
		return -1;
	for (k = 0; k < 4; k++) {
		c = j->s[j->i + (size_t)k];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	j->i += 4;
	return v;
}

/* Parses a string at j->i into out (decoded). Returns false if invalid. */
static bool
json_string(struct json *j, struct bytes *out)
{
	unsigned char *d = j->scratch;
	uint32_t cp = 0;
	size_t n;
	int u, lo;

	if (j->i >= j->len || j->s[j->i] != '"')
		return false;
	j->i++;
	for (;;) {
		if (j->i >= j->len)
			return false;
		unsigned char c = j->s[j->i];
		if (c == '"') {
			j->i++;
			break;
		}
		if (c < 0x20)
			return false;
		if (c != '\\') {
			n = ref_utf8(j->s + j->i, j->len - j->i, &cp);
			if (n == 0)
				return false;
			memcpy(d, j->s + j->i, n);
			d += n;
			j->i += n;
			continue;
		}
		if (++j->i >= j->len)
			return false;
		c = j->s[j->i++];
		switch (c) {
		case '"': *d++ = '"'; break;
		case '\\': *d++ = '\\'; break;
		case '/': *d++ = '/'; break;
		case 'b': *d++ = '\b'; break;
		case 'f': *d++ = '\f'; break;
		case 'n': *d++ = '\n'; break;
		case 'r': *d++ = '\r'; break;
		case 't': *d++ = '\t'; break;
		case 'u':
			if ((u = json_hex4(j)) < 0)
				return false;
			if (u >= 0xdc00 && u <= 0xdfff)
				return false;	/* lone low surrogate */
			if (u >= 0xd800 && u <= 0xdbff) {
				if (!json_lit(j, "\\u") ||
				    (lo = json_hex4(j)) < 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return false;
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			d = put_utf8(d, (uint32_t)u);
			break;
		default:
			return false;
		}
	}
	out->len = (size_t)(d - j->scratch);
	out->p = xmalloc(out->len);
	if (out->len > 0)
		memcpy(out->p, j->scratch, out->len);
	return true;
}

static bool
json_digits(struct json *j)
{
	size_t from = j->i;

	while (j->i < j->len && j->s[j->i] >= '0' && j->s[j->i] <= '9')
		j->i++;
	return j->i > from;
}

static bool
json_number(struct json *j)
{
	if (j->i < j->len && j->s[j->i] == '-')
		j->i++;
	if (j->i < j->len && j->s[j->i] == '0')
		j->i++;
	else if (j->i >= j->len || j->s[j->i] < '1' || j->s[j->i] > '9' ||
	    !json_digits(j))
		return false;
	if (j->i < j->len && j->s[j->i] == '.') {
		j->i++;
		if (!json_digits(j))
			return false;
	}
	if (j->i < j->len && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		if (j->i < j->len && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		if (!json_digits(j))
			return false;
	}
	return true;
}

static bool json_value(struct json *j, int depth);

static bool
json_object(struct json *j, int depth)
{
	struct bytes key, val;

	j->i++;	/* '{' */
	json_ws(j);
	if (j->i < j->len && j->s[j->i] == '}') {
		j->i++;
		return true;
	}
	for (;;) {
		json_ws(j);
		if (!json_string(j, &key))
			return false;
		json_ws(j);
		if (!json_lit(j, ":")) {
			free(key.p);
			return false;
		}
		json_ws(j);
		if (depth == 0 && bytes_equal(key.p, key.len,
		    (const unsigned char *)"name", 4)) {
			free(key.p);
			if (!json_string(j, &val))
				return false;
			if (j->names++ == 0)
				j->name = val;
			else
				free(val.p);
		} else {
			free(key.p);
			if (!json_value(j, depth + 1))
				return false;
		}
		json_ws(j);
		if (json_lit(j, ","))
			continue;
		return json_lit(j, "}");
	}
}

static bool
json_array(struct json *j, int depth)
{
	j->i++;	/* '[' */
	json_ws(j);
	if (json_lit(j, "]"))
		return true;
	for (;;) {
		if (!json_value(j, depth + 1))
			return false;
		json_ws(j);
		if (json_lit(j, ","))
			continue;
		return json_lit(j, "]");
	}
}

static bool
json_value(struct json *j, int depth)
{
	struct bytes str;

	if (depth > 64)
		return false;
	json_ws(j);
	if (j->i >= j->len)
		return false;
	switch (j->s[j->i]) {
	case '{':
		return json_object(j, depth);
	case '[':
		return json_array(j, depth);
	case '"':
		if (!json_string(j, &str))
			return false;
		free(str.p);
		return true;
	case 't':
		return json_lit(j, "true");
	case 'f':
		return json_lit(j, "false");
	case 'n':
		return json_lit(j, "null");
	default:
		return json_number(j);
	}
}

/*
 * Checks one JSON Lines row: a single line holding one object that the
 * strict parser accepts, with no raw control byte (C0, DEL or C1), with a
 * "name" member exactly when want_name, and that "name" decoding to want.
 */
static void
check_json_line(const unsigned char *s, size_t len, bool want_name,
    const struct bytes *want)
{
	struct json j;

	CHECK(len > 0 && s[len - 1] == '\n');
	CHECK(memchr(s, '\n', len - 1) == NULL);
	/* escape.h: controls and hidden characters as \uXXXX, never raw. */
	check_terminal_safe(s, len, 0, true);
	memset(&j, 0, sizeof(j));
	j.s = s;
	j.len = len - 1;
	j.scratch = xmalloc(len);
	json_ws(&j);
	CHECK(j.i < j.len && j.s[j.i] == '{');
	CHECK(json_value(&j, 0));
	json_ws(&j);
	CHECK(j.i == j.len);
	CHECK(j.names == (want_name ? 1 : 0));
	if (want_name)
		CHECK(bytes_equal(j.name.p, j.name.len, want->p, want->len));
	free(j.name.p);
	free(j.scratch);
}

/* The mapping and page every row is written for. */
static const struct pagemap_entry page = {
	.raw = PM_PRESENT | 0x1234,
	.pfn = 0x1234,
	.present = true,
	.soft_dirty = true,
};

/* Columns with the name in the middle, and the name last (by name). */
static const char *const middle_names[] = {
	"addr", "perms", "name", "dev", "inode", "present",
};
static const char *const last_names[] = {
	"pid", "pfn", "offset", "name",
};

/* The registry indexes of n column names. */
static const unsigned *
columns(const char *const *names, size_t n)
{
	static unsigned cols[8];
	size_t i;

	for (i = 0; i < n; i++) {
		int c = column_find(names[i], strlen(names[i]));
		CHECK(c >= 0);
		cols[i] = (unsigned)c;
	}
	return cols;
}

enum row_kind { ROW_MIDDLE, ROW_LAST, ROW_DEFAULT, ROW_SUMMARY, ROW_TOTAL };

/*
 * Writes one row of the given kind for map in format kind into a fresh
 * in-memory out; the caller frees out.
 */
static void
write_row(enum format_kind kind, enum row_kind row, const struct maps_entry *map,
    struct out *out)
{
	struct format *f;
	struct format_row r;
	struct format_summary sum;
	const unsigned *cols = column_defaults;
	size_t ncols = column_ndefaults;

	if (row == ROW_MIDDLE) {
		ncols = sizeof(middle_names) / sizeof(middle_names[0]);
		cols = columns(middle_names, ncols);
	} else if (row == ROW_LAST) {
		ncols = sizeof(last_names) / sizeof(last_names[0]);
		cols = columns(last_names, ncols);
	}
	f = format_new(kind, cols, ncols);
	CHECK(f != NULL);
	CHECK(out_init(out, -1, 64) == 0);
	CHECK(format_set_mapping(f, map) == 0);
	if (row == ROW_SUMMARY || row == ROW_TOTAL) {
		/* Every summary column there is (as root, with PAGEMAP_SCAN). */
		format_set_summary(f, SUMMARY_PSS | SUMMARY_PSS_CLASS |
		    SUMMARY_SCAN);
		memset(&sum, 0, sizeof(sum));
		sum.map = row == ROW_SUMMARY ? map : NULL;
		sum.pid = 42;
		sum.pages = sum.present = 1;
		sum.soft_dirty = 1;
		sum.page_size = 4096;
		CHECK(format_summary_row(f, out, &sum) == 0);
	} else {
		memset(&r, 0, sizeof(r));
		r.addr = map->start;
		r.entry = &page;
		r.map = map;
		r.page_size = 4096;
		r.pid = 42;
		CHECK(format_row(f, out, &r) == 0);
	}
	CHECK(out->error == 0);
	format_free(f);
}

/* How many fields a row of the given kind has, and which is the name. */
static void
row_shape(enum row_kind row, size_t *nfields, size_t *name_field)
{
	switch (row) {
	case ROW_MIDDLE:
		*nfields = sizeof(middle_names) / sizeof(middle_names[0]);
		*name_field = 2;
		break;
	case ROW_LAST:
		*nfields = sizeof(last_names) / sizeof(last_names[0]);
		*name_field = *nfields - 1;
		break;
	case ROW_DEFAULT:
		*nfields = column_ndefaults;
		*name_field = *nfields - 1;
		break;
	case ROW_SUMMARY:	/* start ... swap-kib name: 26 columns */
	case ROW_TOTAL:
		*nfields = 26;
		*name_field = 25;
		break;
	}
}

#define MAX_FIELDS 32

/*
 * Text and TSV: terminal-safe lines; in TSV, which splits exactly, the
 * right number of fields with the name escaped as documented.
 */
static void
check_text_rows(const struct maps_entry *map, const struct bytes *want)
{
	static const enum row_kind rows[] = {
		ROW_MIDDLE, ROW_LAST, ROW_DEFAULT, ROW_SUMMARY, ROW_TOTAL,
	};
	struct bytes fields[MAX_FIELDS];
	struct out out;
	size_t i, n, nfields, name_field;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		write_row(FORMAT_TEXT, rows[i], map, &out);
		check_terminal_safe((unsigned char *)out.buf, out.len, 0, true);
		out_free(&out);

		write_row(FORMAT_TSV, rows[i], map, &out);
		check_terminal_safe((unsigned char *)out.buf, out.len, '\t',
		    true);
		n = split_fields((unsigned char *)out.buf, out.len, '\t',
		    fields, MAX_FIELDS);
		row_shape(rows[i], &nfields, &name_field);
		CHECK(n == nfields);
		if (rows[i] != ROW_TOTAL)
			CHECK(bytes_equal(fields[name_field].p,
			    fields[name_field].len, want->p, want->len));
		else
			CHECK(fields[name_field].len == 0);
		out_free(&out);
	}
}

/*
 * CSV: each row is exactly one record that reads back into the fields of
 * the TSV row for the same page, the name among them as the text escape.
 */
static void
check_csv_rows(const struct maps_entry *map, const struct bytes *want)
{
	static const enum row_kind rows[] = {
		ROW_MIDDLE, ROW_LAST, ROW_DEFAULT, ROW_SUMMARY, ROW_TOTAL,
	};
	struct bytes csv[MAX_FIELDS], tsv[MAX_FIELDS];
	struct out out, tsv_out;
	unsigned char *dec;
	size_t i, k, n, nfields, name_field;
	long got;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		write_row(FORMAT_CSV, rows[i], map, &out);
		write_row(FORMAT_TSV, rows[i], map, &tsv_out);
		dec = xmalloc(out.len);
		got = csv_parse_record((unsigned char *)out.buf, out.len, dec,
		    csv, MAX_FIELDS);
		CHECK(got > 0);
		n = split_fields((unsigned char *)tsv_out.buf, tsv_out.len,
		    '\t', tsv, MAX_FIELDS);
		row_shape(rows[i], &nfields, &name_field);
		CHECK((size_t)got == n && n == nfields);
		for (k = 0; k < n; k++)
			CHECK(bytes_equal(csv[k].p, csv[k].len, tsv[k].p,
			    tsv[k].len));
		if (rows[i] != ROW_TOTAL)
			CHECK(bytes_equal(csv[name_field].p,
			    csv[name_field].len, want->p, want->len));
		free(dec);
		out_free(&out);
		out_free(&tsv_out);
	}
}

/* JSON: each row one valid line; "name" decodes as documented. */
static void
check_json_rows(const struct maps_entry *map, const struct bytes *want)
{
	static const enum row_kind rows[] = {
		ROW_MIDDLE, ROW_LAST, ROW_DEFAULT, ROW_SUMMARY, ROW_TOTAL,
	};
	struct out out;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		write_row(FORMAT_JSON, rows[i], map, &out);
		check_json_line((unsigned char *)out.buf, out.len,
		    rows[i] != ROW_TOTAL, want);
		out_free(&out);
	}
}

/* Does a text escape need CSV quotes (escape.h: comma, quote, edge space)? */
static bool
csv_needs_quotes(const struct bytes *t)
{
	return (t->len > 0 && (t->p[0] == ' ' || t->p[t->len - 1] == ' ')) ||
	    memchr(t->p, ',', t->len) != NULL ||
	    memchr(t->p, '"', t->len) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct maps_entry map;
	struct bytes want_text, want;
	struct bytes fields[2];
	unsigned char *dec;
	char *name, *dst;
	size_t n;
	long got;

	/* The name in a buffer of its own size, so over-reads are seen. */
	name = (char *)xmalloc(size);
	if (size > 0)
		memcpy(name, data, size);
	want_text = ref_text(data, size);

	memset(&map, 0, sizeof(map));
	map.start = 0x7f0000001000;
	map.end = 0x7f0000003000;
	memcpy(map.perms, "rw-p", 5);
	map.offset = 0x2000;
	map.dev_major = 8;
	map.dev_minor = 1;
	map.inode = 123456;
	map.name = name;
	map.name_len = size;

	switch (FUZZ_FORMAT) {
	case FORMAT_TEXT:
	case FORMAT_TSV:
		dst = (char *)xmalloc(ESCAPE_TEXT_MAX(size));
		n = escape_text(dst, name, size);
		CHECK(n <= ESCAPE_TEXT_MAX(size));
		CHECK(bytes_equal((unsigned char *)dst, n, want_text.p,
		    want_text.len));
		check_terminal_safe((unsigned char *)dst, n, 0, false);
		free(dst);
		check_text_rows(&map, &want_text);
		break;
	case FORMAT_CSV:
		dst = (char *)xmalloc(ESCAPE_CSV_MAX(size));
		n = escape_csv(dst, name, size);
		CHECK(n <= ESCAPE_CSV_MAX(size));
		/* Alone, the field is one record of one field. */
		dec = xmalloc(n + 1);
		memcpy(dec, dst, n);
		dec[n] = '\n';
		{
			unsigned char *fdec = xmalloc(n + 1);
			got = csv_parse_record(dec, n + 1, fdec, fields, 2);
			CHECK(got == 1);
			CHECK(bytes_equal(fields[0].p, fields[0].len,
			    want_text.p, want_text.len));
			free(fdec);
		}
		CHECK((n > 0 && dst[0] == '"') == csv_needs_quotes(&want_text));
		free(dec);
		free(dst);
		check_csv_rows(&map, &want_text);
		break;
	case FORMAT_JSON:
		dst = (char *)xmalloc(ESCAPE_JSON_MAX(size));
		n = escape_json(dst, name, size);
		CHECK(n <= ESCAPE_JSON_MAX(size));
		want = ref_json_decoded(data, size);
		/* Alone, a JSON string: wrap it as {"name":...} to check. */
		dec = xmalloc(n + 10);
		memcpy(dec, "{\"name\":", 8);
		memcpy(dec + 8, dst, n);
		memcpy(dec + 8 + n, "}\n", 2);
		check_json_line(dec, n + 10, true, &want);
		free(dec);
		free(dst);
		check_json_rows(&map, &want);
		free(want.p);
		break;
	}
	free(want_text.p);
	free(name);
	return 0;
}
