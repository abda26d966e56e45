/*
 * testlib_read: strict readers of the tool's outputs, for the end-to-end
 * tests (see testlib.h). They read what a script or a standard parser
 * would, and fail on anything that a careful consumer would reject: a
 * line without its end, a stray quote in CSV, invalid UTF-8 or a
 * duplicate key in JSON, a row of the default columns out of form.
 */
#include "testlib.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>


void
tl_assert_whole_lines(const char *s)
{
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] != '\n')
		fail_msg("output does not end with a newline: ...%s",
		    n > 60 ? s + n - 60 : s);
}

void
tl_read_text(const char *s, size_t ncols, struct tl_table *t)
{
	const char *nl, *sp;

	tl_assert_whole_lines(s);
	for (; *s != '\0'; s = nl + 1) {
		struct tl_rec *r = tl_table_new_rec(t);

		nl = strchr(s, '\n');
		while (r->n < ncols - 1) {
			sp = memchr(s, ' ', (size_t)(nl - s));
			if (sp == NULL) {
				if (r->n != ncols - 2)
					fail_msg("text line with %zu fields: "
					    "%.*s", r->n + 1, (int)(nl - s),
					    s);
				tl_rec_add(r, s, (size_t)(nl - s));
				s = nl;
				break;
			}
			tl_rec_add(r, s, (size_t)(sp - s));
			s = sp + 1;
		}
		tl_rec_add(r, s, (size_t)(nl - s));
	}
}

void
tl_read_tsv(const char *s, size_t ncols, struct tl_table *t)
{
	const char *nl, *tab;

	tl_assert_whole_lines(s);
	for (; *s != '\0'; s = nl + 1) {
		struct tl_rec *r = tl_table_new_rec(t);

		nl = strchr(s, '\n');
		while ((tab = memchr(s, '\t', (size_t)(nl - s))) != NULL) {
			tl_rec_add(r, s, (size_t)(tab - s));
			s = tab + 1;
		}
		tl_rec_add(r, s, (size_t)(nl - s));
		if (r->n != ncols)
			fail_msg("TSV line with %zu fields, not %zu", r->n,
			    ncols);
	}
}

void
tl_read_headed_tsv(const char *s, struct tl_table *t)
{
	const char *nl = strchr(s, '\n'), *p;
	size_t ncols = 1;

	if (nl == NULL)
		fail_msg("TSV without a header line: %.80s", s);
	for (p = s; p < nl; p++)
		ncols += *p == '\t';
	tl_read_tsv(s, ncols, t);
}

int
tl_column(const struct tl_table *t, const char *name)
{
	size_t i;

	for (i = 0; t->n > 0 && i < t->r[0].n; i++)
		if (strcmp(t->r[0].f[i], name) == 0)
			return (int)i;
	return -1;
}


void
tl_read_csv(const char *s, struct tl_table *t)
{
	const char *end = s + strlen(s), *why, *start;

	while (s < end) {
		start = s;
		if (tl_csv_record(&s, end, tl_table_new_rec(t), &why) != 0)
			fail_msg("CSV record %zu: %s: %.80s", t->n, why, start);
	}
}

bool
tl_tables_equal(const struct tl_table *want, size_t want_from,
    const struct tl_table *got, size_t got_from, const char *what,
    char *why, size_t whylen)
{
	size_t i, j;

	if (want->n - want_from != got->n - got_from) {
		snprintf(why, whylen, "%s: %zu rows, text has %zu", what,
		    got->n - got_from, want->n - want_from);
		return false;
	}
	for (i = 0; i < want->n - want_from; i++) {
		const struct tl_rec *a = &want->r[want_from + i];
		const struct tl_rec *b = &got->r[got_from + i];

		if (a->n != b->n) {
			snprintf(why, whylen, "%s: row %zu has %zu fields, "
			    "text %zu", what, i, b->n, a->n);
			return false;
		}
		for (j = 0; j < a->n; j++)
			if (a->len[j] != b->len[j] ||
			    memcmp(a->f[j], b->f[j], a->len[j]) != 0) {
				snprintf(why, whylen, "%s: row %zu (%s) field "
				    "%zu is '%s', text has '%s'", what, i,
				    a->n > 1 ? a->f[1] : "", j, b->f[j],
				    a->f[j]);
				return false;
			}
	}
	return true;
}

void
tl_assert_tables_equal(const struct tl_table *want, size_t want_from,
    const struct tl_table *got, size_t got_from, const char *what)
{
	char why[512];

	if (!tl_tables_equal(want, want_from, got, got_from, what, why,
	    sizeof(why)))
		fail_msg("%s", why);
}

const struct tl_rec *
tl_find_rec(const struct tl_table *t, size_t i, const char *s)
{
	size_t k;

	for (k = 0; k < t->n; k++)
		if (t->r[k].n > i && strcmp(t->r[k].f[i], s) == 0)
			return &t->r[k];
	return NULL;
}


size_t
tl_read_json_lines(const char *s, struct tl_jobject **objs)
{
	size_t n = 0, cap = 0;
	const char *nl, *why;

	tl_assert_whole_lines(s);
	*objs = NULL;
	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			*objs = realloc(*objs, cap * sizeof(**objs));
			if (*objs == NULL)
				fail_msg("out of memory");
		}
		if (tl_json_object(s, (size_t)(nl - s), &(*objs)[n++],
		    &why) != 0)
			fail_msg("JSON line %zu: %s: %.*s", n, why,
			    (int)(nl - s), s);
	}
	return n;
}

/* ---- rows of the default columns ---- */

/* Reads lower-case hex digits at *p; returns -1 when there is none. */
static int
take_hex(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	int digits = 0;

	*v = 0;
	for (; s < end && ((*s >= '0' && *s <= '9') || (*s >= 'a' &&
	    *s <= 'f')) && digits < 16; s++, digits++)
		*v = *v << 4 | (uint64_t)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
	*p = s;
	return digits > 0 ? 0 : -1;
}

int
tl_default_row(const char *line, const char *nl, struct tl_row *row)
{
	int *flag[4] = { &row->soft_dirty, &row->file, &row->swapped,
	    &row->present };
	const char *p = line;
	int i;

	/* By hand: sscanf would measure the rest of the output each time. */
	if (take_hex(&p, nl, &row->addr) != 0 || p == nl || *p++ != ' ' ||
	    take_hex(&p, nl, &row->pfn) != 0)
		return -1;
	for (i = 0; i < 4; i++) {
		if (nl - p < 2 || p[0] != ' ' || (p[1] != '0' && p[1] != '1'))
			return -1;
		*flag[i] = p[1] - '0';
		p += 2;
	}
	if (p != nl && *p != ' ')
		return -1;
	row->name = p == nl ? p : p + 1;
	return 0;
}

void
tl_default_rows(const char *out, size_t len, struct tl_rows *rows)
{
	size_t cap = 1024, hlen = strlen(TL_DEFAULT_HEADER);
	char *line, *nl, *end;

	memset(rows, 0, sizeof(*rows));
	if (len == 0)
		fail_msg("no output at all");
	if (out[len - 1] != '\n')
		fail_msg("output does not end with a whole line");
	if (len < hlen || strncmp(out, TL_DEFAULT_HEADER, hlen) != 0)
		fail_msg("no header line first: %.80s", out);
	rows->text = malloc(len + 1);
	rows->v = malloc(cap * sizeof(*rows->v));
	if (rows->text == NULL || rows->v == NULL)
		fail_msg("out of memory");
	memcpy(rows->text, out, len);
	end = rows->text + len;
	for (line = rows->text + hlen; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (rows->n == cap && (rows->v = realloc(rows->v, (cap *= 2) *
		    sizeof(*rows->v))) == NULL)
			fail_msg("out of memory");
		if (tl_default_row(line, nl, &rows->v[rows->n]) != 0)
			fail_msg("not a row: %.*s", (int)(nl - line), line);
		*nl = '\0';
		rows->n++;
	}
}

const struct tl_row *
tl_find_row(const struct tl_rows *rows, uint64_t addr)
{
	size_t i;

	/* Not a bisection: a test may be checking that rows are in order. */
	for (i = 0; i < rows->n; i++)
		if (rows->v[i].addr == addr)
			return &rows->v[i];
	return NULL;
}

void
tl_rows_free(struct tl_rows *rows)
{
	free(rows->v);
	free(rows->text);
	memset(rows, 0, sizeof(*rows));
}

void
tl_assert_own_rows(const char *out, bool present_only, bool hidden)
{
	struct tl_rows rows;
	size_t i, present = 0, real_pfns = 0;

	tl_default_rows(out, strlen(out), &rows);
	for (i = 0; i < rows.n; i++) {
		if (present_only && rows.v[i].present != 1)
			fail_msg("a page not present with -P: %" PRIx64,
			    rows.v[i].addr);
		if (hidden && rows.v[i].pfn != 0)
			fail_msg("a PFN (%" PRIx64 ") without CAP_SYS_ADMIN",
			    rows.v[i].pfn);
		present += (size_t)rows.v[i].present;
		real_pfns += rows.v[i].pfn != 0;
	}
	if (present == 0)
		fail_msg("no page of the tool present");
	if (!hidden && real_pfns == 0)
		fail_msg("no real PFN with CAP_SYS_ADMIN");
	tl_rows_free(&rows);
}

void
tl_assert_one_pfn_warning(const char *err)
{
	if (tl_count_lines(err) != 1 || strstr(err, "CAP_SYS_ADMIN") == NULL ||
	    strstr(err, "pfn") == NULL || strncmp(err, "pagemap-dump: ",
	    14) != 0)
		fail_msg("not one line warning that PFNs are hidden: %s", err);
}
