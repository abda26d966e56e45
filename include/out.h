/*
 * out: a large output buffer, written to a file descriptor with write(2)
 * in big chunks (short writes looped, EINTR retried), or kept in memory
 * for the tests.
 *
 * Writers reserve room for a whole row first and fill it directly, so a
 * flush only ever happens between rows: output that stops early (an error,
 * a process that exits) still ends with whole lines.
 */
#ifndef PAGEMAP_DUMP_OUT_H
#define PAGEMAP_DUMP_OUT_H

#include <stdbool.h>
#include <stddef.h>

struct out {
	int fd;			/* -1: keep everything in memory */
	char *buf;
	size_t len;		/* bytes waiting in buf */
	size_t cap;
	int error;		/* errno of the first failed write, or 0 */
	int stage;		/* while staged: the stage file; else -1 */
	size_t mark;		/* while staged: bytes of buf before the stage */
	bool spilled;		/* staged bytes went to the stage file */
};

/*
 * Sets up a buffer of cap bytes that flushes to fd, or, with fd -1, grows
 * in memory and never flushes. Returns 0, or -1 with errno set.
 */
int out_init(struct out *out, int fd, size_t cap);

/*
 * Returns a pointer to at least n free bytes at the end of the buffer,
 * flushing or growing it first when needed; the caller fills them and
 * calls out_commit. Returns NULL (out->error set) when a flush fails or
 * memory runs out.
 */
char *out_reserve(struct out *out, size_t n);

/* Marks the bytes up to end (inside the last reservation) as written. */
void out_commit(struct out *out, char *end);

/* Appends len bytes. Returns 0, or -1 with out->error set. */
int out_write(struct out *out, const void *data, size_t len);

/* Writes everything buffered to fd. Returns 0, or -1 with out->error set. */
int out_flush(struct out *out);

/*
 * Stages what follows, to be sent on whole or not at all (out_unstage):
 * it stays in the buffer, and only what does not fit goes to the file fd
 * (a memfd), after what was buffered before has gone out. Returns 0, or
 * -1 with out->error set.
 */
int out_stage(struct out *out, int fd);

/*
 * Ends the stage: with keep, everything staged goes to the fd of before
 * (else it is thrown away); the stage file is emptied for the next one.
 * Returns 0, or -1 with out->error set.
 */
int out_unstage(struct out *out, bool keep);

/* Frees the buffer without flushing it. */
void out_free(struct out *out);

#endif
