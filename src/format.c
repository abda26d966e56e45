/*
 * format: rows written by hand (no printf per page) into the out buffer.
 *
 * Every field is written as "separator, value". The separator is a space,
 * a tab, a comma, or in a keyed format (JSON) the key: {"addr": for the
 * first field and ,"pfn": after it. What differs between formats is data,
 * in the styles table: the separator, quoting, how booleans read. The
 * columns themselves are in the registry (column.c).
 */
#include "format_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

static const struct format_style styles[] = {
	[FORMAT_TEXT] = {
		.name = "text", .sep = ' ', .header = true,
		.blank_split = true, .yes = "1", .no = "0",
		.list_quote = LIST_BARE, .escape = escape_text,
		.escape_factor = 4,
	},
	[FORMAT_TSV] = {
		.name = "tsv", .sep = '\t', .header = true, .yes = "1",
		.no = "0", .list_quote = LIST_BARE, .escape = escape_text,
		.escape_factor = 4,
	},
	[FORMAT_CSV] = {
		.name = "csv", .sep = ',', .header = true, .yes = "1",
		.no = "0", .list_quote = LIST_QUOTED_NONEMPTY,
		.escape = escape_csv, .escape_factor = 8, .escape_extra = 2,
	},
	[FORMAT_JSON] = {
		.name = "json", .keyed = true, .quote_hex = true,
		.quote_words = true, .yes = "true", .no = "false",
		.list_quote = LIST_QUOTED, .escape = escape_json,
		.escape_factor = 6, .escape_extra = 2,
	},
};

#define NSTYLES (sizeof(styles) / sizeof(styles[0]))

static const char hex_digits[] = "0123456789abcdef";

/* "000102...ff": two digits a byte, so a number takes half the steps. */
static char hex_pairs[512];

/* The hex digit after each hex digit ('0' -> '1', '9' -> 'a'). */
static char next_hex_digit[256];

static void
init_hex_pairs(void)
{
	int i;

	for (i = 0; i < 15; i++)
		next_hex_digit[(unsigned char)hex_digits[i]] = hex_digits[i + 1];
	for (i = 0; i < 256; i++) {
		hex_pairs[2 * i] = hex_digits[i >> 4];
		hex_pairs[2 * i + 1] = hex_digits[i & 15];
	}
}

char *
put_hex_min(char *p, uint64_t v, int min)
{
	int n = v == 0 ? 1 : (64 - __builtin_clzll(v) + 3) / 4;
	char *end;

	if (n < min)
		n = min;
	end = p + n;
	while (n >= 2) {
		memcpy(p + n - 2, &hex_pairs[(v & 0xff) * 2], 2);
		v >>= 8;
		n -= 2;
	}
	if (n == 1)
		p[0] = hex_digits[v & 15];
	return end;
}

/* Adds add (a power of two below 16) at digit pos, with carries. */
static void
add_digits(struct format *f, int pos, int add)
{
	char *digits = f->addr_text;

	while (pos >= 0) {
		char c = digits[pos];
		int d = (c <= '9' ? c - '0' : c - 'a' + 10) + add;
		if (d < 16) {
			digits[pos] = hex_digits[d];
			break;
		}
		digits[pos] = hex_digits[d - 16];
		add = 1;
		pos--;
	}
	if (pos < f->addr_first)
		f->addr_first = pos;
}

/*
 * The address column: consecutive pages differ by the page size, so the
 * previous row's hex digits are kept and counted up in place instead of
 * being written anew.
 */
char *
put_addr(struct format *f, char *p, uint64_t addr, uint64_t page_size)
{
	char *digits = f->addr_text;
	int pos, add, shift;

	if (!f->addr_valid || addr != f->addr_last + page_size ||
	    addr < f->addr_last) {
		char tmp[16];
		int n = (int)(put_hex_min(tmp, addr, 1) - tmp);
		memset(digits, '0', 16);
		memcpy(digits + 16 - n, tmp, (size_t)n);
		f->addr_first = 16 - n;
		f->addr_valid = true;
	} else {
		/* Add page_size (a power of two) with carries. */
		shift = __builtin_ctzll(page_size);
		pos = 15 - shift / 4;
		add = 1 << (shift % 4);
		if (add == 1 && digits[pos] != 'f') {
			/* 15 rows in 16: one digit goes up, no carry. */
			digits[pos] = next_hex_digit[(unsigned char)digits[pos]];
			if (pos < f->addr_first)
				f->addr_first = pos;
		} else
			add_digits(f, pos, add);
	}
	f->addr_last = addr;
	/* A fixed-size copy (the row's room allows it) beats a call. */
	memcpy(p, digits + f->addr_first, 16);
	return p + 16 - f->addr_first;
}

/*
 * The kflags column: flag names, comma-separated, quoted as the style
 * quotes lists; in a blank-split format "-" for none (an empty field
 * would shift the columns after it). Pages next to each other mostly
 * share a few sets of flags (DAMON's sampling, say, toggles idle on
 * some), so the last few lists are kept.
 */
char *
put_kflags(struct format *f, char *p, uint64_t flags)
{
	char names[KPAGE_NAMES_MAX];
	struct format_kflags *c;
	unsigned int i;
	size_t n, len = 0;
	bool quote;

	for (i = 0; i < FORMAT_KFLAGS_CACHE; i++) {
		c = &f->kflags[i];
		if (c->len > 0 && c->flags == flags) {
			memcpy(p, c->text, c->len);
			return p + c->len;
		}
	}
	c = &f->kflags[f->kflags_next];
	f->kflags_next = (f->kflags_next + 1) % FORMAT_KFLAGS_CACHE;
	n = kpage_flag_names(names, flags);
	quote = f->style->list_quote == LIST_QUOTED ||
	    (f->style->list_quote == LIST_QUOTED_NONEMPTY && n > 0);
	if (quote)
		c->text[len++] = '"';
	memcpy(c->text + len, names, n);
	len += n;
	if (quote)
		c->text[len++] = '"';
	if (f->style->blank_split && n == 0)
		c->text[len++] = '-';
	c->flags = flags;
	c->len = len;
	memcpy(p, c->text, len);
	return p + len;
}

/* The separator before field i, or in a keyed format its key. */
static char *
put_sep(const struct format *f, char *p, size_t i, const char *key)
{
	if (!f->style->keyed) {
		if (i > 0)
			*p++ = f->style->sep;
		return p;
	}
	*p++ = i > 0 ? ',' : '{';
	*p++ = '"';
	p = put_str(p, key);
	*p++ = '"';
	*p++ = ':';
	return p;
}

static char *
put_end(const struct format *f, char *p)
{
	if (f->style->keyed)
		*p++ = '}';
	*p++ = '\n';
	return p;
}

/* Sets what the columns ask of a row: names, lists, the fast prefix. */
static void
scan_columns(struct format *f)
{
	const struct format_style *st = f->style;
	size_t i;
	int k;

	for (i = 0; i < 16; i++)
		for (k = 0; k < 4; k++) {
			f->flag_text[i][2 * k] = st->sep;
			f->flag_text[i][2 * k + 1] = (char)('0' + (i >> k & 1));
		}
	for (i = 0; i < f->ncols; i++) {
		enum column_kind kind = column_table[f->cols[i]].kind;
		f->nkflags += kind == COLUMN_LIST;
		f->nnames += kind == COLUMN_NAME;
		f->name_mid |= st->blank_split && kind == COLUMN_NAME &&
		    i + 1 < f->ncols;
	}
	/* The fast row writes flags as 0 and 1, separated. */
	f->default_prefix = !st->keyed && strcmp(st->yes, "1") == 0 &&
	    f->ncols >= column_ndefaults &&
	    memcmp(f->cols, column_defaults,
	    column_ndefaults * sizeof(*f->cols)) == 0;
	for (i = column_ndefaults; f->default_prefix && i < f->ncols; i++) {
		const struct column *c = &column_table[f->cols[i]];
		if (c->kind == COLUMN_NAME) {
			f->ntail = 0;
			break;
		}
		f->tail[f->ntail++] = c->put;
	}
}

struct format *
format_new(enum format_kind kind, const unsigned *cols, size_t ncols)
{
	struct format *f;
	size_t i;

	for (i = 0; i < ncols; i++)
		if (cols[i] >= column_count)
			ncols = FORMAT_MAX_COLUMNS + 1;
	if (ncols > FORMAT_MAX_COLUMNS || (size_t)kind >= NSTYLES) {
		errno = EINVAL;
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	if (hex_pairs[0] == 0)
		init_hex_pairs();
	f->style = &styles[kind];
	memcpy(f->cols, cols, ncols * sizeof(*cols));
	f->ncols = ncols;
	scan_columns(f);
	return f;
}

int
format_kind_by_name(const char *name, enum format_kind *kind)
{
	size_t i;

	for (i = 0; i < NSTYLES; i++)
		if (strcmp(name, styles[i].name) == 0) {
			*kind = (enum format_kind)i;
			return 0;
		}
	return -1;
}

const char *
format_names(void)
{
	static char names[64];
	size_t i, n = 0;

	if (names[0] != '\0')
		return names;
	for (i = 0; i < NSTYLES; i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
		    i > 0 ? "," : "", styles[i].name);
	return names;
}

bool
format_has_header(const struct format *f)
{
	return f->style->header;
}

void
format_set_summary(struct format *f, unsigned have)
{
	f->summary_have = have;
}

/* Whether a summary column is named name. */
static bool
summary_named(const char *name)
{
	size_t i;

	for (i = 0; i < summary_column_count; i++)
		if (strcmp(summary_column_table[i].name, name) == 0)
			return true;
	return false;
}

void
format_set_summary_keys(struct format *f, const unsigned *cols, size_t n)
{
	size_t i;

	memcpy(f->keys, cols, n * sizeof(cols[0]));
	f->nkeys = n;
	for (i = 0; i < n; i++) {
		const struct column *c = &column_table[cols[i]];
		const char *by = summary_named(c->name) ? "by-" : "";
		snprintf(f->key_name[i], sizeof(f->key_name[i]), "%s%s", by,
		    c->name);
		snprintf(f->key_header[i], sizeof(f->key_header[i]), "%s%s",
		    by, c->header);
	}
}

/* Writes a header line of n headers. */
static int
write_header(struct format *f, struct out *out, const char *const *h,
    size_t n)
{
	size_t i;

	if (!f->style->header)
		return 0;
	for (i = 0; i < n; i++) {
		/* The headers hold no comma, quote or space: no quoting. */
		if ((i > 0 && out_write(out, &f->style->sep, 1) != 0) ||
		    out_write(out, h[i], strlen(h[i])) != 0)
			return -1;
	}
	return out_write(out, "\n", 1);
}

int
format_header(struct format *f, struct out *out)
{
	const char *h[FORMAT_MAX_COLUMNS];
	size_t i;

	for (i = 0; i < f->ncols; i++)
		h[i] = column_table[f->cols[i]].header;
	return write_header(f, out, h, f->ncols);
}

static size_t row_max(const struct format *f);

/*
 * The mid-row name is mostly short ("-" for anonymous memory): up to
 * FORMAT_SHORT_NAME bytes are copied whole, a fixed size the compiler
 * does without a call (the row's room covers the excess).
 */
#define FORMAT_SHORT_NAME 16

static inline char *
put_mid(const struct format *f, char *p)
{
	if (f->mid_len <= FORMAT_SHORT_NAME)
		memcpy(p, f->mid, FORMAT_SHORT_NAME);
	else
		memcpy(p, f->mid, f->mid_len);
	return p + f->mid_len;
}

/*
 * The blank-split form of the name for a field that columns follow: the
 * escaped name with its blanks as \040 too, or "-" for none, so that a
 * row split at blanks has the same fields whatever the name. Returns 0,
 * or -1 when out of memory.
 */
static int
set_mid_name(struct format *f)
{
	size_t need = f->name_len * 4 + 1, i;
	char *grown, *d;

	if (need < FORMAT_SHORT_NAME)
		need = FORMAT_SHORT_NAME;	/* see put_mid */
	if (need > f->mid_cap) {
		grown = realloc(f->mid, need);
		if (grown == NULL)
			return -1;
		memset(grown, 0, need);	/* put_mid copies past the name */
		f->mid = grown;
		f->mid_cap = need;
	}
	d = f->mid;
	if (f->name_len == 0)
		*d++ = '-';
	for (i = 0; i < f->name_len; i++) {
		if (f->name[i] == ' ') {
			memcpy(d, "\\040", 4);
			d += 4;
		} else
			*d++ = f->name[i];
	}
	f->mid_len = (size_t)(d - f->mid);
	return 0;
}

int
format_set_mapping(struct format *f, const struct maps_entry *map)
{
	const struct format_style *st = f->style;
	size_t need = map->name_len * st->escape_factor + st->escape_extra;
	char *grown;

	if (need > f->name_cap || f->name == NULL) {
		grown = realloc(f->name, need + 1);
		if (grown == NULL)
			return -1;
		f->name = grown;
		f->name_cap = need;
	}
	f->name_len = st->escape(f->name, map->name, map->name_len);
	if (f->name_mid && set_mid_name(f) != 0)
		return -1;
	f->row_room = row_max(f);
	return 0;
}

/*
 * Writes columns from..ncols-1 of a row, each with the separator (or
 * key) before it; returns the end.
 */
static char *
put_columns(struct format *f, char *p, size_t from,
    const struct format_row *r)
{
	size_t i;

	for (i = from; i < f->ncols; i++) {
		const struct column *col = &column_table[f->cols[i]];
		bool last = i + 1 == f->ncols;
		/* An empty name ends a blank-split row without a blank. */
		if (col->kind == COLUMN_NAME && f->name_len == 0 && last &&
		    f->style->blank_split)
			break;
		p = put_sep(f, p, i, col->name);
		if (col->kind != COLUMN_NAME)
			p = col->put(f, p, r);
		else if (f->name_mid && !last) {
			memcpy(p, f->mid, f->mid_len);
			p += f->mid_len;
		} else {
			memcpy(p, f->name, f->name_len);
			p += f->name_len;
		}
	}
	return p;
}

/* The most bytes a row takes, short of the end. */
static size_t
row_max(const struct format *f)
{
	size_t name = f->mid_len > f->name_len ? f->mid_len : f->name_len;

	return f->ncols * FORMAT_FIELD_MAX + f->nnames * name + 4 +
	    f->nkflags * sizeof(f->kflags[0].text) + FORMAT_SHORT_NAME;
}

/*
 * The default columns in a format with a separator: the row almost every
 * run prints, written without the per-column dispatch, and the start of
 * the rows of -o +LIST, whose columns follow. The four flags come from a
 * table of their 16 combinations, separators included.
 */
static int
format_default_row(struct format *f, struct out *out,
    const struct format_row *r)
{
	const struct pagemap_entry *e = r->entry;
	bool more = f->ncols > column_ndefaults;
	char *p = out_reserve(out, more ? f->row_room : 64 + f->name_len);
	unsigned int flags;
	size_t i;

	if (p == NULL)
		return -1;
	p = put_addr(f, p, r->addr, r->page_size);
	*p++ = f->style->sep;
	p = put_hex_min(p, e->pfn, 1);
	flags = (unsigned int)e->soft_dirty | (unsigned int)e->file_shared << 1 |
	    (unsigned int)e->swapped << 2 | (unsigned int)e->present << 3;
	memcpy(p, f->flag_text[flags], 8);
	p += 8;
	/* Blank-split, an empty name ends the row without a blank. */
	if (more && f->name_mid) {
		*p++ = f->style->sep;
		p = put_mid(f, p);
	} else if (f->name_len > 0 || !f->style->blank_split || more) {
		*p++ = f->style->sep;
		memcpy(p, f->name, f->name_len);
		p += f->name_len;
	}
	for (i = 0; i < f->ntail; i++) {
		*p++ = f->style->sep;
		p = f->tail[i](f, p, r);
	}
	if (more && f->ntail == 0)
		p = put_columns(f, p, column_ndefaults, r);
	*p++ = '\n';
	out_commit(out, p);
	return 0;
}

/* The value of a lower-case hex digit. */
static unsigned int
hex_value(char c)
{
	return c <= '9' ? (unsigned int)(c - '0') : (unsigned int)(c - 'a' + 10);
}

/*
 * Writes up to n rows of empty pages from addr on, each the template
 * (the address of addr, then suffix) with its page digit stepped: as
 * many as that digit goes before it carries. Returns how many, or 0 with
 * out->error set.
 */
static uint64_t
empty_block(struct format *f, struct out *out, uint64_t addr, uint64_t n,
    uint64_t page_size, const char *suffix, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned int shift = (unsigned int)__builtin_ctzll(page_size);
	const int step = 1 << (shift % 4);
	char row[16 + FORMAT_FIELD_MAX + 16], *p;
	size_t alen = (size_t)(put_addr(f, row, addr, page_size) - row), k;
	long at = (long)alen - 16 + (15 - (long)shift / 4);
	uint64_t count = 1;
	unsigned int d = 0;

	memcpy(row + alen, suffix, len);
	if (at >= 0) {	/* the digit that goes up from page to page */
		d = hex_value(row[at]);
		count = 1 + (15 - d) / (unsigned int)step;
	}
	if (count > n)
		count = n;
	if ((p = out_reserve(out, (size_t)count * (alen + len))) == NULL)
		return 0;
	for (k = 0; k < count; k++) {
		if (at >= 0)
			row[at] = digits[d + k * (unsigned int)step];
		memcpy(p, row, alen + len);
		p += alen + len;
	}
	out_commit(out, p);
	f->addr_valid = false;	/* its digits are not the last row's */
	return count;
}

int
format_empty_rows(struct format *f, struct out *out, uint64_t addr,
    uint64_t n, uint64_t page_size)
{
	char suffix[FORMAT_FIELD_MAX + 16];
	size_t len = 0;
	uint64_t done;

	if (!f->default_prefix || f->ncols != column_ndefaults ||
	    f->name_len > FORMAT_FIELD_MAX)
		return 1;
	/* The PFN 0, the four flags 0, the name: the same for every row. */
	suffix[len++] = f->style->sep;
	suffix[len++] = '0';
	memcpy(suffix + len, f->flag_text[0], 8);
	len += 8;
	if (f->name_len > 0 || !f->style->blank_split) {
		suffix[len++] = f->style->sep;
		memcpy(suffix + len, f->name, f->name_len);
		len += f->name_len;
	}
	suffix[len++] = '\n';
	for (; n > 0; n -= done, addr += done * page_size)
		if ((done = empty_block(f, out, addr, n, page_size, suffix,
		    len)) == 0)
			return -1;
	return 0;
}

int
format_row(struct format *f, struct out *out, const struct format_row *r)
{
	char *p;

	if (f->default_prefix)
		return format_default_row(f, out, r);
	p = out_reserve(out, row_max(f));
	if (p == NULL)
		return -1;
	p = put_columns(f, p, 0, r);
	out_commit(out, put_end(f, p));
	return 0;
}

/* Whether the summary rows of f have column i. */
static bool
summary_has(const struct format *f, size_t i)
{
	return (summary_column_table[i].needs & ~f->summary_have) == 0;
}

int
format_summary_header(struct format *f, struct out *out)
{
	const char *h[64];
	size_t i, k, n = 0;

	for (i = 0; i < summary_column_count && n < 64; i++) {
		if (!summary_has(f, i))
			continue;
		if (strcmp(summary_column_table[i].name, "pages") == 0)
			for (k = 0; k < f->nkeys && n < 64; k++)
				h[n++] = f->key_header[k];
		h[n++] = summary_column_table[i].header;
	}
	return write_header(f, out, h, n);
}

/* Writes the key columns of a summary row, from a page of it. */
static char *
put_keys(struct format *f, char *p, size_t *n, const struct format_row *r)
{
	size_t k;

	for (k = 0; k < f->nkeys; k++) {
		p = put_sep(f, p, (*n)++, f->key_name[k]);
		p = column_table[f->keys[k]].put(f, p, r);
	}
	return p;
}

int
format_summary_row(struct format *f, struct out *out,
    const struct format_summary *s)
{
	const struct format_style *st = f->style;
	size_t name_len = s->map != NULL ? f->name_len : 0, n = 0, i;
	size_t comm = s->comm != NULL ? strlen(s->comm) * st->escape_factor +
	    st->escape_extra : 0;
	char *p = out_reserve(out, summary_column_count * FORMAT_FIELD_MAX +
	    name_len + 16 + comm + f->nkeys * (KPAGE_NAMES_MAX +
	    FORMAT_FIELD_MAX));

	if (p == NULL)
		return -1;
	for (i = 0; i < summary_column_count; i++) {
		const struct summary_column *c = &summary_column_table[i];
		if (!summary_has(f, i))
			continue;
		if (s->map == NULL && st->keyed && c->of_mapping)
			continue;	/* the total has none of these */
		if (c->put == NULL && name_len == 0 && st->blank_split)
			break;		/* an empty name, last */
		if (s->key != NULL && strcmp(c->name, "pages") == 0)
			p = put_keys(f, p, &n, s->key);
		p = put_sep(f, p, n++, c->name);
		if (c->put != NULL)
			p = c->put(f, p, s);
		else {
			memcpy(p, f->name, name_len);
			p += name_len;
		}
	}
	if (s->map == NULL && st->keyed)
		p = put_str(p, ",\"total\":true");
	out_commit(out, put_end(f, p));
	return 0;
}

void
format_free(struct format *f)
{
	if (f == NULL)
		return;
	free(f->name);
	free(f->mid);
	free(f);
}
