/*
 * maps: reading and parsing /proc/PID/maps.
 *
 * A line is "start-end perms offset major:minor inode [name]". The kernel
 * pads the inode field with spaces before the name; the name runs to the
 * end of the line and may itself hold spaces and tabs (the kernel escapes
 * only a newline, as "\012"). Parsing is strict: anything else is an error
 * rather than a guess, because the rows printed from it must be exact.
 */
#include "maps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The value of hex digit c, or -1. */
static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Reads a hex number of at most 16 digits at *p, stopping before the
 * first non-digit at or before end. Returns 0 and advances *p, or -1 when
 * there is no digit or the value does not fit in 64 bits.
 */
static int
take_hex(const char **p, const char *end, uint64_t *value)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0, d;

	while (s < end && (d = hex_digit(*s)) >= 0) {
		if (v >> 60)
			return -1;
		v = v << 4 | (uint64_t)d;
		s++;
		digits++;
	}
	if (digits == 0)
		return -1;
	*p = s;
	*value = v;
	return 0;
}

/* Like take_hex for a decimal number. */
static int
take_dec(const char **p, const char *end, uint64_t *value)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0;

	while (s < end && *s >= '0' && *s <= '9') {
		unsigned int d = (unsigned int)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		s++;
		digits++;
	}
	if (digits == 0)
		return -1;
	*p = s;
	*value = v;
	return 0;
}

/* Consumes the character c at *p, or returns -1. */
static int
take_char(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -1;
	(*p)++;
	return 0;
}

/* Takes the four permission letters ("rwxp") into perms. */
static int
take_perms(const char **pp, const char *end, char perms[5])
{
	static const char allowed[4][3] = {
		{ 'r', '-', 0 }, { 'w', '-', 0 }, { 'x', '-', 0 },
		{ 'p', 's', 0 },
	};
	const char *p = *pp;
	int i;

	for (i = 0; i < 4; i++) {
		if (p >= end || *p == '\0' || strchr(allowed[i], *p) == NULL)
			return -1;
		perms[i] = *p++;
	}
	perms[4] = '\0';
	*pp = p;
	return 0;
}

int
maps_parse_line(char *line, size_t len, struct maps_entry *e,
    const char **why)
{
	const char *p = line, *end = line + len;
	uint64_t major, minor;

	memset(e, 0, sizeof(*e));
	if (take_hex(&p, end, &e->start) != 0 || take_char(&p, end, '-') != 0) {
		*why = "bad start address";
		return -1;
	}
	if (take_hex(&p, end, &e->end) != 0 || take_char(&p, end, ' ') != 0) {
		*why = "bad end address";
		return -1;
	}
	if (e->end <= e->start) {
		*why = "end address not above start";
		return -1;
	}
	if (take_perms(&p, end, e->perms) != 0) {
		*why = "bad permissions";
		return -1;
	}
	if (take_char(&p, end, ' ') != 0 ||
	    take_hex(&p, end, &e->offset) != 0 ||
	    take_char(&p, end, ' ') != 0) {
		*why = "bad offset";
		return -1;
	}
	if (take_hex(&p, end, &major) != 0 || take_char(&p, end, ':') != 0 ||
	    take_hex(&p, end, &minor) != 0 || take_char(&p, end, ' ') != 0 ||
	    major > 0xfff || minor > 0xfffff) {
		*why = "bad device";
		return -1;
	}
	e->dev_major = (unsigned int)major;
	e->dev_minor = (unsigned int)minor;
	if (take_dec(&p, end, &e->inode) != 0) {
		*why = "bad inode";
		return -1;
	}
	if (p < end && *p != ' ') {
		*why = "bad inode";
		return -1;
	}
	while (p < end && *p == ' ')
		p++;
	if (memchr(p, '\0', (size_t)(end - p)) != NULL) {
		*why = "NUL byte in name";
		return -1;
	}
	/* The name is the rest of the line; terminate it in place. */
	e->name = p;
	e->name_len = (size_t)(end - p);
	line[len] = '\0';
	return 0;
}

int
maps_parse(struct maps *maps, char *text, size_t len, size_t *bad_line,
    const char **why)
{
	size_t lines = 0, n = 0, i;
	char *p, *end = text + len, *nl;

	memset(maps, 0, sizeof(*maps));
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			lines++;
	if (len > 0 && text[len - 1] != '\n')
		lines++;
	text[len] = '\0';
	maps->text = text;
	maps->text_len = len;
	if (lines > 0) {
		maps->entries = calloc(lines, sizeof(*maps->entries));
		if (maps->entries == NULL) {
			*bad_line = 0;
			*why = "out of memory";
			maps_free(maps);
			errno = ENOMEM;
			return -1;
		}
	}
	for (p = text; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (maps_parse_line(p, (size_t)(nl - p), &maps->entries[n],
		    why) != 0) {
			*bad_line = n + 1;
			maps_free(maps);
			errno = EINVAL;
			return -1;
		}
		n++;
	}
	maps->count = n;
	return 0;
}

int
maps_slurp(int fd, char **text, size_t *len)
{
	size_t cap = 64 * 1024, used = 0;
	char *buf = malloc(cap), *grown;
	ssize_t got;

	if (buf == NULL)
		return -1;
	for (;;) {
		if (cap - used < 2) {
			if (cap > SIZE_MAX / 2) {
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			grown = realloc(buf, cap * 2);
			if (grown == NULL) {
				free(buf);
				return -1;
			}
			buf = grown;
			cap *= 2;
		}
		got = read(fd, buf + used, cap - used - 1);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return -1;
		}
		if (got == 0)
			break;
		used += (size_t)got;
	}
	*text = buf;
	*len = used;
	return 0;
}

bool
maps_ordered(const struct maps *maps)
{
	size_t i;

	for (i = 1; i < maps->count; i++)
		if (maps->entries[i].start < maps->entries[i - 1].end)
			return false;
	return true;
}

size_t
maps_drop_overlaps(struct maps *maps)
{
	size_t i, kept = 0;

	for (i = 0; i < maps->count; i++) {
		if (kept > 0 &&
		    maps->entries[i].start < maps->entries[kept - 1].end)
			continue;
		maps->entries[kept++] = maps->entries[i];
	}
	i = maps->count - kept;
	maps->count = kept;
	return i;
}

void
maps_free(struct maps *maps)
{
	free(maps->entries);
	free(maps->text);
	memset(maps, 0, sizeof(*maps));
}
