/*
 * fuzz_escape: libFuzzer targets for the escaping of mapping names, one per
 * output format. Built three times, with -DFUZZ_FORMAT=FORMAT_TEXT,
 * FORMAT_CSV or FORMAT_JSON (see the fuzz block of the Makefile).
 *
 * The input is a mapping name. It goes through the escaper alone (into a
 * buffer of exactly the ESCAPE_*_MAX room, so AddressSanitizer sees an
 * overrun) and through format_new + format_set_mapping + format_row and
 * format_summary_row into an in-memory out buffer. Then the output is
 * checked against what the format promises, with checkers independent of
 * src/: those here, testlib's strict CSV and JSON readers and its UTF-8
 * (tests/readers.c) and the escaped code points (tests/testdata.c):
 *
 *   text, tsv  no byte below 0x20 but the separators and the final '\n',
 *              no DEL, well-formed UTF-8 without C1 controls, separators,
 *              bidirectional controls or invisible format characters, and
 *              the name escaped exactly as documented (a reference escaper
 *              below);
 *   csv        exactly one record that a strict RFC 4180 reader reads
 *              back into the same fields as the TSV row of the same page;
 *   json       one line, terminal-safe like text (those characters only
 *              as \uXXXX), that a strict JSON reader accepts, whose "name"
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
#include "readers.h"
#include "testdata.h"

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
 * The text escape as escape.h documents it: printable ASCII and
 * well-formed UTF-8 kept, each other byte (controls, DEL, bytes outside
 * well-formed UTF-8, every byte of a character testdata.h lists as
 * escaped) as \ooo.
 */
static struct bytes
ref_text(const unsigned char *s, size_t len)
{
	struct bytes b = { xmalloc(len * 4), 0 };
	unsigned char *d = b.p;
	size_t i = 0, n, k;
	uint32_t cp = 0;

	while (i < len) {
		n = tl_utf8_decode(s + i, len - i, &cp);
		if (n == 1 && cp >= 0x20 && cp != 0x7f) {
			*d++ = s[i];
		} else if (n >= 2 && !tl_escaped_code_point(cp)) {
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
		n = tl_utf8_decode(s + i, len - i, &cp);
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
 * character testdata.h lists as escaped, no DEL, and no byte below 0x20 except a
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
		n = tl_utf8_decode(s + i, len - i, &cp);
		CHECK(n > 0);
		if (n == 1)
			CHECK((cp >= 0x20 && cp != 0x7f) ||
			    (sep != 0 && cp == (unsigned char)sep));
		else
			CHECK(!tl_escaped_code_point(cp));
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
 * Reads s (len bytes) as exactly one record with testlib's strict RFC
 * 4180 reader, into rec, beyond which pagemap-dump promises: the record
 * ends in LF rather than CRLF, and holds no control byte but CR and LF
 * (which the reader allows only quoted) and no DEL. Bytes 0x80-0xff are
 * text (UTF-8). Returns whether it is such a record.
 */
static bool
csv_one_record(const unsigned char *s, size_t len, struct tl_rec *rec)
{
	const char *p = (const char *)s, *why;
	size_t i;

	for (i = 0; i < len; i++)
		if ((s[i] < 0x20 && s[i] != '\r' && s[i] != '\n') ||
		    s[i] == 0x7f)
			return false;
	if (tl_csv_record(&p, (const char *)s + len, rec, &why) != 0 ||
	    p != (const char *)s + len)
		return false;
	/* Ended by LF: a CR before it would be a CRLF or an unquoted CR. */
	return !(len >= 2 && s[len - 2] == '\r');
}

/*
 * Checks one JSON Lines row: a single line holding one object that
 * testlib's strict reader accepts (RFC 8259, well-formed UTF-8, no raw
 * control, no duplicate key), terminal-safe (so no C1 or DEL raw either),
 * with a "name" string member exactly when want_name, decoding to want.
 */
static void
check_json_line(const unsigned char *s, size_t len, bool want_name,
    const struct bytes *want)
{
	const struct tl_jmember *name;
	struct tl_jobject o;
	const char *why;

	CHECK(len > 0 && s[len - 1] == '\n');
	CHECK(memchr(s, '\n', len - 1) == NULL);
	/* escape.h: controls and hidden characters as \uXXXX, never raw. */
	check_terminal_safe(s, len, 0, true);
	CHECK(tl_json_object((const char *)s, len - 1, &o, &why) == 0);
	name = tl_jget(&o, "name");
	CHECK((name != NULL) == want_name);
	if (want_name) {
		CHECK(name->type == TL_JSTRING);
		CHECK(bytes_equal((const unsigned char *)name->s, name->len,
		    want->p, want->len));
	}
	tl_jobject_free(&o);
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
		format_set_summary(f, SUMMARY_MAPPINGS | SUMMARY_PSS |
		    SUMMARY_PSS_CLASS | SUMMARY_SCAN);
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
	struct bytes tsv[MAX_FIELDS];
	struct tl_rec csv = { 0, 0, NULL, NULL, NULL };
	struct out out, tsv_out;
	size_t i, k, n, nfields, name_field;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		write_row(FORMAT_CSV, rows[i], map, &out);
		write_row(FORMAT_TSV, rows[i], map, &tsv_out);
		CHECK(csv_one_record((unsigned char *)out.buf, out.len, &csv));
		n = split_fields((unsigned char *)tsv_out.buf, tsv_out.len,
		    '\t', tsv, MAX_FIELDS);
		row_shape(rows[i], &nfields, &name_field);
		CHECK(csv.n == n && n == nfields);
		for (k = 0; k < n; k++)
			CHECK(bytes_equal((unsigned char *)csv.f[k], csv.len[k],
			    tsv[k].p, tsv[k].len));
		if (rows[i] != ROW_TOTAL)
			CHECK(bytes_equal((unsigned char *)csv.f[name_field],
			    csv.len[name_field], want->p, want->len));
		out_free(&out);
		out_free(&tsv_out);
	}
	tl_rec_free(&csv);
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
	struct tl_rec field = { 0, 0, NULL, NULL, NULL };
	unsigned char *dec;
	char *name, *dst;
	size_t n;

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
		CHECK(csv_one_record(dec, n + 1, &field));
		CHECK(field.n == 1);
		CHECK(bytes_equal((unsigned char *)field.f[0], field.len[0],
		    want_text.p, want_text.len));
		tl_rec_free(&field);
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
