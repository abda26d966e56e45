/*
 * out: buffered output in large write(2) calls.
 */
#include "out.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
out_init(struct out *out, int fd, size_t cap)
{
	memset(out, 0, sizeof(*out));
	out->fd = fd;
	out->stage = -1;
	out->buf = malloc(cap);
	if (out->buf == NULL)
		return -1;
	out->cap = cap;
	return 0;
}

/* Writes len bytes of data to fd. Returns 0, or -1 with out->error set. */
static int
write_all(struct out *out, int fd, const char *data, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, data + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			out->error = errno;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

int
out_flush(struct out *out)
{
	if (out->error != 0)
		return -1;
	if (out->fd < 0)
		return 0;
	if (out->stage >= 0) {	/* what came before, then the stage */
		if (write_all(out, out->fd, out->buf, out->mark) != 0 ||
		    write_all(out, out->stage, out->buf + out->mark,
		    out->len - out->mark) != 0)
			return -1;
		out->spilled |= out->len > out->mark;
		out->mark = 0;
	} else if (write_all(out, out->fd, out->buf, out->len) != 0)
		return -1;
	out->len = 0;
	return 0;
}

char *
out_reserve(struct out *out, size_t n)
{
	size_t cap;
	char *grown;

	if (out->error != 0)
		return NULL;
	if (out->cap - out->len >= n)
		return out->buf + out->len;
	if (out->fd >= 0 && out_flush(out) != 0)
		return NULL;
	if (out->cap - out->len >= n)
		return out->buf + out->len;
	cap = out->cap > 0 ? out->cap : 64;
	while (cap - out->len < n) {
		if (cap > SIZE_MAX / 2) {
			out->error = ENOMEM;
			return NULL;
		}
		cap *= 2;
	}
	grown = realloc(out->buf, cap);
	if (grown == NULL) {
		out->error = ENOMEM;
		return NULL;
	}
	out->buf = grown;
	out->cap = cap;
	return out->buf + out->len;
}

void
out_commit(struct out *out, char *end)
{
	out->len = (size_t)(end - out->buf);
}

int
out_write(struct out *out, const void *data, size_t len)
{
	char *p = out_reserve(out, len);

	if (p == NULL)
		return -1;
	memcpy(p, data, len);
	out_commit(out, p + len);
	return 0;
}

void
out_free(struct out *out)
{
	free(out->buf);
	memset(out, 0, sizeof(*out));
}

int
out_stage(struct out *out, int fd)
{
	if (out->error != 0)
		return -1;
	out->stage = fd;
	out->mark = out->len;
	out->spilled = false;
	return 0;
}

/* Copies the stage file to out->fd through the (empty) buffer. */
static int
send_stage(struct out *out, int stage)
{
	ssize_t got;

	if (lseek(stage, 0, SEEK_SET) != 0) {
		out->error = errno;
		return -1;
	}
	while ((got = read(stage, out->buf, out->cap)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			out->error = errno;
			return -1;
		}
		out->len = (size_t)got;
		if (out_flush(out) != 0)
			return -1;
	}
	return 0;
}

int
out_unstage(struct out *out, bool keep)
{
	int stage = out->stage, rc = 0;

	if (!out->spilled) {	/* all of it is in the buffer still */
		if (!keep)
			out->len = out->mark;
		out->stage = -1;
		return out->error != 0 ? -1 : 0;
	}
	if (keep)
		rc = out_flush(out);
	out->len = 0;
	out->stage = -1;
	out->spilled = false;
	if (rc == 0 && keep)
		rc = send_stage(out, stage);
	if (ftruncate(stage, 0) != 0 || lseek(stage, 0, SEEK_SET) != 0) {
		if (out->error == 0)
			out->error = errno;
		rc = -1;
	}
	return rc;
}
