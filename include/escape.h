/*
 * escape: making mapping names safe to print.
 *
 * A mapping name comes from the target process (a file it mapped, a name
 * it gave its memory), so it may hold any byte but NUL. Nothing from it may
 * reach a terminal raw.
 */
#ifndef PAGEMAP_DUMP_ESCAPE_H
#define PAGEMAP_DUMP_ESCAPE_H

#include <stddef.h>

/* The most bytes escape_text writes for len bytes of input. */
#define ESCAPE_TEXT_MAX(len) ((len) * 4)

/*
 * Returns the length (1-4) of the well-formed UTF-8 sequence at s (n bytes
 * available), or 0 when the byte at s does not start one.
 */
size_t escape_utf8_len(const unsigned char *s, size_t n);

/*
 * Writes src to dst with every byte that could act on a terminal written as
 * a backslash and three octal digits: control bytes (below 0x20 and 0x7f),
 * bytes that are not part of well-formed UTF-8, and the UTF-8 encodings of
 * the C1 controls U+0080 to U+009F. Everything else, backslashes included,
 * is copied as it is. dst must hold ESCAPE_TEXT_MAX(len) bytes. Returns the
 * number of bytes written.
 */
size_t escape_text(char *dst, const char *src, size_t len);

#endif
