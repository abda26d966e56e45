/*
 * fuzz_maps: a libFuzzer target for the maps parser.
 *
 * The input is a whole maps text. It is parsed once whole (maps_parse, in
 * a malloc'd buffer with exactly the one spare byte the contract asks for,
 * so AddressSanitizer sees any overrun), then line by line (maps_parse_line,
 * each line in its own buffer of len + 1 bytes). Every entry accepted must
 * satisfy the invariants the rest of the dump relies on, the two ways of
 * parsing must agree, and an entry written back in the kernel's form must
 * parse to itself; dropping the overlaps of a racing read must leave the
 * entries ordered. A violation calls abort(), which libFuzzer reports as a
 * crash with the input saved.
 *
 * Build: see the fuzz block at the end of the Makefile (make fuzz).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports a broken invariant and aborts, so libFuzzer keeps the input. */
#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz_maps: %s:%d: check failed: %s\n", \
			    __FILE__, __LINE__, #cond);                    \
			abort();                                           \
		}                                                          \
	} while (0)

/*
 * Checks what every parsed entry must satisfy. The name must lie inside
 * [buf, buf + buf_len] (buf_len bytes of text plus the spare byte holding
 * the terminating NUL), be NUL-terminated at name_len, and hold no NUL and
 * no newline.
 */
static void
check_entry(const struct maps_entry *e, const char *buf, size_t buf_len)
{
	static const char *const allowed[4] = { "r-", "w-", "x-", "ps" };
	int i;

	CHECK(e->start < e->end);
	for (i = 0; i < 4; i++)
		CHECK(e->perms[i] != '\0' &&
		    strchr(allowed[i], e->perms[i]) != NULL);
	CHECK(e->perms[4] == '\0');
	CHECK(e->dev_major <= 0xfff);
	CHECK(e->dev_minor <= 0xfffff);
	CHECK(e->name != NULL);
	CHECK(e->name >= buf && e->name <= buf + buf_len);
	CHECK(e->name_len <= (size_t)(buf + buf_len - e->name));
	CHECK(e->name[e->name_len] == '\0');
	CHECK(memchr(e->name, '\0', e->name_len) == NULL);
	CHECK(memchr(e->name, '\n', e->name_len) == NULL);
	/* The kernel pads before the name: a name never starts with one. */
	CHECK(e->name_len == 0 || e->name[0] != ' ');
}

/* Tells whether two entries hold the same fields and the same name bytes. */
static bool
same_entry(const struct maps_entry *a, const struct maps_entry *b)
{
	return a->start == b->start && a->end == b->end &&
	    memcmp(a->perms, b->perms, sizeof(a->perms)) == 0 &&
	    a->offset == b->offset && a->dev_major == b->dev_major &&
	    a->dev_minor == b->dev_minor && a->inode == b->inode &&
	    a->name_len == b->name_len &&
	    memcmp(a->name, b->name, a->name_len) == 0;
}

/*
 * Writes e back as the kernel would (fixed-width fields, padding before
 * the name) and checks that it parses to the same entry.
 */
static void
check_round_trip(const struct maps_entry *e)
{
	struct maps_entry again;
	const char *why = NULL;
	char head[128];
	int n;
	size_t len;
	char *line;

	n = snprintf(head, sizeof(head), "%08llx-%08llx %s %08llx %02x:%02x %llu",
	    (unsigned long long)e->start, (unsigned long long)e->end, e->perms,
	    (unsigned long long)e->offset, e->dev_major, e->dev_minor,
	    (unsigned long long)e->inode);
	CHECK(n > 0 && (size_t)n < sizeof(head));
	len = (size_t)n + (e->name_len > 0 ? 1 + e->name_len : 0);
	line = malloc(len + 1);
	CHECK(line != NULL);
	memcpy(line, head, (size_t)n);
	if (e->name_len > 0) {
		line[n] = ' ';
		memcpy(line + n + 1, e->name, e->name_len);
	}
	CHECK(maps_parse_line(line, len, &again, &why) == 0);
	check_entry(&again, line, len);
	CHECK(same_entry(e, &again));
	free(line);
}

/*
 * Parses one line (len bytes at src, no newline) in a buffer of its own.
 * Returns 0 with *e filled and *buf set to the buffer (the caller frees
 * it), or -1 (then the buffer has been freed).
 */
static int
parse_alone(const uint8_t *src, size_t len, struct maps_entry *e, char **buf)
{
	const char *why = NULL;
	char *line = malloc(len + 1);

	CHECK(line != NULL);
	memcpy(line, src, len);
	if (maps_parse_line(line, len, e, &why) != 0) {
		CHECK(why != NULL && why[0] != '\0');
		free(line);
		return -1;
	}
	check_entry(e, line, len);
	*buf = line;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct maps maps;
	struct maps_entry alone;
	const char *why = NULL;
	size_t bad_line = 0, lines = 0, n, i, pos, len;
	const uint8_t *nl;
	char *text, *buf;
	int rc;

	/* The whole text: a malloc'd buffer with exactly one spare byte. */
	text = malloc(size + 1);
	CHECK(text != NULL);
	if (size > 0)
		memcpy(text, data, size);
	rc = maps_parse(&maps, text, size, &bad_line, &why);
	if (rc == 0) {
		CHECK(maps.text == text && maps.text_len == size);
		CHECK(maps.count == 0 || maps.entries != NULL);
		for (i = 0; i < maps.count; i++)
			check_entry(&maps.entries[i], maps.text, maps.text_len);
	} else {
		/* Text freed, maps empty, the failing line named. */
		CHECK(maps.text == NULL && maps.entries == NULL &&
		    maps.count == 0);
		CHECK(why != NULL && why[0] != '\0');
		CHECK(bad_line >= 1);
	}

	/*
	 * Line by line: each line the whole parse accepted must parse alone
	 * to the same entry, the line it rejected must fail alone too, and
	 * every accepted entry must survive being written back.
	 */
	for (pos = 0, n = 0; pos < size; pos += len + 1, n++) {
		nl = memchr(data + pos, '\n', size - pos);
		len = nl != NULL ? (size_t)(nl - (data + pos)) : size - pos;
		lines++;
		if (parse_alone(data + pos, len, &alone, &buf) != 0) {
			if (rc == 0)
				CHECK(!"line rejected alone, accepted whole");
			CHECK(n + 1 >= bad_line);
			if (n + 1 == bad_line)
				break;
			continue;
		}
		if (rc == 0) {
			CHECK(n < maps.count);
			CHECK(same_entry(&alone, &maps.entries[n]));
		} else {
			CHECK(n + 1 != bad_line);
		}
		check_round_trip(&alone);
		free(buf);
	}
	if (rc == 0)
		CHECK(lines == maps.count);
	else
		CHECK(bad_line == lines);
	if (rc == 0) {
		/*
		 * A racing read's overlaps dropped: what is left is ordered,
		 * a subsequence of what was read, and the first line stays.
		 */
		size_t before = maps.count, dropped;
		uint64_t first = before > 0 ? maps.entries[0].start : 0;
		bool ordered = maps_ordered(&maps);
		dropped = maps_drop_overlaps(&maps);
		CHECK(maps.count + dropped == before);
		CHECK(maps_ordered(&maps));
		CHECK(!ordered || dropped == 0);
		CHECK(before == 0 || maps.entries[0].start == first);
		CHECK(maps_drop_overlaps(&maps) == 0);
	}
	maps_free(&maps);
	CHECK(maps.text == NULL && maps.entries == NULL && maps.count == 0);
	return 0;
}
