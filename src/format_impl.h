/*
 * format_impl: what format.c and the column registry (column.c) share:
 * the formatter's state, and the primitives that write one value in the
 * style of the format. Not for other modules: they see format.h.
 */
#ifndef PAGEMAP_DUMP_FORMAT_IMPL_H
#define PAGEMAP_DUMP_FORMAT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "column.h"
#include "format.h"
#include "kpage.h"

/* How a list field (kflags) is quoted. */
enum format_list_quote {
	LIST_BARE,		/* never */
	LIST_QUOTED_NONEMPTY,	/* when it holds something (CSV's commas) */
	LIST_QUOTED,		/* always (JSON strings) */
};

/*
 * An output format, as data: how fields are separated and values
 * written. The formatter has no branch on the format's name.
 */
struct format_style {
	const char *name;
	char sep;		/* between fields, when not keyed */
	bool keyed;		/* {"key":value,...} rows (JSON Lines) */
	bool header;		/* a header line comes first */
	bool blank_split;	/* read by splitting at blanks: no field may
				   be empty or hold a blank (text) */
	bool quote_hex;		/* hex values as "0x..." strings */
	bool quote_words;	/* perms, state, dev in quotes */
	const char *yes, *no;	/* how booleans read */
	enum format_list_quote list_quote;
	/* Escapes a mapping name; ESCAPE_*_MAX bytes of room per byte. */
	size_t (*escape)(char *dst, const char *src, size_t len);
	size_t escape_factor, escape_extra;
};

/* The kflags texts a formatter keeps. */
#define FORMAT_KFLAGS_CACHE 4

struct format {
	const struct format_style *style;
	unsigned cols[FORMAT_MAX_COLUMNS];
	size_t ncols;
	unsigned summary_have;	/* SUMMARY_* the summary rows can show */
	unsigned keys[FORMAT_MAX_COLUMNS];	/* --by's columns */
	size_t nkeys;
	/* Their names and headers: "by-" before one a summary column has. */
	char key_name[FORMAT_MAX_COLUMNS][32];
	char key_header[FORMAT_MAX_COLUMNS][32];
	/*
	 * The kflags column of the last few distinct flag values, written
	 * out: neighbouring pages mostly share a handful of them.
	 */
	struct format_kflags {
		uint64_t flags;
		size_t len;	/* 0: not filled yet */
		char text[KPAGE_NAMES_MAX + 8];
	} kflags[FORMAT_KFLAGS_CACHE];
	unsigned int kflags_next;	/* the entry to replace next */
	size_t nkflags;		/* kflags columns in a row */
	size_t nnames;		/* name columns in a row */
	bool default_prefix;	/* the classic row (and maybe more columns
				   after it), in a format with a separator */
	/*
	 * With default_prefix, the writers of the columns after the classic
	 * row, when none of them is a name: each is its separator and its
	 * value. ntail is 0 otherwise.
	 */
	char *(*tail[FORMAT_MAX_COLUMNS])(struct format *, char *,
	    const struct format_row *);
	size_t ntail;
	size_t row_room;	/* row_max() for the mapping at hand */
	char flag_text[16][8];	/* " 0 1 0 1" for each flag combination */
	char addr_text[32];	/* the last address: 16 hex digits, zeros */
	int addr_first;		/* its first significant digit */
	uint64_t addr_last;
	bool addr_valid;
	char *name;		/* the current mapping's name, escaped */
	size_t name_len;
	size_t name_cap;
	/*
	 * In a blank-split format, a name with columns after it is one
	 * field: its blanks escaped too, and "-" when empty. name_mid says
	 * a row has one.
	 */
	bool name_mid;
	char *mid;
	size_t mid_len;
	size_t mid_cap;
};

/* Room for any one field but the name and lists, separator included. */
#define FORMAT_FIELD_MAX 48

static inline char *
put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/* Writes v in lower-case hex, at least min digits; returns the end. */
char *put_hex_min(char *p, uint64_t v, int min);

/* Writes v in decimal; returns the end. */
static inline char *
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

/* A hex value (an address, a PFN): bare, or "0x..." where quoted. */
static inline char *
put_hex(const struct format *f, char *p, uint64_t v)
{
	if (!f->style->quote_hex)
		return put_hex_min(p, v, 1);
	p = put_str(p, "\"0x");
	p = put_hex_min(p, v, 1);
	*p++ = '"';
	return p;
}

static inline char *
put_flag(const struct format *f, char *p, bool b)
{
	return put_str(p, b ? f->style->yes : f->style->no);
}

/* A short string of safe characters (perms, a state): maybe quoted. */
static inline char *
put_word(const struct format *f, char *p, const char *s, size_t n)
{
	if (f->style->quote_words)
		*p++ = '"';
	memcpy(p, s, n);
	p += n;
	if (f->style->quote_words)
		*p++ = '"';
	return p;
}

/* The page's address, counted up from the row before (see format.c). */
char *put_addr(struct format *f, char *p, uint64_t addr,
    uint64_t page_size);

/* The kflags list of flags (see format.c). */
char *put_kflags(struct format *f, char *p, uint64_t flags);

#endif
