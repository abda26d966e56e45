/*
 * format: rows written by hand (no printf per page) into the out buffer.
 *
 * Every field is written as "separator, value". The separator is a space,
 * a tab, a comma, or for JSON the key: {"addr": for the first field and
 * ,"pfn": after it. Values differ by format only in quoting: JSON puts
 * addresses in "0x..." strings (they exceed 2^53) and flags as true/false.
 */
#include "format.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

const enum format_column format_default_columns[] = {
	COL_ADDR, COL_PFN, COL_SOFT_DIRTY, COL_FILE, COL_SWAPPED, COL_PRESENT,
	COL_NAME,
};
const size_t format_default_ncolumns =
    sizeof(format_default_columns) / sizeof(format_default_columns[0]);

static const struct {
	const char *name;	/* for -o and as the JSON key */
	const char *header;
} columns[COL_COUNT] = {
	[COL_PID] = { "pid", "pid" },
	[COL_ADDR] = { "addr", "addr" },
	[COL_PFN] = { "pfn", "pfn" },
	[COL_SOFT_DIRTY] = { "soft-dirty", "soft-dirty" },
	[COL_FILE] = { "file", "file/shared" },
	[COL_SWAPPED] = { "swapped", "swapped" },
	[COL_PRESENT] = { "present", "present" },
	[COL_EXCLUSIVE] = { "exclusive", "exclusive" },
	[COL_UFFD_WP] = { "uffd-wp", "uffd-wp" },
	[COL_GUARD] = { "guard", "guard" },
	[COL_SWAP_TYPE] = { "swap-type", "swap-type" },
	[COL_SWAP_OFFSET] = { "swap-offset", "swap-offset" },
	[COL_PADDR] = { "paddr", "paddr" },
	[COL_PERMS] = { "perms", "perms" },
	[COL_OFFSET] = { "offset", "offset" },
	[COL_DEV] = { "dev", "dev" },
	[COL_INODE] = { "inode", "inode" },
	[COL_NAME] = { "name", "library" },
	[COL_KFLAGS] = { "kflags", "kflags" },
	[COL_KFLAGS_HEX] = { "kflags-hex", "kflags-hex" },
	[COL_MAPCOUNT] = { "mapcount", "mapcount" },
	[COL_CGROUP] = { "cgroup", "cgroup" },
	[COL_STATE] = { "state", "state" },
};

/* The summary's columns: key and header. */
enum summary_field {
	SUM_PID, SUM_START, SUM_END, SUM_PERMS, SUM_PAGES, SUM_PRESENT,
	SUM_SWAPPED, SUM_FILE, SUM_SOFT_DIRTY, SUM_EXCLUSIVE, SUM_RSS,
	SUM_PSS, SUM_USS, SUM_PSS_ANON, SUM_PSS_FILE, SUM_PSS_SHMEM, SUM_KSM,
	SUM_SHARED, SUM_PRIVATE, SUM_ZERO, SUM_ANON_PMD, SUM_SHMEM_PMD,
	SUM_FILE_PMD, SUM_HUGETLB_SHARED, SUM_HUGETLB_PRIVATE, SUM_SWAP,
	SUM_NAME, SUM_COUNT
};

static const struct {
	const char *name;
	const char *header;
} summary_columns[SUM_COUNT] = {
	[SUM_PID] = { "pid", "pid" },
	[SUM_START] = { "start", "start" },
	[SUM_END] = { "end", "end" },
	[SUM_PERMS] = { "perms", "perms" },
	[SUM_PAGES] = { "pages", "pages" },
	[SUM_PRESENT] = { "present", "present" },
	[SUM_SWAPPED] = { "swapped", "swapped" },
	[SUM_FILE] = { "file", "file/shared" },
	[SUM_SOFT_DIRTY] = { "soft-dirty", "soft-dirty" },
	[SUM_EXCLUSIVE] = { "exclusive", "exclusive" },
	[SUM_RSS] = { "rss-kib", "rss-kib" },
	[SUM_PSS] = { "pss-kib", "pss-kib" },
	[SUM_USS] = { "uss-kib", "uss-kib" },
	[SUM_PSS_ANON] = { "pss-anon-kib", "pss-anon-kib" },
	[SUM_PSS_FILE] = { "pss-file-kib", "pss-file-kib" },
	[SUM_PSS_SHMEM] = { "pss-shmem-kib", "pss-shmem-kib" },
	[SUM_KSM] = { "ksm-kib", "ksm-kib" },
	[SUM_SHARED] = { "shared-kib", "shared-kib" },
	[SUM_PRIVATE] = { "private-kib", "private-kib" },
	[SUM_ZERO] = { "zero-kib", "zero-kib" },
	[SUM_ANON_PMD] = { "anon-pmd-kib", "anon-pmd-kib" },
	[SUM_SHMEM_PMD] = { "shmem-pmd-kib", "shmem-pmd-kib" },
	[SUM_FILE_PMD] = { "file-pmd-kib", "file-pmd-kib" },
	[SUM_HUGETLB_SHARED] = { "shared-hugetlb-kib", "shared-hugetlb-kib" },
	[SUM_HUGETLB_PRIVATE] = { "private-hugetlb-kib",
	    "private-hugetlb-kib" },
	[SUM_SWAP] = { "swap-kib", "swap-kib" },
	[SUM_NAME] = { "name", "library" },
};

/* Room for any one field but the name, separator and JSON key included. */
#define FIELD_MAX 48

static char *
put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

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

/* Writes v in lower-case hex, at least min digits; returns the end. */
static char *
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

/*
 * The address column: consecutive pages differ by the page size, so the
 * previous row's hex digits are kept and counted up in place instead of
 * being written anew.
 */
static char *
put_addr(struct format *f, char *p, uint64_t addr, uint64_t page_size)
{
	char *digits = f->addr_text;
	int pos, add;

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
		int shift = __builtin_ctzll(page_size);
		pos = 15 - shift / 4;
		add = 1 << (shift % 4);
		if (add == 1 && digits[pos] != 'f') {
			/* 15 rows in 16: one digit goes up, no carry. */
			digits[pos] = next_hex_digit[(unsigned char)digits[pos]];
			if (pos < f->addr_first)
				f->addr_first = pos;
		} else {
			while (pos >= 0) {
				char c = digits[pos];
				int d = (c <= '9' ? c - '0' : c - 'a' + 10) +
				    add;
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
	}
	f->addr_last = addr;
	/* A fixed-size copy (the row's room allows it) beats a call. */
	memcpy(p, digits + f->addr_first, 16);
	return p + 16 - f->addr_first;
}

/* Writes v in decimal; returns the end. */
static char *
put_dec(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* An address-like value: bare hex, or "0x..." in JSON. */
static char *
put_hex(char *p, enum format_kind kind, uint64_t v)
{
	if (kind != FORMAT_JSON)
		return put_hex_min(p, v, 1);
	p = put_str(p, "\"0x");
	p = put_hex_min(p, v, 1);
	*p++ = '"';
	return p;
}

static char *
put_flag(char *p, enum format_kind kind, bool b)
{
	if (kind == FORMAT_JSON)
		return put_str(p, b ? "true" : "false");
	*p++ = b ? '1' : '0';
	return p;
}

/* A short string of safe characters (perms): quoted only in JSON. */
static char *
put_word(char *p, enum format_kind kind, const char *s, size_t n)
{
	if (kind == FORMAT_JSON)
		*p++ = '"';
	memcpy(p, s, n);
	p += n;
	if (kind == FORMAT_JSON)
		*p++ = '"';
	return p;
}

/* The separator before field i, or for JSON its key. */
static char *
put_sep(char *p, enum format_kind kind, size_t i, const char *key)
{
	switch (kind) {
	case FORMAT_TEXT:
		if (i > 0)
			*p++ = ' ';
		break;
	case FORMAT_TSV:
		if (i > 0)
			*p++ = '\t';
		break;
	case FORMAT_CSV:
		if (i > 0)
			*p++ = ',';
		break;
	case FORMAT_JSON:
		*p++ = i > 0 ? ',' : '{';
		*p++ = '"';
		p = put_str(p, key);
		*p++ = '"';
		*p++ = ':';
		break;
	}
	return p;
}

static char *
put_end(char *p, enum format_kind kind)
{
	if (kind == FORMAT_JSON)
		*p++ = '}';
	*p++ = '\n';
	return p;
}

int
format_init(struct format *f, enum format_kind kind,
    const enum format_column *cols, size_t ncols)
{
	int i, k;

	memset(f, 0, sizeof(*f));
	if (ncols > FORMAT_MAX_COLUMNS) {
		errno = EINVAL;
		return -1;
	}
	if (hex_pairs[0] == 0)
		init_hex_pairs();
	f->kind = kind;
	memcpy(f->cols, cols, ncols * sizeof(*cols));
	f->ncols = ncols;
	f->sep = kind == FORMAT_TSV ? '\t' : kind == FORMAT_CSV ? ',' : ' ';
	for (i = 0; i < 16; i++)
		for (k = 0; k < 4; k++) {
			f->flag_text[i][2 * k] = f->sep;
			f->flag_text[i][2 * k + 1] = (char)('0' + (i >> k & 1));
		}
	for (i = 0; i < (int)ncols; i++) {
		f->nkflags += cols[i] == COL_KFLAGS;
		f->nnames += cols[i] == COL_NAME;
		f->name_mid |= kind == FORMAT_TEXT && cols[i] == COL_NAME &&
		    i + 1 < (int)ncols;
	}
	f->default_prefix = kind != FORMAT_JSON &&
	    ncols >= format_default_ncolumns &&
	    memcmp(cols, format_default_columns,
	    format_default_ncolumns * sizeof(*cols)) == 0;
	return 0;
}

const char *
format_column_name(enum format_column col)
{
	return col < COL_COUNT ? columns[col].name : "?";
}

const char *
format_column_header(enum format_column col)
{
	return col < COL_COUNT ? columns[col].header : "?";
}

int
format_column_by_name(const char *name, size_t len)
{
	int i;

	for (i = 0; i < COL_COUNT; i++)
		if (strlen(columns[i].name) == len &&
		    memcmp(columns[i].name, name, len) == 0)
			return i;
	return -1;
}

int
format_kind_by_name(const char *name, enum format_kind *kind)
{
	static const char *const names[] = { "text", "tsv", "csv", "json" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			*kind = (enum format_kind)i;
			return 0;
		}
	return -1;
}

/* Writes a header line of n headers. */
static int
write_header(struct format *f, struct out *out, const char *const *h,
    size_t n)
{
	static const char seps[] = { ' ', '\t', ',' };
	size_t i;

	if (f->kind == FORMAT_JSON)
		return 0;
	for (i = 0; i < n; i++) {
		/* The headers hold no comma, quote or space: no quoting. */
		if ((i > 0 && out_write(out, &seps[f->kind], 1) != 0) ||
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
		h[i] = columns[f->cols[i]].header;
	return write_header(f, out, h, f->ncols);
}

/*
 * The text form of the name for a field that columns follow: the escaped
 * name with its blanks as \040 too, or "-" for none, so that a row split
 * at blanks has the same fields whatever the name. Returns 0, or -1 when
 * out of memory.
 */
static int
set_mid_name(struct format *f)
{
	size_t need = f->name_len * 4 + 1, i;
	char *grown, *d;

	if (need > f->mid_cap) {
		grown = realloc(f->mid, need);
		if (grown == NULL)
			return -1;
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
	size_t need = ESCAPE_JSON_MAX(map->name_len);
	char *grown;

	if (ESCAPE_CSV_MAX(map->name_len) > need)
		need = ESCAPE_CSV_MAX(map->name_len);
	if (need > f->name_cap) {
		grown = realloc(f->name, need);
		if (grown == NULL)
			return -1;
		f->name = grown;
		f->name_cap = need;
	}
	switch (f->kind) {
	case FORMAT_TEXT:
	case FORMAT_TSV:
		f->name_len = escape_text(f->name, map->name, map->name_len);
		break;
	case FORMAT_CSV:
		f->name_len = escape_csv(f->name, map->name, map->name_len);
		break;
	case FORMAT_JSON:
		f->name_len = escape_json(f->name, map->name, map->name_len);
		break;
	}
	return f->name_mid ? set_mid_name(f) : 0;
}

/*
 * The kflags column: flag names, comma-separated; in text "-" for none
 * (an empty field would shift the columns after it), quoted in CSV (the
 * commas) and JSON. Pages next to each other mostly share a few sets of
 * flags (DAMON's sampling, say, toggles idle on some), so the last few
 * lists are kept.
 */
static char *
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
	quote = f->kind == FORMAT_JSON || (f->kind == FORMAT_CSV && n > 0);
	if (quote)
		c->text[len++] = '"';
	memcpy(c->text + len, names, n);
	len += n;
	if (quote)
		c->text[len++] = '"';
	if (f->kind == FORMAT_TEXT && n == 0)
		c->text[len++] = '-';
	c->flags = flags;
	c->len = len;
	memcpy(p, c->text, len);
	return p + len;
}

bool
format_column_needs_kpage(enum format_column col)
{
	return col == COL_KFLAGS || col == COL_KFLAGS_HEX ||
	    col == COL_MAPCOUNT || col == COL_CGROUP;
}

/*
 * Writes columns from..ncols-1 of a row, each with the separator (or JSON
 * key) before it; returns the end.
 */
static char *
put_columns(struct format *f, char *p, size_t from,
    const struct format_row *r)
{
	const struct pagemap_entry *e = r->entry;
	const struct maps_entry *m = r->map;
	enum format_kind kind = f->kind;
	size_t i;

	for (i = from; i < f->ncols; i++) {
		enum format_column col = f->cols[i];
		/* An empty name ends a text row without a trailing blank. */
		if (col == COL_NAME && f->name_len == 0 && i + 1 == f->ncols &&
		    kind == FORMAT_TEXT)
			break;
		p = put_sep(p, kind, i, columns[col].name);
		switch (col) {
		case COL_PID:
			p = put_dec(p, (uint64_t)r->pid);
			break;
		case COL_ADDR:
			if (kind == FORMAT_JSON)
				p = put_str(p, "\"0x");
			p = put_addr(f, p, r->addr, r->page_size);
			if (kind == FORMAT_JSON)
				*p++ = '"';
			break;
		case COL_PFN:
			p = put_hex(p, kind, e->pfn);
			break;
		case COL_SOFT_DIRTY:
			p = put_flag(p, kind, e->soft_dirty);
			break;
		case COL_FILE:
			p = put_flag(p, kind, e->file_shared);
			break;
		case COL_SWAPPED:
			p = put_flag(p, kind, e->swapped);
			break;
		case COL_PRESENT:
			p = put_flag(p, kind, e->present);
			break;
		case COL_EXCLUSIVE:
			p = put_flag(p, kind, e->exclusive);
			break;
		case COL_UFFD_WP:
			p = put_flag(p, kind, e->uffd_wp);
			break;
		case COL_GUARD:
			p = put_flag(p, kind, e->guard);
			break;
		case COL_SWAP_TYPE:
			p = put_dec(p, e->swap_type);
			break;
		case COL_SWAP_OFFSET:
			p = put_hex(p, kind, e->swap_offset);
			break;
		case COL_PADDR:
			p = put_hex(p, kind, e->present ?
			    e->pfn * r->page_size + r->paddr_offset : 0);
			break;
		case COL_PERMS:
			p = put_word(p, kind, m->perms, 4);
			break;
		case COL_OFFSET:
			p = put_hex(p, kind, m->offset + (r->addr - m->start));
			break;
		case COL_DEV:
			if (kind == FORMAT_JSON)
				*p++ = '"';
			p = put_hex_min(p, m->dev_major, 2);
			*p++ = ':';
			p = put_hex_min(p, m->dev_minor, 2);
			if (kind == FORMAT_JSON)
				*p++ = '"';
			break;
		case COL_INODE:
			p = put_dec(p, m->inode);
			break;
		case COL_NAME:
			if (f->name_mid && i + 1 < f->ncols) {
				memcpy(p, f->mid, f->mid_len);
				p += f->mid_len;
				break;
			}
			memcpy(p, f->name, f->name_len);
			p += f->name_len;
			break;
		case COL_KFLAGS:
			p = put_kflags(f, p, r->kflags);
			break;
		case COL_KFLAGS_HEX:
			p = put_hex(p, kind, r->kflags);
			break;
		case COL_MAPCOUNT:
			p = put_dec(p, r->mapcount);
			break;
		case COL_CGROUP:
			p = put_dec(p, r->cgroup);
			break;
		case COL_STATE: {
			const char *name = pagemap_state_name(e->state);
			p = put_word(p, kind, name, strlen(name));
			break;
		}
		case COL_COUNT:
			break;
		}
	}
	return p;
}

/* The most bytes a row takes, short of the end. */
static size_t
row_max(const struct format *f)
{
	size_t name = f->mid_len > f->name_len ? f->mid_len : f->name_len;

	return f->ncols * FIELD_MAX + f->nnames * name + 4 +
	    f->nkflags * sizeof(f->kflags[0].text);
}

/*
 * The default columns in a text-like format: the row almost every run
 * prints, written without the per-column dispatch, and the start of the
 * rows of -o +LIST, whose columns follow. The four flags come from a
 * table of their 16 combinations, separators included.
 */
static int
format_default_row(struct format *f, struct out *out,
    const struct format_row *r)
{
	const struct pagemap_entry *e = r->entry;
	bool more = f->ncols > format_default_ncolumns;
	char *p = out_reserve(out, more ? row_max(f) : 64 + f->name_len);
	unsigned int flags;

	if (p == NULL)
		return -1;
	p = put_addr(f, p, r->addr, r->page_size);
	*p++ = f->sep;
	p = put_hex_min(p, e->pfn, 1);
	flags = (unsigned int)e->soft_dirty | (unsigned int)e->file_shared << 1 |
	    (unsigned int)e->swapped << 2 | (unsigned int)e->present << 3;
	memcpy(p, f->flag_text[flags], 8);
	p += 8;
	/* In text, an empty name ends the row without a trailing blank. */
	if (more && f->name_mid) {
		*p++ = f->sep;
		memcpy(p, f->mid, f->mid_len);
		p += f->mid_len;
	} else if (f->name_len > 0 || f->kind != FORMAT_TEXT || more) {
		*p++ = f->sep;
		memcpy(p, f->name, f->name_len);
		p += f->name_len;
	}
	if (more)
		p = put_columns(f, p, format_default_ncolumns, r);
	*p++ = '\n';
	out_commit(out, p);
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
	out_commit(out, put_end(p, f->kind));
	return 0;
}


/* Whether the summary rows of f have field i. */
static bool
summary_has(const struct format *f, size_t i)
{
	switch (i) {
	case SUM_PID:
		return f->summary_pid;
	case SUM_PSS:
	case SUM_USS:
		return f->summary_pss;
	case SUM_PSS_ANON:
	case SUM_PSS_FILE:
	case SUM_PSS_SHMEM:
	case SUM_KSM:
		return f->summary_pss && f->summary_pss_class;
	case SUM_ZERO:
	case SUM_ANON_PMD:
	case SUM_SHMEM_PMD:
	case SUM_FILE_PMD:
	case SUM_HUGETLB_SHARED:
	case SUM_HUGETLB_PRIVATE:
		return f->summary_scan;
	default:
		return true;
	}
}

int
format_summary_header(struct format *f, struct out *out)
{
	const char *h[SUM_COUNT];
	size_t i, n = 0;

	for (i = 0; i < SUM_COUNT; i++)
		if (summary_has(f, i))
			h[n++] = summary_columns[i].header;
	return write_header(f, out, h, n);
}

/* PSS in the kernel's fixed point, in whole KiB as smaps prints it. */
static uint64_t
pss_kib(uint64_t pss)
{
	return (pss >> FORMAT_PSS_SHIFT) >> 10;
}

int
format_summary_row(struct format *f, struct out *out,
    const struct format_summary *s)
{
	enum format_kind kind = f->kind;
	const struct maps_entry *m = s->map;
	size_t name_len = m != NULL ? f->name_len : 0;
	char *p = out_reserve(out, SUM_COUNT * FIELD_MAX + name_len + 16);
	size_t n = 0, i;

	if (p == NULL)
		return -1;
	for (i = 0; i < SUM_COUNT; i++) {
		const char *key = summary_columns[i].name;
		uint64_t kib = s->page_size / 1024;
		if (!summary_has(f, i))
			continue;
		if (m == NULL && kind == FORMAT_JSON &&
		    (i == SUM_START || i == SUM_END || i == SUM_PERMS ||
		    i == SUM_NAME))
			continue;	/* the total has none of these */
		if (i == SUM_NAME && name_len == 0 && kind == FORMAT_TEXT)
			break;
		p = put_sep(p, kind, n++, key);
		switch (i) {
		case SUM_PID:
			p = put_dec(p, (uint64_t)s->pid);
			break;
		case SUM_START:
			if (m != NULL)
				p = put_hex(p, kind, m->start);
			else
				p = put_str(p, "total");
			break;
		case SUM_END:
		case SUM_PERMS:
			if (m == NULL) {
				if (kind == FORMAT_TEXT)
					*p++ = '-';
			} else if (i == SUM_END)
				p = put_hex(p, kind, m->end);
			else
				p = put_word(p, kind, m->perms, 4);
			break;
		case SUM_PAGES:
			p = put_dec(p, s->pages);
			break;
		case SUM_PRESENT:
			p = put_dec(p, s->present);
			break;
		case SUM_SWAPPED:
			p = put_dec(p, s->swapped);
			break;
		case SUM_FILE:
			p = put_dec(p, s->file_shared);
			break;
		case SUM_SOFT_DIRTY:
			p = put_dec(p, s->soft_dirty);
			break;
		case SUM_EXCLUSIVE:
			p = put_dec(p, s->exclusive);
			break;
		case SUM_RSS:
			p = put_dec(p, s->rss * kib);
			break;
		case SUM_PSS:
			p = put_dec(p, pss_kib(s->pss));
			break;
		case SUM_USS:
			p = put_dec(p, s->uss * kib);
			break;
		case SUM_PSS_ANON:
			p = put_dec(p, pss_kib(s->pss_anon));
			break;
		case SUM_PSS_FILE:
			p = put_dec(p, pss_kib(s->pss_file));
			break;
		case SUM_PSS_SHMEM:
			p = put_dec(p, pss_kib(s->pss_shmem));
			break;
		case SUM_KSM:
			p = put_dec(p, s->ksm * kib);
			break;
		case SUM_SHARED:
			p = put_dec(p, s->shared * kib);
			break;
		case SUM_PRIVATE:
			p = put_dec(p, s->private_ * kib);
			break;
		case SUM_ZERO:
			p = put_dec(p, s->zero * kib);
			break;
		case SUM_ANON_PMD:
			p = put_dec(p, s->anon_pmd * kib);
			break;
		case SUM_SHMEM_PMD:
			p = put_dec(p, s->shmem_pmd * kib);
			break;
		case SUM_FILE_PMD:
			p = put_dec(p, s->file_pmd * kib);
			break;
		case SUM_HUGETLB_SHARED:
			p = put_dec(p, s->hugetlb_shared * kib);
			break;
		case SUM_HUGETLB_PRIVATE:
			p = put_dec(p, s->hugetlb_private * kib);
			break;
		case SUM_SWAP:
			p = put_dec(p, s->swapped * kib);
			break;
		case SUM_NAME:
			memcpy(p, f->name, name_len);
			p += name_len;
			break;
		}
	}
	if (m == NULL && kind == FORMAT_JSON)
		p = put_str(p, ",\"total\":true");
	out_commit(out, put_end(p, kind));
	return 0;
}

void
format_free(struct format *f)
{
	free(f->name);
	free(f->mid);
	memset(f, 0, sizeof(*f));
}
