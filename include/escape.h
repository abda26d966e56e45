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
 * bytes that are not part of well-formed UTF-8, the UTF-8 encodings of
 * the C1 controls U+0080 to U+009F, and those of the bidirectional
 * controls (U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069), which
 * could make a name read as another. Everything else, backslashes
 * included, is copied as it is. dst must hold ESCAPE_TEXT_MAX(len) bytes.
 * Returns the number of bytes written.
 */
size_t escape_text(char *dst, const char *src, size_t len);

/* The most bytes escape_csv writes for len bytes of input. */
#define ESCAPE_CSV_MAX(len) ((len) * 8 + 2)

/*
 * Writes src as one CSV field (RFC 4180): first escaped as escape_text
 * does, then in double quotes, with quotes doubled, when it holds a comma,
 * a quote or a leading or trailing space. dst must hold
 * ESCAPE_CSV_MAX(len) bytes. Returns the number of bytes written.
 */
size_t escape_csv(char *dst, const char *src, size_t len);

/* The most bytes escape_json writes for len bytes of input. */
#define ESCAPE_JSON_MAX(len) ((len) * 6 + 2)

/*
 * Writes src as a JSON string, quotes included. Well-formed UTF-8 is kept
 * (C1 and bidirectional controls as \uXXXX), control bytes become
 * \u00XX, and each byte that is not well-formed UTF-8 becomes the four
 * characters of its octal escape (a backslash, escaped as \\, and three
 * digits), so any name gives valid JSON that no terminal acts on. dst
 * must hold ESCAPE_JSON_MAX(len) bytes. Returns the number of bytes
 * written.
 */
size_t escape_json(char *dst, const char *src, size_t len);

#endif
