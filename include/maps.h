/*
 * maps: a snapshot of /proc/PID/maps, parsed into one entry per mapping.
 *
 * The file is read whole into memory before anything else is read, so the
 * rest of the dump works from one consistent list of ranges. Names point
 * into that snapshot.
 */
#ifndef PAGEMAP_DUMP_MAPS_H
#define PAGEMAP_DUMP_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct maps_entry {
	uint64_t start;		/* first byte of the mapping */
	uint64_t end;		/* one past its last byte */
	char perms[5];		/* "rwxp", NUL-terminated */
	uint64_t offset;	/* offset in the mapped file, in bytes */
	unsigned int dev_major;
	unsigned int dev_minor;
	uint64_t inode;
	const char *name;	/* as the kernel writes it; "" when anonymous */
	size_t name_len;
};

struct maps {
	char *text;		/* the snapshot; names point into it */
	size_t text_len;
	struct maps_entry *entries;
	size_t count;
};

/*
 * Parses one line of a maps file, without its newline. The line is changed
 * in place (the name gets a terminating NUL) and the entry points into it.
 * Returns 0, or -1 with *why set to a short reason when the line is not of
 * the kernel's form.
 */
int maps_parse_line(char *line, size_t len, struct maps_entry *entry,
    const char **why);

/*
 * Parses a whole maps text of len bytes, taking ownership of text (which
 * must have been allocated with malloc and have room for one byte more than
 * len). Returns 0, or -1 with *bad_line (1-based) and *why set; then text
 * has been freed and maps is empty. Sets errno to ENOMEM when out of memory
 * (then *bad_line is 0).
 */
int maps_parse(struct maps *maps, char *text, size_t len, size_t *bad_line,
    const char **why);

/*
 * Reads everything from fd into a new malloc'd buffer with one spare byte
 * at the end. Returns 0 with *text and *len set, or -1 with errno set.
 */
int maps_slurp(int fd, char **text, size_t *len);

/*
 * Tells whether the mappings are in strictly ascending order without
 * overlaps, as one consistent read of the file gives them. A maps file
 * read in several chunks while the process maps and unmaps can repeat or
 * overlap lines (Linux 6.18 reads each chunk under its own lock).
 */
bool maps_ordered(const struct maps *maps);

/*
 * Drops every mapping that starts below the end of the one kept before
 * it, so what is left is ascending and disjoint. Returns how many were
 * dropped.
 */
size_t maps_drop_overlaps(struct maps *maps);

/* Frees what maps_parse allocated; maps is left empty. */
void maps_free(struct maps *maps);

#endif
