/*
 * End-to-end tests with hostile mapping names: a child maps files whose
 * names hold terminal escapes, tabs, commas and quotes, backslashes, a
 * newline, bytes that are not UTF-8, invisible characters, and a
 * 4000-byte path. In every format
 * each row must stay one line with no raw control byte; CSV must parse
 * back (RFC 4180) and JSON (strict) to the name the kernel gave.
 *
 * The parsers and the expected escapes are written here from the RFCs and
 * the man page, not taken from the tool's sources, so a mistake in those
 * cannot hide itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

/* Seconds any one run of the tool may take, under valgrind included. */
#define TOOL_TIMEOUT 120

/* The long names: nested directories of 250-byte names under /tmp. */
#define LONG_PATH 4000
#define LONG_COMPONENT 250
#define MAX_DIRS 32

/* The most rows a test reads: a header and 64 pages. */
#define MAX_LINES 80

/* The most columns -o takes. */
#define MAX_COLUMNS 64

#define TEXT_HEADER "addr pfn soft-dirty file/shared swapped present library"
#define NCOLUMNS 7

/*
 * A hostile name: /tmp/pmd-hostile-PID-TAG-PAYLOAD-end, or a path of
 * length bytes made of nested directories.
 */
struct hostile {
	const char *tag;	/* -m pmd-hostile-PID-TAG- selects it alone */
	const char *payload;	/* NULL: a path of length bytes */
	bool at_end;		/* the payload ends the name (no "-end") */
	size_t length;		/* for a nested path */
	size_t pages;		/* the file's size; 2 when 0 */
	char *path;		/* the file, as created */
	char *kernel;		/* the name as maps gives it */
	char *select;		/* the -m argument */
	uintptr_t addr;		/* where the child mapped it, whole */
};

static struct hostile names[] = {
	{ .tag = "ansi", .payload = "\033[31mred\033[0m" },
	{ .tag = "tab", .payload = "a\tb" },
	{ .tag = "csv", .payload = "a,b\"c\"" },
	{ .tag = "backslash", .payload = "\\012" },
	{ .tag = "newline", .payload = "a\nb" },
	{ .tag = "invalid", .payload = "\xff\xfe" },
	{ .tag = "del", .payload = "a\x7f" "b" },
	/* U+009B, the one-character CSI of C1. */
	{ .tag = "c1", .payload = "\xc2\x9b" "31m" },
	/*
	 * Invisible characters that make a name read as another, between
	 * letters: ZERO WIDTH SPACE, ZWNJ, ZWJ, WORD JOINER, INVISIBLE
	 * TIMES, LINE and PARAGRAPH SEPARATOR, ARABIC LETTER MARK, SOFT
	 * HYPHEN, MONGOLIAN VOWEL SEPARATOR, the BOM, a TAG LATIN SMALL
	 * LETTER A, and RIGHT-TO-LEFT OVERRIDE.
	 */
	{ .tag = "invisible", .payload = "a\xe2\x80\x8b" "b\xe2\x80\x8c"
	    "c\xe2\x80\x8d" "d\xe2\x81\xa0" "e\xe2\x81\xa2" "f\xe2\x80\xa8"
	    "g\xe2\x80\xa9" "h\xd8\x9c" "i\xc2\xad" "j\xe1\xa0\x8e"
	    "k\xef\xbb\xbf" "l\xf3\xa0\x81\xa1" "m\xe2\x80\xae" "n" },
	/* Printable UTF-8 must pass through as it is. */
	{ .tag = "utf8", .payload = "\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80" },
	/* A trailing space: CSV must quote it. */
	{ .tag = "space", .payload = " a b ", .at_end = true },
	{ .tag = "long", .length = LONG_PATH },
	/*
	 * 64 rows of 64 copies of a 1000-byte name: rows of 64 KB, more
	 * than a row of the tool's 256 KB buffer holds after four of them.
	 */
	{ .tag = "wide", .length = 1000, .pages = 64 },
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static long page;
static char long_dirs[MAX_DIRS][LONG_PATH + 1];
static size_t nlong_dirs;

/* The number of pages (and rows) of a name's file. */
static size_t
pages_of(const struct hostile *h)
{
	return h->pages != 0 ? h->pages : 2;
}

static struct {
	pid_t pid;
	int hold;
	char arg[16];
} child;

/* Appends c as a backslash and three octal digits. */
static void
buf_octal(struct tl_buf *b, unsigned char c)
{
	char o[5];

	snprintf(o, sizeof(o), "\\%03o", c);
	tl_buf_add(b, o, 4);
}

/*
 * Whether the well-formed sequence of len bytes at s is one of the
 * characters the man page says are escaped beyond C0 and DEL (testdata.h:
 * the C1 controls, the invisible format characters, the line and
 * paragraph separators and the bidirectional controls).
 */
static bool
escaped_character(const unsigned char *s, size_t len)
{
	uint32_t cp;

	return len >= 2 && tl_utf8_decode(s, len, &cp) == len &&
	    tl_escaped_code_point(cp);
}

/*
 * What the text, TSV and CSV formats print for a name, by the man page:
 * control bytes, 0x7f, bytes outside well-formed UTF-8 and the UTF-8 of
 * the C1 controls, the invisible format characters, the line and
 * paragraph separators and the bidirectional controls, each byte as a
 * backslash and three octal digits.
 */
static void
expect_text(struct tl_buf *b, const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = strlen(name), i = 0, k, len;

	while (i < n) {
		len = tl_utf8_len(s + i, n - i);
		if (len == 0 || (len == 1 && (s[i] < 0x20 || s[i] == 0x7f)))
			buf_octal(b, s[i++]);
		else if (escaped_character(s + i, len))
			for (k = 0; k < len; k++)
				buf_octal(b, s[i++]);
		else {
			tl_buf_add(b, name + i, len);
			i += len;
		}
	}
}

/*
 * What a JSON name decodes to, by the man page: the name itself, but for
 * each byte outside well-formed UTF-8, a backslash and three octal digits.
 */
static void
expect_json(struct tl_buf *b, const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = strlen(name), i = 0, len;

	while (i < n) {
		len = tl_utf8_len(s + i, n - i);
		if (len == 0)
			buf_octal(b, s[i++]);
		else {
			tl_buf_add(b, name + i, len);
			i += len;
		}
	}
}

/* One run of the tool: exact bytes of stdout and of stderr. */
struct run {
	struct tl_buf out, err;
};

/*
 * Runs the tool on the child with -f format, -m for one name and the
 * options in extra (NULL-terminated, or NULL), bounded by
 * alarm(TOOL_TIMEOUT); fails unless it exits 0.
 */
static void
run_on(struct run *r, const char *format, const struct hostile *h,
    const char *const *extra)
{
	const char *args[16];
	const struct tl_how how = { .timeout = TOOL_TIMEOUT };
	int n = 0, status;
	int out = memfd_create("out", MFD_CLOEXEC);
	int err = memfd_create("err", MFD_CLOEXEC);

	args[n++] = "-f";
	args[n++] = format;
	args[n++] = "-m";
	args[n++] = h->select;
	while (extra != NULL && *extra != NULL && n < 14)
		args[n++] = *extra++;
	args[n++] = child.arg;
	args[n] = NULL;
	assert_true(out >= 0 && err >= 0);
	status = tl_wait(tl_spawn(&how, out, err, args));
	memset(r, 0, sizeof(*r));
	lseek(out, 0, SEEK_SET);
	lseek(err, 0, SEEK_SET);
	tl_buf_read_fd(&r->out, out);
	tl_buf_read_fd(&r->err, err);
	close(out);
	close(err);
	tl_assert_not_killed(status, h->tag, tl_buf_str(&r->err));
	if (WEXITSTATUS(status) != 0)
		fail_msg("-f %s, name %s: exit %d: %s", format, h->tag,
		    WEXITSTATUS(status), tl_buf_str(&r->err));
}

static void
run_free(struct run *r)
{
	tl_buf_free(&r->out);
	tl_buf_free(&r->err);
}


/*
 * Fails if a raw control byte, or a raw C1, invisible, separator or
 * bidirectional character, is in the output.
 */
static void
assert_no_raw_controls(const struct tl_buf *out, const char *format,
    const struct hostile *h, bool tabs_allowed)
{
	const unsigned char *s = (const unsigned char *)out->s;
	size_t i, len;

	for (i = 0; i < out->len; i += len > 0 ? len : 1) {
		len = tl_utf8_len(s + i, out->len - i);
		if (s[i] == '\n' || (s[i] == '\t' && tabs_allowed))
			continue;
		if (s[i] < 0x20 || s[i] == 0x7f)
			fail_msg("-f %s, name %s: raw byte 0x%02x at %zu",
			    format, h->tag, s[i], i);
		if (escaped_character(s + i, len))
			fail_msg("-f %s, name %s: raw character %02x %02x at "
			    "%zu", format, h->tag, s[i], s[i + 1], i);
	}
}

/* Splits out into its lines, which must all end with '\n'. */
static size_t
split_lines(struct tl_buf *out, char **lines, size_t max)
{
	size_t n = 0;
	char *p = out->s, *nl, *end = out->s + out->len;

	if (out->len > 0 && end[-1] != '\n')
		fail_msg("output does not end with a line end");
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		*nl = '\0';
		if (n == max)
			fail_msg("more than %zu lines: %s", max, lines[0]);
		lines[n++] = p;
	}
	return n;
}

static uint64_t
parse_hex(const char *s, const char *what)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 16);
	if (errno != 0 || end == s || *end != '\0')
		fail_msg("%s: not a hex number: %s", what, s);
	return v;
}

/* The name field of a text row: what follows the sixth column. */
static const char *
text_name(const char *line, uint64_t *addr)
{
	const char *p = line;
	char first[20];
	int col;

	for (col = 0; col < 6; col++) {
		const char *sp = strchr(p, ' ');
		if (sp == NULL)
			fail_msg("a text row of fewer than 7 columns: %s", line);
		if (col == 0) {
			if ((size_t)(sp - p) >= sizeof(first))
				fail_msg("no address first: %s", line);
			memcpy(first, p, (size_t)(sp - p));
			first[sp - p] = '\0';
			*addr = parse_hex(first, "text addr");
		}
		p = sp + 1;
	}
	return p;
}

static void
should_keep_each_text_row_on_one_line_with_names_escaped(void **state)
{
	struct tl_buf want = { NULL, 0, 0 };
	char *lines[MAX_LINES];
	struct run r;
	uint64_t addr;
	size_t i, k;
	(void)state;

	for (i = 0; i < NNAMES; i++) {
		const struct hostile *h = &names[i];
		run_on(&r, "text", h, NULL);
		assert_no_raw_controls(&r.out, "text", h, false);
		if (split_lines(&r.out, lines, MAX_LINES) != pages_of(h) + 1)
			fail_msg("name %s: not a header and %zu rows", h->tag,
			    pages_of(h));
		assert_string_equal(lines[0], TEXT_HEADER);
		want.len = 0;
		expect_text(&want, h->kernel);
		for (k = 1; k <= pages_of(h); k++) {
			const char *name = text_name(lines[k], &addr);
			assert_int_equal(addr, h->addr + (k - 1) *
			    (uint64_t)page);
			if (strcmp(name, want.s) != 0)
				fail_msg("name %s: printed '%s', want '%s'",
				    h->tag, name, want.s);
		}
		run_free(&r);
	}
	tl_buf_free(&want);
}

/* Splits a line at tabs; fails unless it has exactly NCOLUMNS fields. */
static void
split_tabs(char *line, char **fields, const char *tag)
{
	size_t n = 0;
	char *tab;

	for (;;) {
		if (n == NCOLUMNS)
			fail_msg("name %s: more than %d TSV fields", tag,
			    NCOLUMNS);
		fields[n++] = line;
		if ((tab = strchr(line, '\t')) == NULL)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	if (n != NCOLUMNS)
		fail_msg("name %s: %zu TSV fields, not %d", tag, n, NCOLUMNS);
}

static void
should_keep_each_tsv_row_to_its_fields_with_names_escaped(void **state)
{
	static const char *const header[NCOLUMNS] = { "addr", "pfn",
		"soft-dirty", "file/shared", "swapped", "present", "library" };
	struct tl_buf want = { NULL, 0, 0 };
	char *lines[MAX_LINES], *fields[NCOLUMNS];
	struct run r;
	size_t i, k, c;
	(void)state;

	for (i = 0; i < NNAMES; i++) {
		const struct hostile *h = &names[i];
		run_on(&r, "tsv", h, NULL);
		assert_no_raw_controls(&r.out, "tsv", h, true);
		if (split_lines(&r.out, lines, MAX_LINES) != pages_of(h) + 1)
			fail_msg("name %s: not a header and %zu rows", h->tag,
			    pages_of(h));
		split_tabs(lines[0], fields, h->tag);
		for (c = 0; c < NCOLUMNS; c++)
			assert_string_equal(fields[c], header[c]);
		want.len = 0;
		expect_text(&want, h->kernel);
		for (k = 1; k <= pages_of(h); k++) {
			split_tabs(lines[k], fields, h->tag);
			assert_int_equal(parse_hex(fields[0], "tsv addr"),
			    h->addr + (k - 1) * (uint64_t)page);
			if (strcmp(fields[6], want.s) != 0)
				fail_msg("name %s: printed '%s', want '%s'",
				    h->tag, fields[6], want.s);
		}
		run_free(&r);
	}
	tl_buf_free(&want);
}

/* Whether a CSV field must be quoted: a comma, a quote, edge spaces. */
static bool
must_quote(const char *field)
{
	size_t n = strlen(field);

	return strpbrk(field, ",\"") != NULL ||
	    (n > 0 && (field[0] == ' ' || field[n - 1] == ' '));
}

static void
should_parse_csv_back_to_the_names_the_text_format_prints(void **state)
{
	static const char *const header[NCOLUMNS] = { "addr", "pfn",
		"soft-dirty", "file/shared", "swapped", "present", "library" };
	struct tl_rec rec;
	struct run r, text;
	char *lines[MAX_LINES];
	const char *p, *end, *why;
	size_t i, k, c;
	uint64_t addr;
	(void)state;

	memset(&rec, 0, sizeof(rec));
	for (i = 0; i < NNAMES; i++) {
		const struct hostile *h = &names[i];
		run_on(&text, "text", h, NULL);
		if (split_lines(&text.out, lines, MAX_LINES) !=
		    pages_of(h) + 1)
			fail_msg("name %s: not a text header and %zu rows",
			    h->tag, pages_of(h));
		run_on(&r, "csv", h, NULL);
		assert_no_raw_controls(&r.out, "csv", h, false);
		p = r.out.s;
		end = r.out.s + r.out.len;
		for (k = 0; p < end; k++) {
			if (tl_csv_record(&p, end, &rec, &why) != 0)
				fail_msg("name %s: record %zu: %s", h->tag,
				    k + 1, why);
			if (rec.n != NCOLUMNS)
				fail_msg("name %s: record %zu has %zu fields, "
				    "not %d", h->tag, k + 1, rec.n, NCOLUMNS);
			if (k == 0) {
				for (c = 0; c < NCOLUMNS; c++)
					assert_string_equal(rec.f[c],
					    header[c]);
				continue;
			}
			if (k > pages_of(h))
				fail_msg("name %s: more than %zu rows", h->tag,
				    pages_of(h));
			assert_int_equal(parse_hex(rec.f[0], "csv addr"),
			    h->addr + (k - 1) * (uint64_t)page);
			if (strcmp(rec.f[6], text_name(lines[k],
			    &addr)) != 0)
				fail_msg("name %s: CSV name '%s', text name "
				    "'%s'", h->tag, rec.f[6],
				    text_name(lines[k], &addr));
			/* The man page's rule for when to quote. */
			if (must_quote(rec.f[6]) && !rec.quoted[6])
				fail_msg("name %s: CSV name not quoted: '%s'",
				    h->tag, rec.f[6]);
		}
		assert_int_equal(k, pages_of(h) + 1);
		run_free(&r);
		run_free(&text);
	}
	tl_rec_free(&rec);
}

/* Reads a line that must be exactly one JSON object, or fails. */
static void
json_line(struct tl_jobject *o, const char *line, const char *tag,
    size_t k)
{
	const char *why;

	tl_jobject_free(o);
	if (tl_json_object(line, strlen(line), o, &why) != 0)
		fail_msg("name %s: line %zu: %s: %s", tag, k + 1, why, line);
}

/* The member key of o, which must be a string; or fails. */
static const struct tl_jmember *
json_member(const struct tl_jobject *o, const char *key, const char *tag)
{
	const struct tl_jmember *m = tl_jget(o, key);

	if (m == NULL)
		fail_msg("name %s: no \"%s\" member", tag, key);
	if (m->type != TL_JSTRING)
		fail_msg("name %s: \"%s\" is not a string", tag, key);
	return m;
}

static void
should_decode_every_json_name_to_the_name_the_kernel_gave(void **state)
{
	static const char *const keys[NCOLUMNS] = { "addr", "pfn",
		"soft-dirty", "file", "swapped", "present", "name" };
	struct tl_buf want = { NULL, 0, 0 };
	struct tl_jobject j;
	char *lines[MAX_LINES], addr[32];
	const struct tl_jmember *name;
	struct run r;
	size_t i, k, c;
	(void)state;

	memset(&j, 0, sizeof(j));
	for (i = 0; i < NNAMES; i++) {
		const struct hostile *h = &names[i];
		run_on(&r, "json", h, NULL);
		assert_no_raw_controls(&r.out, "json", h, false);
		if (split_lines(&r.out, lines, MAX_LINES) != pages_of(h))
			fail_msg("name %s: not %zu JSON lines", h->tag,
			    pages_of(h));
		want.len = 0;
		expect_json(&want, h->kernel);
		/* For a valid UTF-8 name, the raw name itself. */
		if (tl_valid_utf8((const unsigned char *)h->kernel,
		    strlen(h->kernel)))
			assert_string_equal(want.s, h->kernel);
		for (k = 0; k < pages_of(h); k++) {
			json_line(&j, lines[k], h->tag, k);
			assert_int_equal(j.n, NCOLUMNS);
			for (c = 0; c < NCOLUMNS; c++)
				assert_string_equal(j.m[c].key, keys[c]);
			snprintf(addr, sizeof(addr), "0x%" PRIxPTR,
			    h->addr + k * (uintptr_t)page);
			assert_string_equal(json_member(&j, "addr",
			    h->tag)->s, addr);
			name = json_member(&j, "name", h->tag);
			if (name->len != want.len ||
			    memcmp(name->s, want.s, want.len) != 0)
				fail_msg("name %s: decodes to '%s', want '%s'",
				    h->tag, name->s, want.s);
		}
		run_free(&r);
	}
	tl_jobject_free(&j);
	tl_buf_free(&want);
}

/* The parsers must refuse what is not CSV or JSON, or they prove nothing. */
static void
should_have_parsers_that_reject_malformed_input(void **state)
{
	static const char *const bad_csv[] = {
		"a,b\"c\n", "\"a\"b\n", "\"abc\n", "abc", "a\rb\n",
	};
	static const char *const bad_json[] = {
		"{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}", "{\"a\":\"\\x\"}",
		"{\"a\":\"\\ud800\"}", "{\"a\":1,}", "{\"a\" 1}",
		"{\"a\":1}x", "{\"a\":01}", "{\"a\":1,\"a\":2}", "[1]",
		"{\"a\":tru}",
	};
	struct tl_rec rec;
	struct tl_jobject j;
	const char *p, *why;
	size_t i;
	(void)state;

	memset(&rec, 0, sizeof(rec));
	memset(&j, 0, sizeof(j));
	for (i = 0; i < sizeof(bad_csv) / sizeof(bad_csv[0]); i++) {
		p = bad_csv[i];
		if (tl_csv_record(&p, p + strlen(p), &rec, &why) == 0)
			fail_msg("CSV parser took: %s", bad_csv[i]);
	}
	p = "\"a,\"\"b\",,c\r\n";
	assert_int_equal(tl_csv_record(&p, p + strlen(p), &rec, &why), 0);
	assert_int_equal(rec.n, 3);
	assert_string_equal(rec.f[0], "a,\"b");
	assert_string_equal(rec.f[1], "");
	for (i = 0; i < sizeof(bad_json) / sizeof(bad_json[0]); i++) {
		if (tl_json_object(bad_json[i], strlen(bad_json[i]), &j,
		    &why) == 0)
			fail_msg("JSON parser took: %s", bad_json[i]);
		else
			tl_jobject_free(&j);
	}
	p = "{\"n\":\"\\u001b\\\\\\ud83d\\ude00\",\"x\":[1,-2.5e3,{}]}";
	assert_int_equal(tl_json_object(p, strlen(p), &j, &why), 0);
	assert_string_equal(json_member(&j, "n", "self-test")->s,
	    "\033\\\xf0\x9f\x98\x80");
	tl_rec_free(&rec);
	tl_jobject_free(&j);
}

/*
 * A path of exactly length bytes (at most LONG_PATH): the directory base,
 * nested directories of 250-byte names in it, and a file name.
 */
static char *
make_long_path(const char *base, size_t length)
{
	char *path = malloc(LONG_PATH + 1);
	size_t len, room;

	if (path == NULL)
		return NULL;
	snprintf(path, LONG_PATH + 1, "%s", base);
	len = strlen(path);
	for (;;) {
		if (nlong_dirs == MAX_DIRS || (mkdir(path, 0700) != 0 &&
		    errno != EEXIST))
			return NULL;
		snprintf(long_dirs[nlong_dirs++], LONG_PATH + 1, "%s", path);
		/* Another directory, if a file name still fits after it. */
		if (len + 1 + LONG_COMPONENT + 1 + 8 > length)
			break;
		path[len++] = '/';
		memset(path + len, 'd', LONG_COMPONENT);
		len += LONG_COMPONENT;
		path[len] = '\0';
	}
	room = length - len - 1;
	if (room > 255) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	path[len++] = '/';
	memset(path + len, 'f', room);
	len += room;
	path[len] = '\0';
	return path;
}

/* The name as /proc/PID/maps writes it: a newline as "\012". */
static char *
kernel_name(const char *path)
{
	struct tl_buf b = { NULL, 0, 0 };

	for (; *path != '\0'; path++)
		if (*path == '\n')
			tl_buf_add(&b, "\\012", 4);
		else
			tl_buf_addc(&b, *path);
	return b.s;
}

static int
create_files(void)
{
	char prefix[64], *zeros;
	struct tl_buf b = { NULL, 0, 0 };
	size_t i;
	int fd;

	zeros = calloc(64, (size_t)page);
	for (i = 0; i < NNAMES; i++) {
		struct hostile *h = &names[i];
		snprintf(prefix, sizeof(prefix), "pmd-hostile-%d-%s-",
		    (int)getpid(), h->tag);
		h->select = strdup(prefix);
		if (h->payload == NULL) {
			b.len = 0;
			tl_buf_add(&b, "/tmp/", 5);
			tl_buf_add(&b, prefix, strlen(prefix));
			tl_buf_add(&b, "dir", 3);
			h->path = make_long_path(b.s, h->length);
			if (h->path == NULL || strlen(h->path) != h->length) {
				perror("test_hostile: the long path");
				return -1;
			}
		} else {
			b.len = 0;
			tl_buf_add(&b, "/tmp/", 5);
			tl_buf_add(&b, prefix, strlen(prefix));
			tl_buf_add(&b, h->payload, strlen(h->payload));
			if (!h->at_end)
				tl_buf_add(&b, "-end", 4);
			h->path = strdup(b.s);
		}
		h->kernel = kernel_name(h->path);
		fd = open(h->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || pages_of(h) > 64 || write(fd, zeros,
		    pages_of(h) * (size_t)page) !=
		    (ssize_t)(pages_of(h) * (size_t)page)) {
			fprintf(stderr, "test_hostile: creating %s: %s\n",
			    h->tag, strerror(errno));
			return -1;
		}
		close(fd);
	}
	free(zeros);
	tl_buf_free(&b);
	return 0;
}

static void
remove_files(void)
{
	size_t i;

	for (i = 0; i < NNAMES; i++)
		if (names[i].path != NULL)
			unlink(names[i].path);
	while (nlong_dirs > 0)
		rmdir(long_dirs[--nlong_dirs]);
}

/* Creates the files and a child that maps each one (2 pages). */
static int
start_child(void **state)
{
	uintptr_t addrs[NNAMES];
	int info, hold;
	size_t i;
	(void)state;

	page = sysconf(_SC_PAGESIZE);
	if (create_files() != 0)
		return -1;
	child.pid = tl_fork_held(&info, &hold);
	if (child.pid < 0)
		return -1;
	if (child.pid == 0) {
		for (i = 0; i < NNAMES; i++) {
			volatile char sink;
			char *p;
			int fd = open(names[i].path, O_RDONLY);
			if (fd < 0)
				_exit(99);
			p = mmap(NULL, pages_of(&names[i]) * (size_t)page,
			    PROT_READ,
			    MAP_PRIVATE, fd, 0);
			if (p == MAP_FAILED)
				_exit(99);
			close(fd);
			sink = p[0];
			(void)sink;
			addrs[i] = (uintptr_t)p;
		}
		if (write(info, addrs, sizeof(addrs)) != sizeof(addrs))
			_exit(99);
		tl_wait_for_close(hold);
		_exit(0);
	}
	child.hold = hold;
	if (read(info, addrs, sizeof(addrs)) != sizeof(addrs)) {
		fprintf(stderr, "test_hostile: the child could not map the "
		    "files\n");
		return -1;
	}
	close(info);
	for (i = 0; i < NNAMES; i++)
		names[i].addr = addrs[i];
	snprintf(child.arg, sizeof(child.arg), "%d", (int)child.pid);
	return 0;
}

static int
stop_child(void **state)
{
	size_t i;
	(void)state;

	close(child.hold);
	waitpid(child.pid, NULL, 0);
	remove_files();
	for (i = 0; i < NNAMES; i++) {
		free(names[i].path);
		free(names[i].kernel);
		free(names[i].select);
		names[i].path = names[i].kernel = names[i].select = NULL;
	}
	return 0;
}

/*
 * The line of a JSON row whose members are all "name", each key numbered
 * ("name0", "name1", ...) so that the strict reader, which refuses
 * duplicate keys, can read it. Only a key follows '{' or ',' with a
 * quote: inside a string, every quote is escaped.
 */
static void
number_name_keys(struct tl_buf *b, const char *line)
{
	const char *p;
	size_t c = 0;

	b->len = 0;
	tl_buf_add(b, "", 0);
	for (p = line; *p != '\0'; p++) {
		tl_buf_addc(b, *p);
		if ((*p == '{' || *p == ',') && strncmp(p + 1, "\"name\":", 7)
		    == 0) {
			tl_buf_printf(b, "\"name%zu", c++);
			p += 5;
		}
	}
}

/*
 * The name of each row written 64 times, the most -o takes: whatever the
 * length of the name, each row must be whole, every copy the same.
 */
static void
should_print_a_name_listed_in_all_64_columns_whole_every_time(void **state)
{
	static const char *const formats[] = { "text", "tsv", "csv", "json" };
	static const char seps[] = { ' ', '\t', ',' };
	struct tl_buf list = { NULL, 0, 0 }, want = { NULL, 0, 0 };
	struct tl_buf row = { NULL, 0, 0 };
	const char *extra[] = { "-H", "-o", NULL, NULL };
	char *lines[MAX_LINES];
	struct tl_rec rec;
	struct tl_jobject j;
	struct tl_buf keyed = { NULL, 0, 0 };
	struct run r;
	const char *p, *why;
	size_t i, f, k, c;
	(void)state;

	memset(&rec, 0, sizeof(rec));
	memset(&j, 0, sizeof(j));
	for (c = 0; c < MAX_COLUMNS; c++)
		tl_buf_add(&list, c > 0 ? ",name" : "name", c > 0 ? 5 : 4);
	extra[2] = list.s;
	for (i = 0; i < NNAMES; i++) {
		const struct hostile *h = &names[i];
		for (f = 0; f < 4; f++) {
			run_on(&r, formats[f], h, extra);
			if (split_lines(&r.out, lines, MAX_LINES) != pages_of(h))
				fail_msg("-f %s, name %s: not %zu rows",
				    formats[f], h->tag, pages_of(h));
			want.len = 0;
			if (f == 3)
				expect_json(&want, h->kernel);
			else
				expect_text(&want, h->kernel);
			/*
			 * The whole text or TSV row, or its CSV fields. In
			 * text a name that columns follow has its blanks as
			 * \040 and is "-" when empty.
			 */
			row.len = 0;
			for (c = 0; c < MAX_COLUMNS && f < 2; c++) {
				if (c > 0)
					tl_buf_addc(&row, seps[f]);
				if (f == 1 || c + 1 == MAX_COLUMNS) {
					tl_buf_add(&row, want.s, want.len);
					continue;
				}
				if (want.len == 0)
					tl_buf_addc(&row, '-');
				for (k = 0; k < want.len; k++)
					if (want.s[k] == ' ')
						tl_buf_add(&row, "\\040", 4);
					else
						tl_buf_addc(&row, want.s[k]);
			}
			for (k = 0; k < pages_of(h); k++) {
				if (f < 2 && strcmp(lines[k], row.s) != 0)
					fail_msg("-f %s, name %s: row %zu is "
					    "not 64 times '%s'", formats[f],
					    h->tag, k + 1, want.s);
				if (f == 2) {
					size_t len = strlen(lines[k]);
					lines[k][len] = '\n';
					p = lines[k];
					if (tl_csv_record(&p, p + len + 1, &rec,
					    &why) != 0)
						fail_msg("name %s: row %zu: %s",
						    h->tag, k + 1, why);
					assert_int_equal(rec.n, MAX_COLUMNS);
					for (c = 0; c < MAX_COLUMNS; c++)
						assert_string_equal(
						    rec.f[c], want.s);
				}
				if (f == 3) {
					number_name_keys(&keyed, lines[k]);
					json_line(&j, keyed.s, h->tag, k);
					assert_int_equal(j.n, MAX_COLUMNS);
					for (c = 0; c < MAX_COLUMNS; c++)
						if (j.m[c].type != TL_JSTRING ||
						    j.m[c].len != want.len ||
						    memcmp(j.m[c].s, want.s,
						    want.len) != 0)
							fail_msg("name %s: row "
							    "%zu: column %zu "
							    "differs", h->tag,
							    k + 1, c + 1);
				}
			}
			run_free(&r);
		}
	}
	tl_rec_free(&rec);
	tl_jobject_free(&j);
	tl_buf_free(&keyed);
	tl_buf_free(&list);
	tl_buf_free(&want);
	tl_buf_free(&row);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_have_parsers_that_reject_malformed_input),
		cmocka_unit_test(
		    should_keep_each_text_row_on_one_line_with_names_escaped),
		cmocka_unit_test(
		    should_keep_each_tsv_row_to_its_fields_with_names_escaped),
		cmocka_unit_test(
		    should_parse_csv_back_to_the_names_the_text_format_prints),
		cmocka_unit_test(
		    should_decode_every_json_name_to_the_name_the_kernel_gave),
		cmocka_unit_test(
		    should_print_a_name_listed_in_all_64_columns_whole_every_time),
	};
	int rc;

	if (tl_check_tool("test_hostile") != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, start_child, stop_child);
	remove_files();		/* also when the setup failed half way */
	return rc;
}
