/*
 * fuzz_snapshot: a libFuzzer target for the snapshot decoder.
 *
 * The input is a whole file, copied to a buffer of exactly its size so
 * that AddressSanitizer sees any overread. It is decoded as it is, then
 * with its checksums and its end length made right, since a mutation
 * would otherwise hardly ever get past a CRC. A refused file must come with
 * a one-line reason and leave the snapshot empty. An accepted one must
 * hold what the format promises (entries and frames ascending, no zero
 * entry, no cgroup without has_cgroup, NUL-terminated names and maps),
 * encode again to the very same bytes (an encoding is unique), and that
 * must decode to an equal snapshot. A violation calls abort(), which
 * libFuzzer reports as a crash with the input saved.
 *
 * Seeds: tests/corpus/snapshots, written by tests/test_snapshot. Build:
 * see the fuzz block at the end of the Makefile (make fuzz).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports a broken invariant and aborts, so libFuzzer keeps the input. */
#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz_snapshot: %s:%d: check failed: " \
			    "%s\n", __FILE__, __LINE__, #cond);            \
			abort();                                           \
		}                                                          \
	} while (0)

/* Tells whether s holds nothing but zero bytes. */
static bool
empty(const struct snapshot *s)
{
	static const struct snapshot zero;

	return memcmp(s, &zero, sizeof(zero)) == 0;
}

/* Checks what every decoded process must satisfy. */
static void
check_proc(const struct snapshot_process *p)
{
	size_t i;

	CHECK(p->pid > 0);
	CHECK(memchr(p->comm, '\0', sizeof(p->comm)) != NULL);
	CHECK(p->maps != NULL && p->maps[p->maps_len] == '\0');
	CHECK(p->nentries == 0 || p->entries != NULL);
	for (i = 0; i < p->nentries; i++) {
		CHECK(p->entries[i].raw != 0);
		CHECK(p->entries[i].vpn < UINT64_MAX);
		CHECK(i == 0 || p->entries[i].vpn > p->entries[i - 1].vpn);
	}
}

/* Checks what every decoded snapshot must satisfy. */
static void
check_snapshot(const struct snapshot *s)
{
	size_t i;

	CHECK(s->page_size >= 1024 && (s->page_size & (s->page_size - 1)) == 0);
	CHECK(memchr(s->release, '\0', sizeof(s->release)) != NULL);
	CHECK(s->nprocs == 0 || s->procs != NULL);
	for (i = 0; i < s->nprocs; i++)
		check_proc(&s->procs[i]);
	CHECK(s->has_kpage || s->nframes == 0);
	CHECK(s->nframes == 0 || s->frames != NULL);
	for (i = 0; i < s->nframes; i++) {
		CHECK(i == 0 || s->frames[i].pfn > s->frames[i - 1].pfn);
		CHECK(s->has_cgroup || s->frames[i].cgroup == 0);
		CHECK(snapshot_frame(s, s->frames[i].pfn) == &s->frames[i]);
	}
}

/* Tells whether a and b hold the same snapshot. */
static bool
same(const struct snapshot *a, const struct snapshot *b)
{
	const struct snapshot_process *p, *q;
	size_t i;

	if (a->page_size != b->page_size || a->time_ns != b->time_ns ||
	    strcmp(a->release, b->release) != 0 ||
	    memcmp(&a->layout, &b->layout, sizeof(a->layout)) != 0 ||
	    a->has_kpage != b->has_kpage || a->has_cgroup != b->has_cgroup ||
	    a->nprocs != b->nprocs || a->nframes != b->nframes ||
	    (a->nframes > 0 && memcmp(a->frames, b->frames,
	    a->nframes * sizeof(*a->frames)) != 0))
		return false;
	for (i = 0; i < a->nprocs; i++) {
		p = &a->procs[i];
		q = &b->procs[i];
		if (p->pid != q->pid || strcmp(p->comm, q->comm) != 0 ||
		    p->task_end != q->task_end || p->maps_len != q->maps_len ||
		    memcmp(p->maps, q->maps, p->maps_len) != 0 ||
		    p->nentries != q->nentries || (p->nentries > 0 &&
		    memcmp(p->entries, q->entries,
		    p->nentries * sizeof(*p->entries)) != 0))
			return false;
	}
	return true;
}

/* CRC-32 as zlib computes it, a bit at a time. */
static uint32_t
crc(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffff;
	int k;

	while (n-- > 0)
		for (c ^= *p++, k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320 & (0 - (c & 1)));
	return ~c;
}

static uint64_t
le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

static void
put_le(unsigned char *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

/*
 * Makes the CRCs of the header and of the sections of f (as far as its
 * lengths can be followed) right, and the length an END section says.
 */
static void
repair(unsigned char *f, size_t size)
{
	size_t at, n;

	if (size < 16 || (at = (size_t)le(f + 12, 4)) < 8 || at > size)
		return;
	put_le(f + at - 4, crc(f, at - 4), 4);
	while (size - at >= 16) {
		if ((n = (size_t)le(f + at + 4, 8)) > size - at - 16)
			break;
		if (n == 8 && memcmp(f + at, "END ", 4) == 0)
			put_le(f + at + 12, at + 24, 8);
		put_le(f + at + 12 + n, crc(f + at + 12, n), 4);
		at += 16 + n;
	}
}

/* Decodes size bytes at f and checks the result (see the top). */
static void
check(const unsigned char *f, size_t size)
{
	struct snapshot s, again;
	unsigned char *out;
	char why[256];
	size_t len;

	if (snapshot_decode(&s, f, size, why, sizeof(why)) != 0) {
		CHECK(empty(&s));
		CHECK(why[0] != '\0' && strchr(why, '\n') == NULL);
		return;
	}
	check_snapshot(&s);
	CHECK(snapshot_encode(&s, &out, &len) == 0);
	CHECK(len == size && memcmp(out, f, size) == 0);
	CHECK(snapshot_decode(&again, out, len, why, sizeof(why)) == 0);
	CHECK(same(&s, &again));
	snapshot_free(&s);
	snapshot_free(&again);
	CHECK(empty(&s) && empty(&again));
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy = malloc(size > 0 ? size : 1);

	CHECK(copy != NULL);
	if (size > 0)
		memcpy(copy, data, size);
	check(copy, size);
	repair(copy, size);
	check(copy, size);
	free(copy);
	return 0;
}
