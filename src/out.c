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
