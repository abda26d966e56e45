/*
 * escape: octal escapes for bytes that must not reach a terminal raw.
 */
#include "escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

size_t
escape_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0)
		len = 2;
	else if (c < 0xf0) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c < 0xf5) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (n < len)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * The code points, beyond C0 and DEL, that no format writes raw, in
 * order (escape.h says why each is here). escape_text, and through it
 * escape_csv, and escape_json all ask must_escape, which asks this table.
 */
static const struct {
	uint32_t lo, hi;
} escaped[] = {
	{ 0x0080, 0x009f },	/* C1 controls */
	{ 0x00ad, 0x00ad },	/* SOFT HYPHEN */
	{ 0x061c, 0x061c },	/* ARABIC LETTER MARK */
	{ 0x180e, 0x180e },	/* MONGOLIAN VOWEL SEPARATOR */
	{ 0x200b, 0x200f },	/* ZWSP, ZWNJ, ZWJ, LRM, RLM */
	{ 0x2028, 0x202e },	/* LINE and PARAGRAPH SEPARATOR, LRE-RLO */
	{ 0x2060, 0x2064 },	/* WORD JOINER, invisible operators */
	{ 0x2066, 0x206f },	/* LRI-PDI, deprecated format controls */
	{ 0xfeff, 0xfeff },	/* ZERO WIDTH NO-BREAK SPACE, the BOM */
	{ 0x1bca0, 0x1bca3 },	/* shorthand format controls */
	{ 0x1d173, 0x1d17a },	/* musical symbol format controls */
	{ 0xe0001, 0xe0001 },	/* LANGUAGE TAG */
	{ 0xe0020, 0xe007f },	/* tag characters */
};

/* The code point of the well-formed sequence of n (2-4) bytes at s. */
static uint32_t
utf8_decode(const unsigned char *s, size_t n)
{
	static const unsigned char lead_bits[5] = { 0, 0, 0x1f, 0x0f, 0x07 };
	uint32_t cp = s[0] & lead_bits[n];
	size_t i;

	for (i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/*
 * Whether the well-formed sequence of n bytes at s must be escaped: a C0
 * control or DEL, or a code point of the table above. Its code point goes
 * to *cp either way.
 */
static bool
must_escape(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t i;

	if (n == 1) {
		*cp = s[0];
		return s[0] < 0x20 || s[0] == 0x7f;
	}
	*cp = utf8_decode(s, n);
	for (i = 0; i < sizeof(escaped) / sizeof(escaped[0]); i++) {
		if (*cp < escaped[i].lo)
			return false;
		if (*cp <= escaped[i].hi)
			return true;
	}
	return false;
}

static char *
put_octal(char *d, unsigned char c)
{
	*d++ = '\\';
	*d++ = (char)('0' + (c >> 6));
	*d++ = (char)('0' + ((c >> 3) & 7));
	*d++ = (char)('0' + (c & 7));
	return d;
}

size_t
escape_text(char *dst, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	char *d = dst;
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x7f) {
			*d++ = (char)c;
			i++;
			continue;
		}
		n = escape_utf8_len(s + i, len - i);
		if (n == 0 || must_escape(s + i, n, &cp)) {
			if (n == 0)
				n = 1;
			for (k = 0; k < n; k++)
				d = put_octal(d, s[i + k]);
		} else {
			for (k = 0; k < n; k++)
				*d++ = (char)s[i + k];
		}
		i += n;
	}
	return (size_t)(d - dst);
}

size_t
escape_csv(char *dst, const char *src, size_t len)
{
	size_t n, i, out = 0;
	bool quote;
	char *tmp = dst + len * 4 + 2;	/* the text escape, parked past */

	/* dst has room for the quoted form after the plain escape. */
	n = escape_text(tmp, src, len);
	quote = n > 0 && (tmp[0] == ' ' || tmp[n - 1] == ' ');
	for (i = 0; i < n && !quote; i++)
		quote = tmp[i] == ',' || tmp[i] == '"';
	if (!quote) {
		memmove(dst, tmp, n);
		return n;
	}
	dst[out++] = '"';
	for (i = 0; i < n; i++) {
		if (tmp[i] == '"')
			dst[out++] = '"';
		dst[out++] = tmp[i];
	}
	dst[out++] = '"';
	return out;
}

/* Writes \uXXXX for the UTF-16 code unit u; returns the end. */
static char *
put_u(char *d, uint32_t u)
{
	static const char hex[] = "0123456789abcdef";

	*d++ = '\\';
	*d++ = 'u';
	*d++ = hex[u >> 12 & 15];
	*d++ = hex[u >> 8 & 15];
	*d++ = hex[u >> 4 & 15];
	*d++ = hex[u & 15];
	return d;
}

size_t
escape_json(char *dst, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	char *d = dst;
	size_t i = 0, n, k;
	uint32_t cp;

	*d++ = '"';
	while (i < len) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x7f) {
			if (c == '"' || c == '\\')
				*d++ = '\\';
			*d++ = (char)c;
			i++;
			continue;
		}
		n = escape_utf8_len(s + i, len - i);
		if (n > 0 && must_escape(s + i, n, &cp)) {
			/*
			 * \uXXXX (a surrogate pair above U+FFFF) decodes to
			 * the character exactly but shows no terminal a raw
			 * control or an invisible character.
			 */
			if (cp > 0xffff) {
				d = put_u(d, 0xd800 | (cp - 0x10000) >> 10);
				cp = 0xdc00 | (cp & 0x3ff);
			}
			d = put_u(d, cp);
		} else if (n == 0) {
			*d++ = '\\';
			d = put_octal(d, c);
			n = 1;
		} else {
			for (k = 0; k < n; k++)
				*d++ = (char)s[i + k];
		}
		i += n;
	}
	*d++ = '"';
	return (size_t)(d - dst);
}

const char *
escape_quote(char *buf, size_t size, const char *s, size_t n)
{
	if (n > (size - 1) / 4)
		n = (size - 1) / 4;
	buf[escape_text(buf, s, n)] = '\0';
	return buf;
}
