/*
 * format: rows written by hand (no printf per page) into the out buffer.
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

static const char *const headers[COL_COUNT] = {
	[COL_PID] = "pid",
	[COL_ADDR] = "addr",
	[COL_PFN] = "pfn",
	[COL_SOFT_DIRTY] = "soft-dirty",
	[COL_FILE] = "file/shared",
	[COL_SWAPPED] = "swapped",
	[COL_PRESENT] = "present",
	[COL_EXCLUSIVE] = "exclusive",
	[COL_UFFD_WP] = "uffd-wp",
	[COL_GUARD] = "guard",
	[COL_SWAP_TYPE] = "swap-type",
	[COL_SWAP_OFFSET] = "swap-offset",
	[COL_PADDR] = "paddr",
	[COL_PERMS] = "perms",
	[COL_OFFSET] = "offset",
	[COL_DEV] = "dev",
	[COL_INODE] = "inode",
	[COL_NAME] = "library",
};

/* Room for any one column but the name, separator included. */
#define FIELD_MAX 24

/* Writes v in lower-case hex without leading zeros; returns the end. */
static char *
put_hex(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	int n = v == 0 ? 1 : (64 - __builtin_clzll(v) + 3) / 4;
	char *end = p + n;

	while (n-- > 0) {
		p[n] = digits[v & 15];
		v >>= 4;
	}
	return end;
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

static char *
put_flag(char *p, bool b)
{
	*p++ = b ? '1' : '0';
	return p;
}

int
format_init(struct format *f, const enum format_column *cols, size_t ncols)
{
	memset(f, 0, sizeof(*f));
	if (ncols > sizeof(f->cols) / sizeof(f->cols[0])) {
		errno = EINVAL;
		return -1;
	}
	memcpy(f->cols, cols, ncols * sizeof(*cols));
	f->ncols = ncols;
	return 0;
}

const char *
format_column_header(enum format_column col)
{
	return col < COL_COUNT ? headers[col] : "?";
}

int
format_header(struct format *f, struct out *out)
{
	size_t i;

	for (i = 0; i < f->ncols; i++) {
		const char *h = headers[f->cols[i]];
		if ((i > 0 && out_write(out, " ", 1) != 0) ||
		    out_write(out, h, strlen(h)) != 0)
			return -1;
	}
	return out_write(out, "\n", 1);
}

int
format_set_mapping(struct format *f, const struct maps_entry *map)
{
	size_t need = ESCAPE_TEXT_MAX(map->name_len) + 1;
	char *grown;

	if (need > f->name_cap) {
		grown = realloc(f->name, need);
		if (grown == NULL)
			return -1;
		f->name = grown;
		f->name_cap = need;
	}
	f->name_len = escape_text(f->name, map->name, map->name_len);
	return 0;
}

int
format_row(struct format *f, struct out *out, const struct format_row *r)
{
	const struct pagemap_entry *e = r->entry;
	char *p = out_reserve(out, f->ncols * FIELD_MAX + f->name_len + 1);
	size_t i;

	if (p == NULL)
		return -1;
	for (i = 0; i < f->ncols; i++) {
		enum format_column col = f->cols[i];
		/* An empty name at the end of a row leaves no trailing blank. */
		if (col == COL_NAME && f->name_len == 0 && i + 1 == f->ncols)
			break;
		if (i > 0)
			*p++ = ' ';
		switch (col) {
		case COL_PID:
			p = put_dec(p, (uint64_t)r->pid);
			break;
		case COL_ADDR:
			p = put_hex(p, r->addr);
			break;
		case COL_PFN:
			p = put_hex(p, e->pfn);
			break;
		case COL_SOFT_DIRTY:
			p = put_flag(p, e->soft_dirty);
			break;
		case COL_FILE:
			p = put_flag(p, e->file_shared);
			break;
		case COL_SWAPPED:
			p = put_flag(p, e->swapped);
			break;
		case COL_PRESENT:
			p = put_flag(p, e->present);
			break;
		case COL_EXCLUSIVE:
			p = put_flag(p, e->exclusive);
			break;
		case COL_UFFD_WP:
			p = put_flag(p, e->uffd_wp);
			break;
		case COL_GUARD:
			p = put_flag(p, e->guard);
			break;
		case COL_SWAP_TYPE:
			p = put_dec(p, e->swap_type);
			break;
		case COL_SWAP_OFFSET:
			p = put_hex(p, e->swap_offset);
			break;
		case COL_PADDR:
			p = put_hex(p, e->present ? e->pfn * r->page_size : 0);
			break;
		case COL_PERMS:
			memcpy(p, r->map->perms, 4);
			p += 4;
			break;
		case COL_OFFSET:
			p = put_hex(p, r->map->offset + (r->addr - r->map->start));
			break;
		case COL_DEV:
			p = put_hex(p, r->map->dev_major);
			*p++ = ':';
			p = put_hex(p, r->map->dev_minor);
			break;
		case COL_INODE:
			p = put_dec(p, r->map->inode);
			break;
		case COL_NAME:
			memcpy(p, f->name, f->name_len);
			p += f->name_len;
			break;
		case COL_COUNT:
			break;
		}
	}
	*p++ = '\n';
	out_commit(out, p);
	return 0;
}

void
format_free(struct format *f)
{
	free(f->name);
	memset(f, 0, sizeof(*f));
}
