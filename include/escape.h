/*
 * escape: making mapping names safe to print.
 *
 * A mapping name comes from the target process (a file it mapped, a name
 * it gave its memory), so it may hold any byte but NUL. Nothing from it may
 * reach a terminal raw.
 *
 * Every format escapes the same characters, beyond the C0 controls (below
 * 0x20), DEL and bytes that are not well-formed UTF-8; escape.c keeps them
 * in one table:
 *
 *   U+0080-U+009F  the C1 controls, which terminals act on like C0 ones;
 *   U+2028, U+2029 LINE and PARAGRAPH SEPARATOR, which end a line in some
 *                  viewers and in JavaScript;
 *   bidirectional controls, which reorder what follows them:
 *                  U+061C ARABIC LETTER MARK, U+200E, U+200F (LRM, RLM),
 *                  U+202A-U+202E (LRE, RLE, PDF, LRO, RLO),
 *                  U+2066-U+2069 (LRI, RLI, FSI, PDI);
 *   the other invisible format characters, which make a name read as
 *   another ("lib<U+200B>c.so" shows as "libc.so"): every character of
 *   category Cf that Unicode says to render as nothing
 *   (Default_Ignorable_Code_Point), that is
 *                  U+00AD SOFT HYPHEN,
 *                  U+180E MONGOLIAN VOWEL SEPARATOR,
 *                  U+200B-U+200D (ZERO WIDTH SPACE, ZWNJ, ZWJ),
 *                  U+2060-U+2064 (WORD JOINER, the invisible operators),
 *                  U+206A-U+206F (the deprecated format controls),
 *                  U+FEFF (ZERO WIDTH NO-BREAK SPACE, the BOM),
 *                  U+1BCA0-U+1BCA3 (shorthand format controls),
 *                  U+1D173-U+1D17A (musical symbol format controls),
 *                  U+E0001 and U+E0020-U+E007F (the tag characters).
 *
 * Left as text: the format characters that are not default-ignorable
 * and so are drawn (U+0600-U+0605 and the other prepended concatenation
 * marks, U+FFF9-U+FFFB), the spaces (U+200A, U+202F, U+205F), unassigned
 * code points (U+2065), the variation selectors, which only change the
 * glyph before them, and letters that draw blank (U+3164 HANGUL FILLER).
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
 * Writes src to dst with every byte that could act on a terminal or hide
 * in a name written as a backslash and three octal digits: control bytes
 * (below 0x20 and 0x7f), bytes that are not part of well-formed UTF-8,
 * and each byte of the UTF-8 of the characters listed at the top of this
 * file (C1 controls, separators, bidirectional controls, invisible format
 * characters). Everything else, backslashes included, is copied as it is.
 * dst must hold ESCAPE_TEXT_MAX(len) bytes. Returns the number of bytes
 * written.
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
 * Writes src as a JSON string, quotes included. Well-formed UTF-8 is kept,
 * but control bytes become \u00XX and the characters listed at the top of
 * this file \uXXXX (a surrogate pair, \uXXXX\uXXXX, above U+FFFF), and
 * each byte that is not well-formed UTF-8 becomes the four characters of
 * its octal escape (a backslash, escaped as \\, and three digits), so any
 * name gives valid JSON that no terminal acts on. dst must hold
 * ESCAPE_JSON_MAX(len) bytes. Returns the number of bytes written.
 */
size_t escape_json(char *dst, const char *src, size_t len);

/*
 * An argument as a message may quote it: its first n bytes (at most what
 * buf, of size bytes, holds escaped), escaped as escape_text escapes a
 * name, NUL-terminated in buf. Returns buf.
 */
#define ESCAPE_QUOTE_MAX 64
#define ESCAPE_QUOTE_SIZE (ESCAPE_TEXT_MAX(ESCAPE_QUOTE_MAX) + 1)
const char *escape_quote(char *buf, size_t size, const char *s, size_t n);

#endif
