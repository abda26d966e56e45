/*
 * Tests for the snapshot codec: snapshots of every shape survive being
 * encoded and decoded, a file written by hand from the format described
 * in src/snapshot.c decodes to what it says, realistic memory takes few
 * bytes, and every file that is cut short, altered, or not canonical is
 * refused whole with a reason. The seeds of tests/fuzz_snapshot are
 * fixtures of this file; PAGEMAP_DUMP_CORPUS_UPDATE=1 writes them again
 * (to tests/corpus/snapshots), and otherwise they are checked to be what
 * the encoder writes today.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pagemap.h"
#include "snapshot.h"

#define BIT(n) (UINT64_C(1) << (n))
#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SEEDS "tests/corpus/snapshots"

/* ---- helpers ------------------------------------------------------------- */

/* CRC-32 as zlib computes it, a bit at a time: a check on the table. */
static uint32_t
ref_crc(const unsigned char *p, size_t n)
{
	uint32_t crc = 0xffffffff;
	int k;

	while (n-- > 0) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320 & (0 - (crc & 1)));
	}
	return ~crc;
}

/* The n-byte little-endian integer at p. */
static uint64_t
le_at(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* Asserts that a and b hold the same snapshot, field by field. */
static void
assert_same(const struct snapshot *a, const struct snapshot *b)
{
	const struct snapshot_process *p, *q;
	size_t i;

	assert_int_equal(a->page_size, b->page_size);
	assert_true(a->time_ns == b->time_ns);
	assert_string_equal(a->release, b->release);
	assert_int_equal(a->layout.max_swapfiles, b->layout.max_swapfiles);
	assert_int_equal(a->layout.nhwpoison, b->layout.nhwpoison);
	assert_int_equal(a->layout.nmigration, b->layout.nmigration);
	assert_int_equal(a->layout.ndevice, b->layout.ndevice);
	assert_int_equal(a->has_kpage, b->has_kpage);
	assert_int_equal(a->has_cgroup, b->has_cgroup);
	assert_int_equal(a->has_regions, b->has_regions);
	assert_int_equal(a->physical, b->physical);
	assert_int_equal(a->nprocs, b->nprocs);
	for (i = 0; i < a->nprocs; i++) {
		p = &a->procs[i];
		q = &b->procs[i];
		assert_int_equal(p->pid, q->pid);
		assert_string_equal(p->comm, q->comm);
		assert_int_equal(p->task_end, q->task_end);
		assert_int_equal(p->maps_len, q->maps_len);
		if (p->maps_len > 0)
			assert_memory_equal(p->maps, q->maps, p->maps_len);
		assert_int_equal(p->nentries, q->nentries);
		if (p->nentries > 0)
			assert_memory_equal(p->entries, q->entries,
			    p->nentries * sizeof(*p->entries));
		assert_int_equal(p->nregions, q->nregions);
		if (p->nregions > 0)
			assert_memory_equal(p->regions, q->regions,
			    p->nregions * sizeof(*p->regions));
	}
	assert_int_equal(a->nframes, b->nframes);
	if (a->nframes > 0)
		assert_memory_equal(a->frames, b->frames,
		    a->nframes * sizeof(*a->frames));
}

/* Asserts that s is all zero bytes, as a failed decode leaves it. */
static void
assert_empty(const struct snapshot *s)
{
	static const struct snapshot zero;

	assert_memory_equal(s, &zero, sizeof(zero));
}

/*
 * Encodes s, decodes it and checks it came back whole (the decoded maps
 * texts with a NUL after them). Returns the encoded length.
 */
static size_t
round_trip(const struct snapshot *s)
{
	struct snapshot back;
	unsigned char *data;
	char why[256] = "";
	size_t len, i;

	assert_int_equal(snapshot_encode(s, &data, &len), 0);
	if (snapshot_decode(&back, data, len, why, sizeof(why)) != 0)
		fail_msg("decode: %s", why);
	assert_string_equal(why, "");
	assert_same(s, &back);
	for (i = 0; i < back.nprocs; i++) {
		assert_non_null(back.procs[i].maps);
		assert_int_equal(back.procs[i].maps[back.procs[i].maps_len],
		    '\0');
	}
	snapshot_free(&back);
	assert_empty(&back);
	free(data);
	return len;
}

/*
 * Asserts that len bytes at data are refused with a reason that holds
 * want (when not NULL), leaving the snapshot empty.
 */
static void
assert_refused(const unsigned char *data, size_t len, const char *want)
{
	struct snapshot s;
	char why[256] = "";

	memset(&s, 0xa5, sizeof(s));
	if (snapshot_decode(&s, data, len, why, sizeof(why)) == 0)
		fail_msg("decoded, but should say \"%s\"", want ? want : "");
	assert_empty(&s);
	assert_true(why[0] != '\0');
	assert_null(strchr(why, '\n'));
	if (want != NULL && strstr(why, want) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", why, want);
}

/* ---- fixtures ------------------------------------------------------------ */

/* A header of plausible values, no process and no frame. */
static void
fx_empty(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->page_size = 4096;
	s->time_ns = INT64_C(1700000000123456789);
	strcpy(s->release, "6.1.0-13-amd64");
	s->layout.max_swapfiles = 29;
	s->layout.nhwpoison = 1;
	s->layout.nmigration = 2;
	s->layout.ndevice = 0;
}

#define PX (PM_PRESENT | PM_EXCLUSIVE | PM_SOFT_DIRTY)
#define SWAP(type, off) (PM_SWAPPED | (type) | (uint64_t)(off) << 5)

/* Every kind of entry, ascending by vpn. */
static struct snapshot_entry kinds[] = {
	{ 0, PM_PRESENT | 1 },			/* vpn 0, PFN 1 */
	/* A dense run of consecutive frames. */
	{ 0x400, PX | 0x1000 }, { 0x401, PX | 0x1001 }, { 0x402, PX | 0x1002 },
	{ 0x403, PX | 0x1003 }, { 0x404, PX | 0x1004 }, { 0x405, PX | 0x1005 },
	/* Frames going down, then far up. */
	{ 0x406, PX | 0x0fff }, { 0x407, PX | 0x0ffe },
	{ 0x408, PX | 0x7777777 },
	/* Sparse file pages. */
	{ 0x500, PM_PRESENT | PM_FILE_SHARED | 0x2345 },
	{ 0x7ff, PM_PRESENT | PM_FILE_SHARED | 0x2346 },
	/* Swapped out, to consecutive slots and with other bits. */
	{ 0x1600, SWAP(3, 0x777) }, { 0x1601, SWAP(3, 0x778) },
	{ 0x1602, SWAP(3, 0x779) | PM_EXCLUSIVE | PM_SOFT_DIRTY },
	{ 0x1603, SWAP(0, 1) | PM_UFFD_WP },
	/* Guard markers, and a marker with its swap type. */
	{ 0x1700, PM_SWAPPED | PM_GUARD },
	{ 0x1701, PM_GUARD | SWAP(PM_SWAP_MARKER, PM_MARKER_GUARD) },
	/* Bits 59 and 60, whose code takes two bytes. */
	{ 0x1800, PM_PRESENT | BIT(59) | BIT(60) | 0x42 },
	/* Every bit at once; then the largest PFN, the smallest. */
	{ 0x1801, UINT64_MAX }, { 0x1802, PM_PRESENT | PM_PFN_MASK },
	{ 0x1803, PM_PRESENT },
	/* High up, near the top of a 4-level address space. */
	{ BIT(52) - 2, PX | 0x99 }, { BIT(52) - 1, PX | 0x9a },
	{ UINT64_MAX - 1, PM_SWAPPED | 1 },
};

/* One process with every kind of entry. */
static void
fx_one_process(struct snapshot *s)
{
	static char maps[] = "00400000-00401000 r-xp 00000000 08:01 42 /x\n";
	static struct snapshot_process proc;

	fx_empty(s);
	proc.pid = 42;
	strcpy(proc.comm, "worker 1");
	proc.maps = maps;
	proc.maps_len = sizeof(maps) - 1;
	proc.task_end = BIT(52);
	proc.entries = kinds;
	proc.nentries = LEN(kinds);
	s->procs = &proc;
	s->nprocs = 1;
}

/* Three processes: one with a full name and no entries, one empty. */
static void
fx_several(struct snapshot *s)
{
	static struct snapshot_process procs[3];
	static char maps[] = "7f00-8000 rw-p 00000000 00:00 0 [heap]\n";

	fx_one_process(s);
	procs[0] = s->procs[0];
	procs[1].pid = INT32_MAX;
	memset(procs[1].comm, 'c', SNAPSHOT_COMM_MAX);
	procs[1].maps = maps;
	procs[1].maps_len = sizeof(maps) - 1;
	procs[1].task_end = 0x7fffffff;
	procs[2].pid = 1;
	procs[0].entries = kinds + 1;
	procs[0].nentries = 5;
	s->procs = procs;
	s->nprocs = LEN(procs);
	s->time_ns = -1;
	memset(s->release, 'r', SNAPSHOT_RELEASE_MAX);
}

static struct snapshot_frame frames[] = {
	{ 0, 0x828, 1, 0 }, { 1, 0x828, 1, 0 }, { 2, 0x868, 2, 0 },
	{ 0x1000, 0x828, 1, 0 }, { 0x1001, 0x40868, 3, 0 },
	{ 0x1002, 0x868, 1, 0 }, { 0x7777777, BIT(32) | 0x800, 0, 0 },
	{ UINT64_MAX - 1, 0, UINT64_MAX, 0 }, { UINT64_MAX, 1, 1, 0 },
};

/* The snapshot of one process with frames, their cgroups or not. */
static void
fx_frames(struct snapshot *s, bool cgroup)
{
	static const uint64_t cgroups[] = { 7, 7, 9, 7, 9, 9, 11, UINT64_MAX,
		7 };
	size_t i;

	fx_one_process(s);
	s->has_kpage = true;
	s->has_cgroup = cgroup;
	for (i = 0; i < LEN(frames); i++)
		frames[i].cgroup = cgroup ? cgroups[i] : 0;
	s->frames = frames;
	s->nframes = LEN(frames);
}

/* ---- round trips --------------------------------------------------------- */

static void
should_round_trip_an_empty_snapshot(void **state)
{
	struct snapshot s;

	(void)state;
	fx_empty(&s);
	round_trip(&s);
	s.has_kpage = s.has_cgroup = true;	/* root, and no frame */
	round_trip(&s);
}

static void
should_round_trip_every_kind_of_entry_of_one_process(void **state)
{
	struct snapshot s;

	(void)state;
	fx_one_process(&s);
	round_trip(&s);
}

/* Regions touching (other categories) and apart; refused unordered. */
static void
should_round_trip_regions_and_refuse_them_out_of_order(void **state)
{
	struct snapshot_region r[] = { { 0, 1, 32 }, { 1, 512, 64 },
		{ 4096, 4608, 64 }, { BIT(52) - 3, BIT(52) - 1, 96 } };
	struct snapshot s;
	unsigned char *data;
	size_t len;

	(void)state;
	fx_one_process(&s);
	s.has_regions = true;
	round_trip(&s);
	s.procs[0].regions = r;
	s.procs[0].nregions = LEN(r);
	round_trip(&s);
	r[1].categories = 32;	/* touching, the same: one region */
	assert_int_equal(snapshot_encode(&s, &data, &len), -1);
	r[1].categories = 64;
	r[2].start = 100;	/* overlapping */
	assert_int_equal(snapshot_encode(&s, &data, &len), -1);
	r[2].start = 4096;
	s.has_regions = false;	/* regions without the flag */
	assert_int_equal(snapshot_encode(&s, &data, &len), -1);
	s.procs[0].regions = NULL;
	s.procs[0].nregions = 0;
}

static void
should_round_trip_several_processes(void **state)
{
	struct snapshot s;

	(void)state;
	fx_several(&s);
	round_trip(&s);
}

static void
should_round_trip_frames_with_their_cgroups_or_without(void **state)
{
	struct snapshot s;

	(void)state;
	fx_frames(&s, true);
	round_trip(&s);
	fx_frames(&s, false);
	round_trip(&s);
}

static void
should_round_trip_maps_text_of_any_bytes(void **state)
{
	struct snapshot s;
	char maps[3 * 256];
	size_t i;

	(void)state;
	fx_one_process(&s);
	for (i = 0; i < sizeof(maps); i++)
		maps[i] = (char)(i * 7 % 256);	/* NULs, newlines, 0xff */
	maps[0] = '\0';
	maps[sizeof(maps) - 1] = '\n';
	s.procs[0].maps = maps;
	s.procs[0].maps_len = sizeof(maps);
	round_trip(&s);
	s.procs[0].maps = NULL;
	s.procs[0].maps_len = 0;
	round_trip(&s);
}

static void
should_decode_without_a_place_for_the_reason(void **state)
{
	struct snapshot s;
	unsigned char *data;
	size_t len;

	(void)state;
	fx_frames(&s, true);
	assert_int_equal(snapshot_encode(&s, &data, &len), 0);
	assert_int_equal(snapshot_decode(&s, data, len, NULL, 0), 0);
	snapshot_free(&s);
	assert_int_equal(snapshot_decode(&s, data, len - 1, NULL, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_empty(&s);
	free(data);
}

/* ---- the format, byte by byte -------------------------------------------- */

/* Bytes written by hand. */
struct tb {
	unsigned char p[2048];
	size_t len;
};

static void
tb_bytes(struct tb *t, const void *src, size_t n)
{
	assert_true(n <= sizeof(t->p) - t->len);
	memcpy(t->p + t->len, src, n);
	t->len += n;
}

static void
tb_le(struct tb *t, uint64_t v, size_t n)
{
	unsigned char b[8];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> 8 * i);
	tb_bytes(t, b, n);
}

static void
tb_varint(struct tb *t, uint64_t v)
{
	unsigned char b;

	do {
		b = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			b |= 0x80;
		tb_bytes(t, &b, 1);
	} while (v != 0);
}

/* A section: tag, length, payload, CRC. */
static void
tb_section(struct tb *t, const char *tag, const struct tb *payload)
{
	tb_bytes(t, tag, 4);
	tb_le(t, payload->len, 8);
	tb_bytes(t, payload->p, payload->len);
	tb_le(t, ref_crc(payload->p, payload->len), 4);
}

/* The parts of a file written by hand: a valid one, then altered. */
struct craft {
	uint32_t version, flags, nprocs;
	uint64_t page_size, nframes;
	char release[80];
	size_t rlen;
	size_t nsections;	/* of PROC, each with the payload proc */
	struct tb proc, frames;
	uint64_t end_delta;	/* added to the length END says */
	bool end_extra;		/* a byte more in END's payload */
};

/* The head of a PROC payload: pid 42, "cat", its maps, nentries. */
static void
proc_head(struct tb *t, uint32_t pid, uint64_t nentries)
{
	t->len = 0;
	tb_le(t, pid, 4);
	tb_le(t, 3, 1);
	tb_bytes(t, "cat", 3);
	tb_le(t, 0x1000, 8);		/* task_end */
	tb_le(t, 2, 8);
	tb_bytes(t, "x\n", 2);		/* the maps */
	tb_le(t, nentries, 8);
}

/*
 * The valid file: one process with entries at vpns 16, 17 (present and
 * exclusive, PFNs 100 and 101) and 21 (swapped: type 1, offset 5), and
 * two frames, 100 and 101, with flags 0x828 for both, counts 1 and 2,
 * cgroups 77 and 88.
 */
static void
craft_default(struct craft *c)
{
	memset(c, 0, sizeof(*c));
	c->version = 1;
	c->flags = 3;
	c->nprocs = 1;
	c->page_size = 4096;
	c->nframes = 2;
	strcpy(c->release, "6.1.0-test");
	c->rlen = strlen(c->release);
	c->nsections = 1;
	proc_head(&c->proc, 42, 3);
	tb_varint(&c->proc, 16);	/* the first run: vpns 16 and 17 */
	tb_varint(&c->proc, 2);
	tb_varint(&c->proc, 9);		/* present | exclusive */
	tb_varint(&c->proc, 198);	/* zigzag(100 - (0 + 1)) */
	tb_varint(&c->proc, 9);
	tb_varint(&c->proc, 0);		/* 101: the one after 100 */
	tb_varint(&c->proc, 3);		/* the second run: vpn 21 */
	tb_varint(&c->proc, 1);
	tb_varint(&c->proc, 2);		/* swapped */
	tb_varint(&c->proc, 118);	/* zigzag(1 | 5 << 5 - 102) */
	tb_le(&c->proc, 0, 8);		/* no regions */
	tb_le(&c->frames, 2, 8);
	tb_varint(&c->frames, 100);	/* pfn 100 */
	tb_varint(&c->frames, 0);	/* a new flags value, */
	tb_varint(&c->frames, 0x828);
	tb_varint(&c->frames, 1);	/* count */
	tb_varint(&c->frames, 0);	/* a new cgroup */
	tb_varint(&c->frames, 77);
	tb_varint(&c->frames, 0);	/* pfn 101 */
	tb_varint(&c->frames, 0);	/* flags 0x828 again */
	tb_varint(&c->frames, 2);
	tb_varint(&c->frames, 1);	/* a new cgroup */
	tb_varint(&c->frames, 88);
}

/* Writes the file c describes. */
static void
craft_file(const struct craft *c, struct tb *t)
{
	struct tb end = { .len = 0 };
	size_t i;

	t->len = 0;
	tb_bytes(t, "PMDSNAP\n", 8);
	tb_le(t, c->version, 4);
	tb_le(t, 69 + c->rlen, 4);
	tb_le(t, c->page_size, 8);
	tb_le(t, (uint64_t)INT64_C(-5), 8);	/* time_ns */
	tb_le(t, 29, 4);
	tb_le(t, 1, 4);
	tb_le(t, 2, 4);
	tb_le(t, 4, 4);
	tb_le(t, c->flags, 4);
	tb_le(t, c->nprocs, 4);
	tb_le(t, c->nframes, 8);
	tb_le(t, c->rlen, 1);
	tb_bytes(t, c->release, c->rlen);
	tb_le(t, ref_crc(t->p, t->len), 4);
	for (i = 0; i < c->nsections; i++)
		tb_section(t, "PROC", &c->proc);
	tb_section(t, "FRAM", &c->frames);
	tb_le(&end, t->len + 16 + 8 + (c->end_extra ? 1 : 0) + c->end_delta,
	    8);
	if (c->end_extra)
		tb_le(&end, 0, 1);
	tb_section(t, "END ", &end);
}

static void
should_decode_a_file_written_by_hand_from_the_format(void **state)
{
	struct snapshot_entry e[] = { { 16, PM_PRESENT | PM_EXCLUSIVE | 100 },
		{ 17, PM_PRESENT | PM_EXCLUSIVE | 101 }, { 21, SWAP(1, 5) } };
	struct snapshot_frame f[] = { { 100, 0x828, 1, 77 },
		{ 101, 0x828, 2, 88 } };
	struct snapshot_process p = { 42, "cat", (char *)"x\n", 2, 0x1000, e,
		LEN(e), NULL, 0 };
	struct snapshot want = { 4096, -5, "6.1.0-test", { 29, 1, 2, 4 },
		true, true, false, false, &p, 1, f, LEN(f) }, s;
	unsigned char *again;
	struct craft c;
	struct tb t;
	char why[256];
	size_t len;

	(void)state;
	craft_default(&c);
	craft_file(&c, &t);
	if (snapshot_decode(&s, t.p, t.len, why, sizeof(why)) != 0)
		fail_msg("decode: %s", why);
	assert_same(&want, &s);
	/* The encoder writes the same bytes: an encoding is unique. */
	assert_int_equal(snapshot_encode(&s, &again, &len), 0);
	assert_int_equal(len, t.len);
	assert_memory_equal(again, t.p, len);
	free(again);
	snapshot_free(&s);
}

static void
should_checksum_with_the_crc_of_zlib(void **state)
{
	struct snapshot s;
	unsigned char *data;
	size_t len, at, n;

	(void)state;
	assert_int_equal(ref_crc((const unsigned char *)"123456789", 9),
	    0xcbf43926);
	fx_frames(&s, true);
	assert_int_equal(snapshot_encode(&s, &data, &len), 0);
	at = (size_t)le_at(data + 12, 4);
	assert_int_equal(le_at(data + at - 4, 4), ref_crc(data, at - 4));
	for (n = 0; at < len; at += 16 + n, n = 0) {
		n = (size_t)le_at(data + at + 4, 8);
		assert_int_equal(le_at(data + at + 12 + n, 4),
		    ref_crc(data + at + 12, n));
	}
	assert_int_equal(at, len);
	free(data);
}

/* ---- size ---------------------------------------------------------------- */

static uint64_t lcg_state;

/* The next of a small LCG (Knuth's MMIX constants), its top 31 bits. */
static uint64_t
lcg(void)
{
	lcg_state = lcg_state * UINT64_C(6364136223846793005) +
	    UINT64_C(1442695040888963407);
	return lcg_state >> 33;
}

static int
by_pfn(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define REAL_ENTRIES 100000

/* Frames for the n PFNs at pfns (sorted in place), kpage values made up. */
static size_t
real_frames(struct snapshot_frame *f, uint64_t *pfns, size_t n)
{
	static const uint64_t flags[] = { 0x828, 0x868, 0x40868, 0x5828,
		0x10000, BIT(33) | 0x868 };
	size_t i, nf = 0;

	qsort(pfns, n, sizeof(*pfns), by_pfn);
	for (i = 0; i < n; i++) {
		if (nf > 0 && f[nf - 1].pfn == pfns[i])
			continue;
		f[nf].pfn = pfns[i];
		f[nf].flags = flags[lcg() % LEN(flags)];
		f[nf].count = 1 + lcg() % 3;
		f[nf].cgroup = 1000 + lcg() % 5;
		nf++;
	}
	return nf;
}

/*
 * Memory as it often is: mappings of up to a few thousand pages with
 * holes between them, frames in runs of 1 to 16 consecutive PFNs
 * scattered over 16 GiB, soft-dirty set, some file pages.
 */
static void
should_encode_real_memory_in_at_most_12_bytes_an_entry(void **state)
{
	struct snapshot s;
	struct snapshot_process proc = { .pid = 7, .comm = "real" };
	uint64_t *pfns, vpn = 0x55550, pfn = 0, left = 0, bits = PX;
	size_t i, len;

	(void)state;
	lcg_state = 1;
	proc.entries = calloc(REAL_ENTRIES, sizeof(*proc.entries));
	pfns = calloc(REAL_ENTRIES, sizeof(*pfns));
	assert_true(proc.entries != NULL && pfns != NULL);
	for (i = 0; i < REAL_ENTRIES; i++, vpn++, pfn++, left--) {
		if (lcg() % 512 == 0) {
			vpn += 1 + lcg() % 4096;	/* the next mapping */
			bits = lcg() % 4 == 0 ? PM_PRESENT | PM_SOFT_DIRTY |
			    PM_FILE_SHARED : PX;
		}
		if (left == 0) {
			pfn = 0x10000 + lcg() % (UINT64_C(1) << 22);
			left = 1 + lcg() % 16;
		}
		proc.entries[i].vpn = vpn;
		proc.entries[i].raw = bits | pfn;
		pfns[i] = pfn;
	}
	proc.nentries = REAL_ENTRIES;
	proc.task_end = BIT(35);
	fx_empty(&s);
	s.procs = &proc;
	s.nprocs = 1;
	s.has_kpage = s.has_cgroup = true;
	s.frames = calloc(REAL_ENTRIES, sizeof(*s.frames));
	assert_non_null(s.frames);
	s.nframes = real_frames(s.frames, pfns, REAL_ENTRIES);
	len = round_trip(&s);
	print_message("snapshot: %zu entries and %zu frames in %zu bytes: "
	    "%.2f bytes per entry\n", proc.nentries, s.nframes, len,
	    (double)len / REAL_ENTRIES);
	assert_true(len <= 12 * REAL_ENTRIES);
	free(proc.entries);
	free(pfns);
	free(s.frames);
}

/* ---- refusals ------------------------------------------------------------ */

/* The small valid file of the refusal tests: it has every part. */
static unsigned char *
small_file(size_t *len)
{
	struct snapshot s;
	unsigned char *data;

	fx_frames(&s, true);
	s.procs[0].nentries = 8;
	s.procs[0].entries = kinds + 12;	/* swapped, guards, 59, 60 */
	s.nframes = 5;
	assert_int_equal(snapshot_encode(&s, &data, len), 0);
	return data;
}

static void
should_refuse_every_truncation(void **state)
{
	unsigned char *data, *copy;
	size_t len, n;

	(void)state;
	data = small_file(&len);
	for (n = 0; n < len; n++) {
		/* A copy of just n bytes: valgrind and ASan see overreads. */
		copy = malloc(n > 0 ? n : 1);
		assert_non_null(copy);
		memcpy(copy, data, n);
		assert_refused(copy, n, "cut short");
		free(copy);
	}
	free(data);
}

static void
should_refuse_a_file_cut_at_the_end_of_a_section(void **state)
{
	unsigned char *data;
	size_t len, at;

	(void)state;
	data = small_file(&len);
	at = (size_t)le_at(data + 12, 4);
	assert_refused(data, at, "cut short before the section of process 1");
	at += 16 + (size_t)le_at(data + at + 4, 8);
	assert_refused(data, at, "cut short before the frames");
	at += 16 + (size_t)le_at(data + at + 4, 8);
	assert_refused(data, at, "cut short before the end section");
	free(data);
}

static void
should_refuse_every_single_bit_flip(void **state)
{
	unsigned char *data;
	size_t len, bit;

	(void)state;
	data = small_file(&len);
	for (bit = 0; bit < len * 8; bit++) {
		data[bit / 8] ^= (unsigned char)(1u << bit % 8);
		assert_refused(data, len, NULL);
		data[bit / 8] ^= (unsigned char)(1u << bit % 8);
	}
	free(data);
}

static void
should_refuse_trailing_bytes(void **state)
{
	unsigned char *data;
	size_t len;

	(void)state;
	data = small_file(&len);
	data = realloc(data, len + 3);
	assert_non_null(data);
	memcpy(data + len, "\0\0\0", 3);
	assert_refused(data, len + 1, "1 trailing byte after the end");
	assert_refused(data, len + 3, "3 trailing bytes after the end");
	free(data);
}

static void
should_refuse_what_is_not_a_snapshot(void **state)
{
	(void)state;
	assert_refused((const unsigned char *)"PMDSNAQ\n", 8,
	    "not a pagemap-dump snapshot (bad magic)");
	assert_refused((const unsigned char *)"00400000-", 9,
	    "not a pagemap-dump snapshot (bad magic)");
	assert_refused((const unsigned char *)"PMD", 3, "cut short");
	assert_refused(NULL, 0, "cut short in the header");
}

static void
should_refuse_a_huge_entry_count_without_allocating_for_it(void **state)
{
	struct craft c;
	struct tb t;
	clock_t start = clock();

	(void)state;
	craft_default(&c);
	proc_head(&c.proc, 42, UINT64_MAX / 2);
	tb_varint(&c.proc, 0);
	tb_varint(&c.proc, UINT64_MAX / 2);
	craft_file(&c, &t);
	assert_refused(t.p, t.len, "cut short in the entries of pid 42");
	/* Frames alike. */
	craft_default(&c);
	c.nframes = UINT64_MAX / 4;
	c.frames.len = 0;
	tb_le(&c.frames, UINT64_MAX / 4, 8);
	tb_varint(&c.frames, 1);
	craft_file(&c, &t);
	assert_refused(t.p, t.len, "cut short in the frames");
	/* And processes. */
	craft_default(&c);
	c.nprocs = UINT32_MAX;
	craft_file(&c, &t);
	assert_refused(t.p, t.len, "where the section of process 2 of "
	    "4294967295 should be");
	assert_true(clock() - start < CLOCKS_PER_SEC);
}

/* Varints after the head of a PROC payload of pid 42 with n entries. */
static void
entries_of(struct craft *c, uint64_t n, const uint64_t *v, size_t nv)
{
	size_t i;

	proc_head(&c->proc, 42, n);
	for (i = 0; i < nv; i++)
		tb_varint(&c->proc, v[i]);
}

/* Varints after the frame count n of a FRAM payload (the header's too). */
static void
frames_of(struct craft *c, uint64_t n, const uint64_t *v, size_t nv)
{
	size_t i;

	c->nframes = n;
	c->frames.len = 0;
	tb_le(&c->frames, n, 8);
	for (i = 0; i < nv; i++)
		tb_varint(&c->frames, v[i]);
}

#define VARINTS(...) (const uint64_t[]){ __VA_ARGS__ }, \
	sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t)
#define ENTRIES(n, ...) entries_of(c, n, VARINTS(__VA_ARGS__))
#define FRAMES(n, ...) frames_of(c, n, VARINTS(__VA_ARGS__))

/* A case: a function that alters the valid file written by hand. */
#define CASE(name, alter) \
	static void name(struct craft *c) { alter; }

CASE(v2, c->version = 2)
CASE(flag16, c->flags |= 16)
CASE(no_kpage, c->flags = 0)
CASE(page_3000, c->page_size = 3000)
CASE(page_512, c->page_size = 512)
CASE(nul_release, c->release[2] = '\0')
CASE(long_release, memset(c->release, 'r', 65); c->rlen = 65)
CASE(three_frames, c->nframes = 3)
CASE(two_procs, c->nprocs = 2)
CASE(no_proc, c->nprocs = 0)
CASE(pid_0, c->proc.p[0] = 0)
CASE(pid_negative, c->proc.p[3] = 0xff)
CASE(nul_comm, c->proc.p[6] = '\0')
/* Entries: gap, run length, then code and zigzag for each. */
CASE(zero_entry, ENTRIES(1, 5, 1, 0, 1))
CASE(bad_code, ENTRIES(1, 5, 1, 512, 0))
CASE(low_above_55_bits, ENTRIES(1, 5, 1, 1, PM_PFN_MASK << 1))
CASE(low_below_0, ENTRIES(1, 5, 1, 1, 3))
CASE(touching_runs, ENTRIES(2, 5, 1, 9, 0, 0, 1, 9, 0))
CASE(empty_run, ENTRIES(1, 5, 0, 9, 0))
CASE(long_run, ENTRIES(1, 5, 2, 9, 0, 9, 0))
CASE(vpn_overflow, ENTRIES(1, UINT64_MAX, 1, 9, 0))
CASE(stray_byte, tb_le(&c->proc, 0, 1))
/* Varints written by hand: 5 in two bytes; 2^64; 1 in eleven bytes. */
CASE(overlong_varint, proc_head(&c->proc, 42, 1);
    tb_bytes(&c->proc, "\x85\x00" "\x01\x09\x00", 5))
CASE(overflowing_varint, proc_head(&c->proc, 42, 1); tb_bytes(&c->proc,
    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02" "\x01\x09\x00", 13))
CASE(eleven_byte_varint, proc_head(&c->proc, 42, 1); tb_bytes(&c->proc,
    "\x81\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00" "\x01\x09\x00", 14))
CASE(huge_maps, c->proc.len = 16; tb_le(&c->proc, UINT64_MAX, 8))
/* Frames: pfn gap, flags index (and value), count, cgroup index (...). */
CASE(index_beyond, FRAMES(1, 1, 1, 7, 1, 0))
CASE(value_twice, FRAMES(2, 1, 0, 7, 1, 0, 5, 0, 1, 7, 1, 0, 5))
CASE(pfn_overflow, FRAMES(2, UINT64_MAX, 0, 7, 1, 0, 5, 0, 0, 1, 0))
CASE(frames_stray, tb_le(&c->frames, 0, 1))
CASE(end_wrong, c->end_delta = 1)
CASE(end_long, c->end_extra = true)

/* What a case does to the file, and what the refusal must say. */
static const struct bad {
	void (*alter)(struct craft *c);
	const char *why;
} bad[] = {
	{ v2, "version 2 is not supported (this pagemap-dump reads 1)" },
	{ flag16, "unknown flags 0x10 in the header" },
	{ no_kpage, "2 frames in a snapshot without kpage values" },
	{ page_3000, "bad page size 3000" },
	{ page_512, "bad page size 512" },
	{ nul_release, "a NUL byte in the kernel release" },
	{ long_release, "bad header length 134" },
	{ three_frames, "2 frames where the header says 3" },
	{ two_procs, "a section tagged 'FRAM' where the section of process 2 "
	    "of 2 should be" },
	{ no_proc, "a section tagged 'PROC' where the frames should be" },
	{ pid_0, "bad pid 0 in process 1" },
	{ pid_negative, "bad pid -16777174 in process 1" },
	{ nul_comm, "a NUL byte in the command name of pid 42" },
	{ zero_entry, "a zero entry in the entries of pid 42" },
	{ bad_code, "a bad code of the high bits in the entries of pid 42" },
	{ low_above_55_bits, "low bits out of range in the entries of pid 42" },
	{ low_below_0, "low bits out of range in the entries of pid 42" },
	{ touching_runs, "two runs touch in the entries of pid 42" },
	{ empty_run, "a run of 0 entries (1 left) in the entries of pid 42" },
	{ long_run, "a run of 2 entries (1 left) in the entries of pid 42" },
	{ vpn_overflow, "a vpn beyond 2^64 - 2 in the entries of pid 42" },
	{ stray_byte, "1 stray byte after the entries of pid 42" },
	{ overlong_varint, "an overlong varint in the entries of pid 42" },
	{ overflowing_varint, "a varint above 2^64 - 1 in the entries" },
	{ eleven_byte_varint, "a varint above 2^64 - 1 in the entries" },
	{ huge_maps, "cut short in the maps of pid 42" },
	{ index_beyond, "a palette index beyond the palette in the frames "
	    "(frame 1)" },
	{ value_twice, "a value twice in a palette in the frames (frame 2)" },
	{ pfn_overflow, "a pfn beyond 2^64 - 1 in the frames (frame 2)" },
	{ frames_stray, "1 stray byte after the frames" },
	{ end_wrong, "the end section says" },
	{ end_long, "1 stray byte in the end section" },
};

static void
should_refuse_each_bad_file_saying_why(void **state)
{
	struct craft c;
	struct tb t;
	size_t i;

	(void)state;
	for (i = 0; i < LEN(bad); i++) {
		craft_default(&c);
		bad[i].alter(&c);
		craft_file(&c, &t);
		assert_refused(t.p, t.len, bad[i].why);
	}
}

static void
should_refuse_a_checksum_mismatch_naming_the_section(void **state)
{
	unsigned char *data;
	size_t len, at, n;

	(void)state;
	data = small_file(&len);
	data[20] ^= 1;
	assert_refused(data, len, "checksum mismatch in the header");
	data[20] ^= 1;
	at = (size_t)le_at(data + 12, 4);
	n = (size_t)le_at(data + at + 4, 8);
	data[at + 12 + n - 1] ^= 1;
	assert_refused(data, len, "checksum mismatch in the section of "
	    "process 1 of 1 (pid 42)");
	data[at + 12 + n - 1] ^= 1;
	at += 16 + n;
	data[at + 12 + 8] ^= 0x10;
	assert_refused(data, len, "checksum mismatch in the frames");
	free(data);
}

/* ---- encoding refusals, lookups ------------------------------------------ */

/* Asserts that s is refused with EINVAL and nothing is returned. */
static void
assert_not_encoded(const struct snapshot *s)
{
	unsigned char *data = (unsigned char *)"";
	size_t len = 1;

	errno = 0;
	assert_int_equal(snapshot_encode(s, &data, &len), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(data);
	assert_int_equal(len, 0);
}

static void
should_refuse_to_encode_entries_out_of_order(void **state)
{
	struct snapshot_entry e[3] = { { 5, PX | 1 }, { 7, PX | 2 },
		{ 6, PX | 3 } };
	struct snapshot s;

	(void)state;
	fx_one_process(&s);
	s.procs[0].entries = e;
	s.procs[0].nentries = 3;
	assert_not_encoded(&s);		/* descending */
	e[2].vpn = 7;
	assert_not_encoded(&s);		/* twice */
	e[2].vpn = 8;
	e[1].raw = 0;
	assert_not_encoded(&s);		/* a zero entry */
	e[1].raw = PX;
	e[2].vpn = UINT64_MAX;
	assert_not_encoded(&s);		/* no end to its run */
	e[2].vpn = UINT64_MAX - 1;
	round_trip(&s);
	fx_one_process(&s);
}

static void
should_refuse_to_encode_frames_out_of_order(void **state)
{
	struct snapshot_frame f[2] = { { 9, 1, 1, 0 }, { 9, 1, 1, 0 } };
	struct snapshot s;

	(void)state;
	fx_empty(&s);
	s.has_kpage = true;
	s.frames = f;
	s.nframes = 2;
	assert_not_encoded(&s);		/* twice */
	f[1].pfn = 8;
	assert_not_encoded(&s);		/* descending */
	f[1].pfn = 10;
	f[1].cgroup = 3;
	assert_not_encoded(&s);		/* a cgroup without has_cgroup */
	s.has_cgroup = true;
	round_trip(&s);
	s.has_kpage = false;
	assert_not_encoded(&s);		/* frames without has_kpage */
}

static void
should_refuse_to_encode_what_it_could_not_decode(void **state)
{
	struct snapshot s;

	(void)state;
	fx_one_process(&s);
	s.page_size = 3000;
	assert_not_encoded(&s);
	s.page_size = 512;
	assert_not_encoded(&s);
	fx_one_process(&s);
	memset(s.release, 'r', sizeof(s.release));	/* no NUL */
	assert_not_encoded(&s);
	fx_one_process(&s);
	s.procs[0].pid = 0;
	assert_not_encoded(&s);
	s.procs[0].pid = -1;
	assert_not_encoded(&s);
	s.procs[0].pid = 42;
	memset(s.procs[0].comm, 'c', sizeof(s.procs[0].comm));
	assert_not_encoded(&s);
	strcpy(s.procs[0].comm, "worker 1");
}

static void
should_find_present_frames_and_not_absent_ones(void **state)
{
	struct snapshot s;
	size_t i;

	(void)state;
	fx_frames(&s, true);
	for (i = 0; i < s.nframes; i++)
		assert_ptr_equal(snapshot_frame(&s, frames[i].pfn), &frames[i]);
	assert_null(snapshot_frame(&s, 3));
	assert_null(snapshot_frame(&s, 0xfff));
	assert_null(snapshot_frame(&s, 0x1003));
	assert_null(snapshot_frame(&s, UINT64_MAX - 2));
	s.nframes = 0;
	assert_null(snapshot_frame(&s, 0));
	s.frames = NULL;
	assert_null(snapshot_frame(&s, 0));
}

/* ---- the seeds of fuzz_snapshot ------------------------------------------ */

static void
seed_frames_cgroup(struct snapshot *s)
{
	fx_frames(s, true);
}

static void
seed_frames_only(struct snapshot *s)
{
	fx_frames(s, false);
}

static const struct {
	const char *name;
	void (*make)(struct snapshot *s);
} seeds[] = {
	{ "empty.snap", fx_empty },
	{ "one-process.snap", fx_one_process },
	{ "several-processes.snap", fx_several },
	{ "frames-cgroup.snap", seed_frames_cgroup },
	{ "frames-no-cgroup.snap", seed_frames_only },
};

/* Reads path whole into a malloc'd buffer; returns its length. */
static size_t
read_whole(const char *path, unsigned char **data)
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, got;

	if (f == NULL)
		fail_msg("%s: cannot open (PAGEMAP_DUMP_CORPUS_UPDATE=1 "
		    "writes it)", path);
	*data = malloc(1 << 16);
	assert_non_null(*data);
	while ((got = fread(*data + len, 1, (1 << 16) - len, f)) > 0)
		len += got;
	fclose(f);
	return len;
}

/*
 * The seeds are what the encoder writes today (a change of the format
 * shows here first); PAGEMAP_DUMP_CORPUS_UPDATE=1 writes them again.
 */
static void
should_find_the_fuzz_seeds_as_the_encoder_writes_them(void **state)
{
	const bool update = getenv("PAGEMAP_DUMP_CORPUS_UPDATE") != NULL;
	unsigned char *data, *file;
	struct snapshot s;
	char path[256];
	size_t i, len, flen;
	FILE *f;

	(void)state;
	for (i = 0; i < LEN(seeds); i++) {
		seeds[i].make(&s);
		assert_int_equal(snapshot_encode(&s, &data, &len), 0);
		snprintf(path, sizeof(path), "%s/%s", SEEDS, seeds[i].name);
		if (update) {
			f = fopen(path, "wb");
			if (f == NULL)
				fail_msg("%s: cannot write", path);
			assert_int_equal(fwrite(data, 1, len, f), len);
			assert_int_equal(fclose(f), 0);
		}
		flen = read_whole(path, &file);
		if (flen != len || memcmp(file, data, len) != 0)
			fail_msg("%s is not what the encoder writes "
			    "(PAGEMAP_DUMP_CORPUS_UPDATE=1 writes it)", path);
		free(file);
		free(data);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_round_trip_an_empty_snapshot),
		cmocka_unit_test(
		    should_round_trip_every_kind_of_entry_of_one_process),
		cmocka_unit_test(should_round_trip_several_processes),
		cmocka_unit_test(
		    should_round_trip_regions_and_refuse_them_out_of_order),
		cmocka_unit_test(
		    should_round_trip_frames_with_their_cgroups_or_without),
		cmocka_unit_test(should_round_trip_maps_text_of_any_bytes),
		cmocka_unit_test(should_decode_without_a_place_for_the_reason),
		cmocka_unit_test(
		    should_decode_a_file_written_by_hand_from_the_format),
		cmocka_unit_test(should_checksum_with_the_crc_of_zlib),
		cmocka_unit_test(
		    should_encode_real_memory_in_at_most_12_bytes_an_entry),
		cmocka_unit_test(should_refuse_every_truncation),
		cmocka_unit_test(
		    should_refuse_a_file_cut_at_the_end_of_a_section),
		cmocka_unit_test(should_refuse_every_single_bit_flip),
		cmocka_unit_test(should_refuse_trailing_bytes),
		cmocka_unit_test(should_refuse_what_is_not_a_snapshot),
		cmocka_unit_test(
		    should_refuse_a_huge_entry_count_without_allocating_for_it),
		cmocka_unit_test(should_refuse_each_bad_file_saying_why),
		cmocka_unit_test(
		    should_refuse_a_checksum_mismatch_naming_the_section),
		cmocka_unit_test(should_refuse_to_encode_entries_out_of_order),
		cmocka_unit_test(should_refuse_to_encode_frames_out_of_order),
		cmocka_unit_test(
		    should_refuse_to_encode_what_it_could_not_decode),
		cmocka_unit_test(
		    should_find_present_frames_and_not_absent_ones),
		cmocka_unit_test(
		    should_find_the_fuzz_seeds_as_the_encoder_writes_them),
	};

	return cmocka_run_group_tests_name("snapshot", tests, NULL, NULL);
}
