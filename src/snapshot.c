/*
 * snapshot: the codec of snapshot files, which --record writes and
 * --replay and --diff read.
 *
 * The format, version 1. Every integer is little-endian and written a
 * byte at a time: u8, u32 and u64 are fixed width; i32 and i64 are two's
 * complement in a u32 and a u64; a varint is unsigned LEB128 (seven bits
 * a byte, the lowest first, the top bit set on every byte but the last),
 * at most ten bytes and in its shortest form. A CRC is CRC-32 as zlib and
 * IEEE 802.3 compute it (polynomial 0xedb88320 reflected, starting from
 * and finally xored with 0xffffffff; "123456789" gives 0xcbf43926).
 *
 * The header:
 *	8 bytes	the magic, "PMDSNAP\n"
 *	u32	the version: 1
 *	u32	the length of the header in bytes, from the magic to the CRC
 *		both included: 69 plus the release's in version 1 (a later
 *		version may add fields before the CRC)
 *	u64	the page size: a power of two, 1024 or more
 *	i64	when the snapshot was taken: ns since the epoch
 *	u32	the swap layout: max_swapfiles,
 *	u32	    nhwpoison,
 *	u32	    nmigration,
 *	u32	    ndevice
 *	u32	flags: bit 0 the frames were read (has_kpage), bit 1 their
 *		cgroups too (has_cgroup), bit 2 the processes' regions were
 *		scanned (has_regions), bit 3 it is of physical memory
 *		(physical: no process, and every frame from the first to the
 *		last was walked); every other bit is 0
 *	u32	the number of processes
 *	u64	the number of frames: 0 without has_kpage
 *	u8	the length of the kernel release, 64 at most, then its
 *		bytes (no NUL among them)
 *	u32	the CRC of every byte of the header before it
 *
 * Then sections: one PROC for each process, one FRAM, and one END, in
 * that order and nothing after. A section is
 *	u32	its tag, four ASCII bytes that read "PROC", "FRAM" or "END "
 *		in the file (so the u32 of "PROC" is 0x434f5250)
 *	u64	the length of its payload
 *	...	the payload
 *	u32	the CRC of the payload
 *
 * The payload of PROC:
 *	i32	the pid, above 0
 *	u8	the length of the command name, 64 at most, then its bytes
 *		(no NUL among them)
 *	u64	task_end
 *	u64	the length of the maps text, then its bytes (any bytes)
 *	u64	the number of entries
 * then the entries, ascending by vpn, as runs of consecutive vpns, each
 * run as long as it can be:
 *	varint	the first vpn of the run less the end of the run before
 *		(one past its last vpn; 0 before the first run): above 0
 *		for every run but the first
 *	varint	the number of entries in the run, 1 or more
 * and for each entry of the run
 *	varint	bits 55 to 63 of the entry as a code where the bits that are
 *		usually set come first: bits 63, 62, 61, 56, 57, 58, 55, 59
 *		and 60 are bits 0 to 8 of the code (a present exclusive page
 *		is 9, one byte)
 *	varint	the zigzag (0, -1, 1, -2, ... as 0, 1, 2, 3, ...) of the low
 *		55 bits (the PFN, or the swap type and offset) less those of
 *		the entry before in the process plus one (0 before the
 *		first): the next frame, or the next swap slot, is 0 or 62
 * No entry is 0 (pagemap's zero entries are not recorded), and the last
 * vpn of a process is below 2^64 - 1. Then the regions of the process,
 * where PAGEMAP_SCAN found the zero page or huge mappings:
 *	u64	the number of regions (0 without has_regions)
 * and for each, ascending and apart:
 *	varint	its start less the end of the one before (0 before the
 *		first); 0 only between regions of other categories
 *	varint	its length in pages, 1 or more
 *	varint	its categories (PAGEMAP_SCAN's bits), not 0
 *
 * The payload of FRAM:
 *	u64	the number of frames, the header's
 * then for each frame, ascending by pfn:
 *	varint	the pfn less the one before less 1 (the first: the pfn)
 *	varint	the flags, as an index in a palette of the values met so
 *		far, which starts empty: an index that is the size of the
 *		palette is followed by a varint, a value not yet in it,
 *		which is added to it
 *	varint	the count
 *	varint	the cgroup, as an index in a palette of its own like the
 *		flags: with has_cgroup only (else it is 0 and not written)
 *
 * The payload of END:
 *	u64	the length of the whole file, so that a file cut at the end
 *		of a section is refused
 *
 * Each snapshot has one encoding (shortest varints, longest runs, no
 * value twice in a palette) and the decoder refuses any other, so a file
 * decoded and encoded again gives back the same bytes.
 *
 * The decoder takes nothing on trust: every length is checked against
 * the bytes left before it is used, a count against what those bytes can
 * hold before anything is allocated for it (an entry takes 2 bytes or
 * more, a frame 3, a process a section), and a file that breaks any rule
 * above is refused whole, with the place named. The encoder refuses (with
 * EINVAL) to write what the decoder would refuse.
 */
#include "snapshot.h"
#include "snapshot_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "PMDSNAP\n"
#define MAGIC_LEN 8
#define HEADER_FIXED 64	/* the bytes of the header before the release */
#define HEADER_MIN (HEADER_FIXED + 1 + 4)
#define ENTRY_MIN 2	/* a code and a difference */
#define FRAME_MIN 3	/* a gap, a flags index and a count */

#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | \
	(uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define TAG_PROC TAG('P', 'R', 'O', 'C')
#define TAG_FRAM TAG('F', 'R', 'A', 'M')
#define TAG_END TAG('E', 'N', 'D', ' ')

#define FLAG_KPAGE 1u
#define FLAG_CGROUP 2u
#define FLAG_REGIONS 4u
#define FLAG_PHYSICAL 8u
#define REGION_MIN 3	/* a gap, a length and the categories */

_Static_assert(sizeof(unsigned int) == 4, "the swap layout is written as u32");

/* ---- encoding ------------------------------------------------------------ */

/* The file being written; failed once memory ran out. */
struct buf {
	unsigned char *p;
	size_t len, cap;
	bool failed;
	uint32_t crc[256];	/* the table of crc32 */
};

/* Room for n more bytes at the end of b, or NULL (b has failed). */
static unsigned char *
buf_room(struct buf *b, size_t n)
{
	unsigned char *p;
	size_t cap;

	if (b->failed)
		return NULL;
	if (n > b->cap - b->len) {
		cap = b->cap > 0 ? b->cap : 4096;
		while (cap - b->len < n) {
			if (cap > SIZE_MAX / 2) {
				b->failed = true;
				return NULL;
			}
			cap *= 2;
		}
		if ((p = realloc(b->p, cap)) == NULL) {
			b->failed = true;
			return NULL;
		}
		b->p = p;
		b->cap = cap;
	}
	p = b->p + b->len;
	b->len += n;
	return p;
}

static void
put_bytes(struct buf *b, const void *src, size_t n)
{
	unsigned char *dst = buf_room(b, n);

	if (dst != NULL && n > 0)
		memcpy(dst, src, n);
}

/* Writes the low n bytes of v, little-endian. */
static void
put_le(struct buf *b, uint64_t v, size_t n)
{
	unsigned char *dst = buf_room(b, n);
	size_t i;

	for (i = 0; dst != NULL && i < n; i++)
		dst[i] = (unsigned char)(v >> 8 * i);
}

static void
put_varint(struct buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		tmp[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			tmp[n] |= 0x80;
		n++;
	} while (v != 0);
	put_bytes(b, tmp, n);
}

/* Starts a section; returns where its payload starts. */
static size_t
section_begin(struct buf *b, uint32_t tag)
{
	put_le(b, tag, 4);
	put_le(b, 0, 8);	/* the length, once it is known */
	return b->len;
}

/* Ends the section whose payload started at start. */
static void
section_end(struct buf *b, size_t start)
{
	uint64_t n = b->len - start;
	size_t i;

	if (b->failed)
		return;
	for (i = 0; i < 8; i++)
		b->p[start - 8 + i] = (unsigned char)(n >> 8 * i);
	put_le(b, snap_crc32(b->crc, b->p + start, b->len - start), 4);
}

/* Tells whether p can be written: what the decoder would accept. */
static bool
proc_ok(const struct snapshot_process *p)
{
	size_t i;

	if (p->pid <= 0 || memchr(p->comm, '\0', sizeof(p->comm)) == NULL ||
	    (p->maps == NULL && p->maps_len > 0) ||
	    (p->entries == NULL && p->nentries > 0))
		return false;
	for (i = 0; i < p->nentries; i++)
		if (p->entries[i].raw == 0 || p->entries[i].vpn == UINT64_MAX ||
		    (i > 0 && p->entries[i].vpn <= p->entries[i - 1].vpn))
			return false;
	for (i = 0; i < p->nregions; i++)
		if (p->regions[i].end <= p->regions[i].start ||
		    p->regions[i].categories == 0 || (i > 0 &&
		    (p->regions[i].start < p->regions[i - 1].end ||
		    (p->regions[i].start == p->regions[i - 1].end &&
		    p->regions[i].categories == p->regions[i - 1].categories))))
			return false;
	return p->regions != NULL || p->nregions == 0;
}

/* Tells whether s can be written: what the decoder would accept. */
static bool
snapshot_ok(const struct snapshot *s)
{
	const struct snapshot_frame *f = s->frames;
	size_t i;

	if (s->page_size < 1024 || (s->page_size & (s->page_size - 1)) ||
	    memchr(s->release, '\0', sizeof(s->release)) == NULL ||
	    s->nprocs > UINT32_MAX || (s->procs == NULL && s->nprocs > 0) ||
	    (f == NULL && s->nframes > 0) || (!s->has_kpage && s->nframes > 0) ||
	    (s->physical && (s->nprocs > 0 || !s->has_kpage)))
		return false;
	for (i = 0; i < s->nprocs; i++)
		if (!proc_ok(&s->procs[i]) ||
		    (!s->has_regions && s->procs[i].nregions > 0))
			return false;
	for (i = 0; i < s->nframes; i++)
		if ((i > 0 && f[i].pfn <= f[i - 1].pfn) ||
		    (!s->has_cgroup && f[i].cgroup != 0))
			return false;
	return true;
}

static void
put_header(struct buf *b, const struct snapshot *s)
{
	size_t rlen = strlen(s->release);

	put_bytes(b, MAGIC, MAGIC_LEN);
	put_le(b, SNAPSHOT_VERSION, 4);
	put_le(b, HEADER_MIN + rlen, 4);
	put_le(b, s->page_size, 8);
	put_le(b, (uint64_t)s->time_ns, 8);
	put_le(b, s->layout.max_swapfiles, 4);
	put_le(b, s->layout.nhwpoison, 4);
	put_le(b, s->layout.nmigration, 4);
	put_le(b, s->layout.ndevice, 4);
	put_le(b, (s->has_kpage ? FLAG_KPAGE : 0) |
	    (s->has_cgroup ? FLAG_CGROUP : 0) |
	    (s->has_regions ? FLAG_REGIONS : 0) |
	    (s->physical ? FLAG_PHYSICAL : 0), 4);
	put_le(b, s->nprocs, 4);
	put_le(b, s->nframes, 8);
	put_le(b, rlen, 1);
	put_bytes(b, s->release, rlen);
	if (!b->failed)
		put_le(b, snap_crc32(b->crc, b->p, b->len), 4);
}

/* The zigzag of low less base (base is at most 2^55, low below it). */
static uint64_t
zigzag(uint64_t low, uint64_t base)
{
	return low >= base ? (low - base) << 1 : (base - low - 1) << 1 | 1;
}

/* Writes the entries of p as runs (see the top of the file). */
static void
put_entries(struct buf *b, const struct snapshot_process *p)
{
	const struct snapshot_entry *e = p->entries;
	uint64_t end = 0, low, prev = 0;
	size_t i, j, k;

	for (i = 0; i < p->nentries; i = j) {
		for (j = i + 1; j < p->nentries && e[j].vpn == e[j - 1].vpn + 1;
		    j++)
			;
		put_varint(b, e[i].vpn - end);
		put_varint(b, j - i);
		for (k = i; k < j; k++) {
			low = e[k].raw & PM_PFN_MASK;
			put_varint(b, snap_high_code(e[k].raw));
			put_varint(b, zigzag(low, prev + 1));
			prev = low;
		}
		end = e[j - 1].vpn + 1;
	}
}

static void
put_proc(struct buf *b, const struct snapshot_process *p)
{
	size_t start = section_begin(b, TAG_PROC), clen = strlen(p->comm), i;
	uint64_t end = 0;

	put_le(b, (uint32_t)p->pid, 4);
	put_le(b, clen, 1);
	put_bytes(b, p->comm, clen);
	put_le(b, p->task_end, 8);
	put_le(b, p->maps_len, 8);
	put_bytes(b, p->maps, p->maps_len);
	put_le(b, p->nentries, 8);
	put_entries(b, p);
	put_le(b, p->nregions, 8);
	for (i = 0; i < p->nregions; i++) {
		put_varint(b, p->regions[i].start - end);
		put_varint(b, p->regions[i].end - p->regions[i].start);
		put_varint(b, p->regions[i].categories);
		end = p->regions[i].end;
	}
	section_end(b, start);
}

/* Writes v as an index in pl, adding it when it is new. */
static void
put_value(struct buf *b, struct palette *pl, uint64_t v)
{
	size_t i = snap_palette_find(pl, v);

	if (i != SIZE_MAX) {
		put_varint(b, i);
		return;
	}
	put_varint(b, pl->n);
	put_varint(b, v);
	if (snap_palette_add(pl, v) != 0)
		b->failed = true;
}

static void
put_frames(struct buf *b, const struct snapshot *s)
{
	struct palette flags = { 0 }, cgroups = { 0 };
	const struct snapshot_frame *f = s->frames;
	size_t start = section_begin(b, TAG_FRAM), i;

	put_le(b, s->nframes, 8);
	for (i = 0; i < s->nframes && !b->failed; i++) {
		put_varint(b, i == 0 ? f[i].pfn : f[i].pfn - f[i - 1].pfn - 1);
		put_value(b, &flags, f[i].flags);
		put_varint(b, f[i].count);
		if (s->has_cgroup)
			put_value(b, &cgroups, f[i].cgroup);
	}
	snap_palette_free(&flags);
	snap_palette_free(&cgroups);
	section_end(b, start);
}

int
snapshot_encode(const struct snapshot *s, unsigned char **data, size_t *len)
{
	struct buf b = { NULL, 0, 0, false, { 0 } };
	size_t i, start;

	*data = NULL;
	*len = 0;
	if (!snapshot_ok(s)) {
		errno = EINVAL;
		return -1;
	}
	snap_crc_init(b.crc);
	put_header(&b, s);
	for (i = 0; i < s->nprocs; i++)
		put_proc(&b, &s->procs[i]);
	put_frames(&b, s);
	start = section_begin(&b, TAG_END);
	put_le(&b, (uint64_t)start + 8 + 4, 8);
	section_end(&b, start);
	if (b.failed) {
		free(b.p);
		errno = ENOMEM;
		return -1;
	}
	*data = b.p;
	*len = b.len;
	return 0;
}

/* ---- decoding ------------------------------------------------------------ */

/* Bytes still to read; trouble says why the last get failed. */
struct cur {
	const unsigned char *p;
	size_t left;
	const char *trouble;
};

/* The file being read, and where to say what is wrong with it. */
struct dec {
	struct cur c;		/* from the next section on */
	const unsigned char *data;
	size_t len;
	char *why;
	size_t why_len;
	bool nomem;		/* memory ran out (else the file is bad) */
	size_t procs_cap;	/* the room in procs of the snapshot */
	uint32_t crc[256];	/* the table of crc32 */
	bool regions;		/* the processes may have regions */
};

/* Says why d failed (the first reason given stays); returns -1. */
static int fail(struct dec *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct dec *d, const char *fmt, ...)
{
	va_list ap;

	if (d->why == NULL || d->why_len == 0 || d->why[0] != '\0')
		return -1;
	va_start(ap, fmt);
	vsnprintf(d->why, d->why_len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Takes n bytes at *at. */
static int
take(struct cur *c, uint64_t n, const unsigned char **at)
{
	if (n > c->left) {
		c->trouble = "cut short";
		return -1;
	}
	*at = c->p;
	c->p += n;
	c->left -= (size_t)n;
	return 0;
}

/* Takes an n-byte little-endian integer. */
static int
get_le(struct cur *c, size_t n, uint64_t *v)
{
	const unsigned char *at;

	if (take(c, n, &at) != 0)
		return -1;
	*v = snap_le(at, n);
	return 0;
}

static int
get_u32(struct cur *c, uint32_t *v)
{
	uint64_t x;

	if (get_le(c, 4, &x) != 0)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* Takes a varint of at most ten bytes, in its shortest form only. */
static int
get_varint(struct cur *c, uint64_t *v)
{
	uint64_t x = 0;
	unsigned int byte = 0;
	size_t i;

	for (i = 0; i == 0 || (byte & 0x80) != 0; i++) {
		if (i == c->left) {
			c->trouble = "cut short";
			return -1;
		}
		byte = c->p[i];
		if (i == 9 && byte > 1) {
			c->trouble = "a varint above 2^64 - 1";
			return -1;
		}
		x |= (uint64_t)(byte & 0x7f) << 7 * i;
	}
	if (i > 1 && byte == 0) {
		c->trouble = "an overlong varint";
		return -1;
	}
	c->p += i;
	c->left -= i;
	*v = x;
	return 0;
}

/* The two's complement value of an n-bit v (n is 32 or 64). */
static int64_t
signed_of(uint64_t v, unsigned int n)
{
	uint64_t sign = UINT64_C(1) << (n - 1);

	if (v < sign)
		return (int64_t)v;
	/* v - 2^n, without converting a value that does not fit. */
	return -(int64_t)((sign - 1) - (v - sign)) - 1;
}

/* A NUL-less string of at most max bytes (after its u8 length) in dst. */
static int
get_string(struct cur *c, char *dst, size_t max)
{
	const unsigned char *at;
	uint64_t n;

	if (get_le(c, 1, &n) != 0 || take(c, n, &at) != 0)
		return -1;
	if (n > max || memchr(at, '\0', (size_t)n) != NULL) {
		c->trouble = n > max ? "a length above the limit" :
		    "a NUL byte";
		return -1;
	}
	memcpy(dst, at, (size_t)n);
	dst[n] = '\0';
	return 0;
}

/* Says that memory ran out for what; returns -1. */
static int
fail_memory(struct dec *d, const char *what)
{
	d->nomem = true;
	return fail(d, "out of memory for %s", what);
}

/*
 * Reads the magic, the version and the length of the header, and checks
 * its CRC. Returns 0 with d->c on the fields after the length, or -1.
 */
static int
read_header_frame(struct dec *d)
{
	struct cur *c = &d->c;
	const unsigned char *at;
	uint32_t version, hlen;

	/* Fewer bytes than the magic, but like it: cut short. */
	if (c->left > 0 && memcmp(c->p, MAGIC, c->left < MAGIC_LEN ?
	    c->left : MAGIC_LEN) != 0)
		return fail(d, "not a pagemap-dump snapshot (bad magic)");
	if (take(c, MAGIC_LEN, &at) != 0 || get_u32(c, &version) != 0)
		return fail(d, "cut short in the header");
	if (version != SNAPSHOT_VERSION)
		return fail(d, "version %" PRIu32 " is not supported (this "
		    "pagemap-dump reads %d)", version, SNAPSHOT_VERSION);
	if (get_u32(c, &hlen) != 0)
		return fail(d, "cut short in the header");
	if (hlen < HEADER_MIN || hlen > HEADER_MIN + SNAPSHOT_RELEASE_MAX)
		return fail(d, "bad header length %" PRIu32, hlen);
	if (hlen > d->len)
		return fail(d, "cut short in the header");
	if (snap_crc32(d->crc, d->data, hlen - 4) != snap_le(d->data + hlen - 4, 4))
		return fail(d, "checksum mismatch in the header");
	if (hlen != (uint32_t)HEADER_MIN + d->data[HEADER_FIXED])
		return fail(d, "header length %" PRIu32 " does not fit a "
		    "release of %u bytes", hlen, d->data[HEADER_FIXED]);
	return 0;
}

/*
 * Reads the header into s, with the counts that the sections must match.
 * Returns 0 with d->c on the first section, or -1.
 */
static int
read_header(struct dec *d, struct snapshot *s, uint32_t *nprocs,
    uint64_t *nframes)
{
	struct cur *c = &d->c;
	uint64_t time_ns = 0;
	uint32_t flags = 0, crc;

	if (read_header_frame(d) != 0)
		return -1;
	/* Every byte is there and checked: no get below fails. */
	get_le(c, 8, &s->page_size);
	get_le(c, 8, &time_ns);
	s->time_ns = signed_of(time_ns, 64);
	get_u32(c, &s->layout.max_swapfiles);
	get_u32(c, &s->layout.nhwpoison);
	get_u32(c, &s->layout.nmigration);
	get_u32(c, &s->layout.ndevice);
	get_u32(c, &flags);
	get_u32(c, nprocs);
	get_le(c, 8, nframes);
	if (get_string(c, s->release, SNAPSHOT_RELEASE_MAX) != 0)
		return fail(d, "%s in the kernel release", c->trouble);
	get_u32(c, &crc);
	if (flags & ~(FLAG_KPAGE | FLAG_CGROUP | FLAG_REGIONS | FLAG_PHYSICAL))
		return fail(d, "unknown flags 0x%" PRIx32 " in the header",
		    flags & ~(FLAG_KPAGE | FLAG_CGROUP | FLAG_REGIONS |
		    FLAG_PHYSICAL));
	s->physical = (flags & FLAG_PHYSICAL) != 0;
	if (s->physical && (*nprocs > 0 || !(flags & FLAG_KPAGE)))
		return fail(d, "a snapshot of physical memory with %" PRIu32
		    " processes%s", *nprocs, flags & FLAG_KPAGE ? "" :
		    " and no frames");
	s->has_kpage = (flags & FLAG_KPAGE) != 0;
	s->has_cgroup = (flags & FLAG_CGROUP) != 0;
	s->has_regions = d->regions = (flags & FLAG_REGIONS) != 0;
	if (s->page_size < 1024 || (s->page_size & (s->page_size - 1)) != 0)
		return fail(d, "bad page size %" PRIu64, s->page_size);
	if (!s->has_kpage && *nframes > 0)
		return fail(d, "%" PRIu64 " frames in a snapshot without "
		    "kpage values", *nframes);
	return 0;
}

/* Writes tag as its four bytes, those that are not printable as '?'. */
static void
tag_text(char text[5], uint32_t tag)
{
	int i;
	unsigned int byte;

	for (i = 0; i < 4; i++) {
		byte = tag >> 8 * i & 0xff;
		text[i] = byte >= ' ' && byte <= '~' ? (char)byte : '?';
	}
	text[4] = '\0';
}

/*
 * Reads the section that must come next, tagged want (what names it),
 * and checks its CRC. Returns 0 with *payload on its payload; 1 when the
 * file ends inside it, with *payload on what there is of the payload (to
 * find the place it was cut); or -1.
 */
static int
read_section(struct dec *d, uint32_t want, const char *what,
    struct cur *payload)
{
	struct cur *c = &d->c;
	const unsigned char *at;
	uint32_t tag, crc;
	uint64_t n;
	char text[5];

	if (c->left == 0)
		return fail(d, "cut short before %s", what);
	if (get_u32(c, &tag) != 0 || get_le(c, 8, &n) != 0)
		return fail(d, "cut short at the start of %s", what);
	if (tag != want) {
		tag_text(text, tag);
		return fail(d, "a section tagged '%s' where %s should be", text,
		    what);
	}
	if (n > c->left || c->left - n < 4) {
		payload->p = c->p;
		payload->left = n < c->left ? (size_t)n : c->left;
		payload->trouble = NULL;
		return 1;
	}
	take(c, n, &at);
	get_u32(c, &crc);
	if (snap_crc32(d->crc, at, (size_t)n) != crc) {
		if (want == TAG_PROC && n >= 4)
			return fail(d, "checksum mismatch in %s (pid %" PRId64
			    ")", what, signed_of(snap_le(at, 4), 32));
		return fail(d, "checksum mismatch in %s", what);
	}
	payload->p = at;
	payload->left = (size_t)n;
	payload->trouble = NULL;
	return 0;
}

/* Reads entry *low's successor: its high bits and low ones in *raw. */
static int
get_entry(struct cur *c, uint64_t *low, uint64_t *raw)
{
	uint64_t code, z, m, base = *low + 1;

	if (get_varint(c, &code) != 0 || get_varint(c, &z) != 0)
		return -1;
	if (code >= 512) {
		c->trouble = "a bad code of the high bits";
		return -1;
	}
	m = z >> 1;
	if ((z & 1) == 0 && m <= PM_PFN_MASK && base + m <= PM_PFN_MASK)
		*low = base + m;
	else if ((z & 1) != 0 && m < base)
		*low = base - m - 1;
	else {
		c->trouble = "low bits out of range";
		return -1;
	}
	*raw = snap_high_bits(code) | *low;
	if (*raw == 0) {
		c->trouble = "a zero entry";
		return -1;
	}
	return 0;
}

/* Reads the p->nentries entries of p (room for them is there). */
static int
get_entries(struct dec *d, struct cur *c, struct snapshot_process *p)
{
	uint64_t end = 0, low = 0, gap, run, vpn, raw;
	size_t i = 0;

	while (i < p->nentries) {
		if (get_varint(c, &gap) != 0 || get_varint(c, &run) != 0)
			return fail(d, "%s in the entries of pid %" PRId32,
			    c->trouble, p->pid);
		if (i > 0 && gap == 0)
			return fail(d, "two runs touch in the entries of pid %"
			    PRId32, p->pid);
		if (run == 0 || run > p->nentries - i)
			return fail(d, "a run of %" PRIu64 " entries (%zu "
			    "left) in the entries of pid %" PRId32, run,
			    p->nentries - i, p->pid);
		if (gap > UINT64_MAX - end || run > UINT64_MAX - end - gap)
			return fail(d, "a vpn beyond 2^64 - 2 in the entries "
			    "of pid %" PRId32, p->pid);
		for (vpn = end + gap; vpn < end + gap + run; vpn++, i++) {
			if (get_entry(c, &low, &raw) != 0)
				return fail(d, "%s in the entries of pid %"
				    PRId32, c->trouble, p->pid);
			p->entries[i].vpn = vpn;
			p->entries[i].raw = raw;
		}
		end = vpn;
	}
	return 0;
}

/* Reads the regions of p, after its entries. */
static int
get_regions(struct dec *d, struct cur *c, struct snapshot_process *p)
{
	uint64_t n, end = 0, gap, len, cat, last = 0;
	size_t i;

	if (get_le(c, 8, &n) != 0)
		return fail(d, "cut short in the region count of pid %" PRId32,
		    p->pid);
	if (n > c->left / REGION_MIN || (n > 0 && !d->regions))
		return fail(d, "%" PRIu64 " regions in %zu bytes for pid %"
		    PRId32, n, c->left, p->pid);
	if (n > 0 && (p->regions = malloc((size_t)n *
	    sizeof(*p->regions))) == NULL)
		return fail_memory(d, "the regions");
	for (i = 0; i < (size_t)n; i++) {
		if (get_varint(c, &gap) != 0 || get_varint(c, &len) != 0 ||
		    get_varint(c, &cat) != 0)
			return fail(d, "%s in the regions of pid %" PRId32,
			    c->trouble, p->pid);
		if (len == 0 || cat == 0 || (i > 0 && gap == 0 &&
		    cat == last) || gap > UINT64_MAX - end ||
		    len > UINT64_MAX - end - gap)
			return fail(d, "a bad region in the regions of pid %"
			    PRId32, p->pid);
		p->regions[i] = (struct snapshot_region){ end + gap,
		    end + gap + len, cat };
		p->nregions = i + 1;
		end += gap + len;
		last = cat;
	}
	return 0;
}

/* Reads the maps text of p: malloc'd with a NUL after it. */
static int
get_maps(struct dec *d, struct cur *c, struct snapshot_process *p)
{
	const unsigned char *at;
	uint64_t n;

	if (get_le(c, 8, &n) != 0 || take(c, n, &at) != 0)
		return fail(d, "%s in the maps of pid %" PRId32, c->trouble,
		    p->pid);
	if ((p->maps = malloc((size_t)n + 1)) == NULL)
		return fail_memory(d, "a maps text");
	memcpy(p->maps, at, (size_t)n);
	p->maps[n] = '\0';
	p->maps_len = (size_t)n;
	return 0;
}

/*
 * Reads the payload of the PROC section of process i into p; cut when
 * the file ends before the section does (bytes may be left then).
 */
static int
get_proc(struct dec *d, struct cur *c, struct snapshot_process *p,
    size_t i, bool cut)
{
	uint32_t pid;
	uint64_t n;

	if (get_u32(c, &pid) != 0)
		return fail(d, "cut short in the pid of process %zu", i + 1);
	p->pid = (int32_t)signed_of(pid, 32);
	if (p->pid <= 0)
		return fail(d, "bad pid %" PRId32 " in process %zu", p->pid,
		    i + 1);
	if (get_string(c, p->comm, SNAPSHOT_COMM_MAX) != 0)
		return fail(d, "%s in the command name of pid %" PRId32,
		    c->trouble, p->pid);
	if (get_le(c, 8, &p->task_end) != 0)
		return fail(d, "cut short in the task end of pid %" PRId32,
		    p->pid);
	if (get_maps(d, c, p) != 0)
		return -1;
	if (get_le(c, 8, &n) != 0)
		return fail(d, "cut short in the entry count of pid %" PRId32,
		    p->pid);
	/* Each entry takes two bytes or more: no allocation beyond that. */
	if (n > c->left / ENTRY_MIN)
		return fail(d, "cut short in the entries of pid %" PRId32
		    " (%" PRIu64 " entries in %zu bytes)", p->pid, n, c->left);
	if (n > 0 && (p->entries = malloc((size_t)n *
	    sizeof(*p->entries))) == NULL)
		return fail_memory(d, "the entries");
	p->nentries = (size_t)n;
	if (get_entries(d, c, p) != 0 || get_regions(d, c, p) != 0)
		return -1;
	if (c->left > 0 && !cut)
		return fail(d, "%zu stray byte%s after the entries of pid %"
		    PRId32, c->left, c->left > 1 ? "s" : "", p->pid);
	return 0;
}

/* Why get_value failed when memory ran out. */
static const char no_memory[] = "no memory for a palette";

/* Reads a value given as an index in pl (see the top of the file). */
static int
get_value(struct cur *c, struct palette *pl, uint64_t *v)
{
	uint64_t i;

	if (get_varint(c, &i) != 0)
		return -1;
	if (i < pl->n) {
		*v = pl->values[i];
		return 0;
	}
	if (i > pl->n) {
		c->trouble = "a palette index beyond the palette";
		return -1;
	}
	if (get_varint(c, v) != 0)
		return -1;
	if (snap_palette_find(pl, *v) != SIZE_MAX) {
		c->trouble = "a value twice in a palette";
		return -1;
	}
	if (snap_palette_add(pl, *v) != 0) {
		c->trouble = no_memory;
		return -1;
	}
	return 0;
}

/* Reads frame i after the frame before it (at f - 1 when i > 0). */
static int
get_frame(struct cur *c, struct palette pl[2], bool has_cgroup, size_t i,
    struct snapshot_frame *f)
{
	uint64_t gap;

	if (get_varint(c, &gap) != 0)
		return -1;
	if (i == 0)
		f->pfn = gap;
	else if (f[-1].pfn < UINT64_MAX && gap <= UINT64_MAX - f[-1].pfn - 1)
		f->pfn = f[-1].pfn + 1 + gap;
	else {
		c->trouble = "a pfn beyond 2^64 - 1";
		return -1;
	}
	if (get_value(c, &pl[0], &f->flags) != 0 ||
	    get_varint(c, &f->count) != 0)
		return -1;
	f->cgroup = 0;
	if (has_cgroup && get_value(c, &pl[1], &f->cgroup) != 0)
		return -1;
	return 0;
}

/* Reads the payload of the FRAM section (cut: see get_proc). */
static int
get_frames(struct dec *d, struct cur *c, struct snapshot *s,
    uint64_t nframes, bool cut)
{
	struct palette pl[2] = { { 0 }, { 0 } };
	uint64_t n;
	size_t i;
	int rc = 0;

	if (get_le(c, 8, &n) != 0)
		return fail(d, "cut short in the frames");
	if (n != nframes)
		return fail(d, "%" PRIu64 " frames where the header says %"
		    PRIu64, n, nframes);
	/* Each frame takes three bytes or more. */
	if (n > c->left / FRAME_MIN)
		return fail(d, "cut short in the frames (%" PRIu64 " frames in "
		    "%zu bytes)", n, c->left);
	if (n > 0 && (s->frames = malloc((size_t)n *
	    sizeof(*s->frames))) == NULL)
		return fail_memory(d, "the frames");
	s->nframes = (size_t)n;
	for (i = 0; i < s->nframes && rc == 0; i++)
		if (get_frame(c, pl, s->has_cgroup, i, &s->frames[i]) != 0) {
			d->nomem = c->trouble == no_memory;
			rc = fail(d, "%s in the frames (frame %zu)", c->trouble,
			    i + 1);
		}
	snap_palette_free(&pl[0]);
	snap_palette_free(&pl[1]);
	if (rc == 0 && c->left > 0 && !cut)
		rc = fail(d, "%zu stray byte%s after the frames", c->left,
		    c->left > 1 ? "s" : "");
	return rc;
}

/*
 * Makes room in s for one process more: the room grows with what is read,
 * not with what the header says, so the input justifies it.
 */
static int
room_for(struct dec *d, struct snapshot *s)
{
	struct snapshot_process *procs;
	size_t cap;

	if (s->nprocs == d->procs_cap) {
		cap = d->procs_cap > 0 ? d->procs_cap * 2 : 4;
		procs = realloc(s->procs, cap * sizeof(*procs));
		if (procs == NULL)
			return fail_memory(d, "the processes");
		s->procs = procs;
		d->procs_cap = cap;
	}
	memset(&s->procs[s->nprocs], 0, sizeof(s->procs[0]));
	s->nprocs++;
	return 0;
}

/* Reads the PROC section of process i of n. */
static int
read_proc(struct dec *d, struct snapshot *s, size_t i, uint32_t n)
{
	char what[80];
	struct cur payload;
	int rc;

	snprintf(what, sizeof(what), "the section of process %zu of %" PRIu32,
	    i + 1, n);
	if ((rc = read_section(d, TAG_PROC, what, &payload)) < 0 ||
	    room_for(d, s) != 0)
		return -1;
	/* Cut short: the place it was cut names itself, if it can. */
	if (get_proc(d, &payload, &s->procs[i], i, rc > 0) != 0)
		return -1;
	if (rc > 0)
		return fail(d, "cut short in %s", what);
	return 0;
}

/* Reads the FRAM section and the END, with nothing after it. */
static int
read_tail(struct dec *d, struct snapshot *s, uint64_t nframes)
{
	struct cur payload;
	uint64_t total;
	int rc;

	if ((rc = read_section(d, TAG_FRAM, "the frames", &payload)) < 0 ||
	    get_frames(d, &payload, s, nframes, rc > 0) != 0)
		return -1;
	if (rc > 0)
		return fail(d, "cut short in the frames");
	if ((rc = read_section(d, TAG_END, "the end section", &payload)) < 0)
		return -1;
	if (rc > 0 || get_le(&payload, 8, &total) != 0)
		return fail(d, "cut short in the end section");
	if (payload.left > 0)
		return fail(d, "%zu stray byte%s in the end section",
		    payload.left, payload.left > 1 ? "s" : "");
	if (d->c.left > 0)
		return fail(d, "%zu trailing byte%s after the end", d->c.left,
		    d->c.left > 1 ? "s" : "");
	if (total != d->len)
		return fail(d, "the end section says %" PRIu64 " bytes, the "
		    "file has %zu", total, d->len);
	return 0;
}

int
snapshot_decode(struct snapshot *s, const unsigned char *data, size_t len,
    char *why, size_t why_len)
{
	struct dec d = { { data, len, NULL }, data, len, why, why_len, false,
	    0, { 0 }, false };
	uint64_t nframes = 0;
	uint32_t nprocs = 0;
	size_t i;

	memset(s, 0, sizeof(*s));
	snap_crc_init(d.crc);
	if (why != NULL && why_len > 0)
		why[0] = '\0';
	if (read_header(&d, s, &nprocs, &nframes) != 0)
		goto bad;
	for (i = 0; i < nprocs; i++)
		if (read_proc(&d, s, i, nprocs) != 0)
			goto bad;
	if (read_tail(&d, s, nframes) != 0)
		goto bad;
	return 0;
bad:
	snapshot_free(s);
	errno = d.nomem ? ENOMEM : EINVAL;
	return -1;
}

void
snapshot_free(struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->nprocs; i++) {
		free(s->procs[i].maps);
		free(s->procs[i].entries);
		free(s->procs[i].regions);
	}
	free(s->procs);
	free(s->frames);
	memset(s, 0, sizeof(*s));
}

const struct snapshot_frame *
snapshot_frame(const struct snapshot *s, uint64_t pfn)
{
	size_t lo = 0, hi = s->nframes, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->frames[mid].pfn == pfn)
			return &s->frames[mid];
		if (s->frames[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
