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
	out->unstaged = -1;
	out->buf = malloc(cap);
	if (out->buf == NULL)
		return -1;
	out->cap = cap;
	return 0;
}

int
out_flush(struct out *out)
{
	size_t done = 0;
	ssize_t n;

	if (out->error != 0)
		return -1;
	if (out->fd < 0)
		return 0;
	while (done < out->len) {
		n = write(out->fd, out->buf + done, out->len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			out->error = errno;
			return -1;
		}
		done += (size_t)n;
	}
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
	if (out_flush(out) != 0)
		return -1;
	out->unstaged = out->fd;
	out->fd = fd;
	return 0;
}

/* Copies the stage file to fd through the (empty) buffer. */
static int
send_stage(struct out *out, int stage, int fd)
{
	ssize_t got;

	if (lseek(stage, 0, SEEK_SET) != 0) {
		out->error = errno;
		return -1;
	}
	out->fd = fd;
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
	int stage = out->fd, rc = 0;

	if (keep)
		rc = out_flush(out);
	out->len = 0;
	if (rc == 0 && keep)
		rc = send_stage(out, stage, out->unstaged);
	out->fd = out->unstaged;
	out->unstaged = -1;
	if (ftruncate(stage, 0) != 0 || lseek(stage, 0, SEEK_SET) != 0) {
		if (out->error == 0)
			out->error = errno;
		rc = -1;
	}
	return rc;
}
