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

/* Whether the 3-byte UTF-8 sequence at s is a bidirectional control. */
static bool
is_bidi_control(const unsigned char *s)
{
	if (s[0] != 0xe2)
		return false;
	if (s[1] == 0x80)
		return s[2] == 0x8e || s[2] == 0x8f ||
		    (s[2] >= 0xaa && s[2] <= 0xae);
	return s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9;
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

	while (i < len) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x7f) {
			*d++ = (char)c;
			i++;
			continue;
		}
		n = escape_utf8_len(s + i, len - i);
		/*
		 * U+0080-U+009F is C2 80-C2 9F: a C1 control, not text. The
		 * bidirectional controls (U+200E, U+200F, U+202A-U+202E,
		 * U+2066-U+2069) would make a name read as another.
		 */
		if (n == 0 || n == 1 || (c == 0xc2 && s[i + 1] < 0xa0) ||
		    (n == 3 && is_bidi_control(s + i))) {
			if (n < 2)
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

size_t
escape_json(char *dst, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	char *d = dst;
	size_t i = 0, n, k;

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
		if (n == 1 || (n == 2 && c == 0xc2 && s[i + 1] < 0xa0) ||
		    (n == 3 && is_bidi_control(s + i))) {
			/*
			 * A C0 or C1 control, DEL or a bidirectional control:
			 * \uXXXX, which decodes to it exactly but shows no
			 * terminal a raw control.
			 */
			unsigned int cp = n == 1 ? c : n == 2 ? s[i + 1] :
			    (unsigned int)(c & 0x0f) << 12 |
			    (unsigned int)(s[i + 1] & 0x3f) << 6 |
			    (unsigned int)(s[i + 2] & 0x3f);
			memcpy(d, "\\u", 2);
			d[2] = hex[cp >> 12 & 15];
			d[3] = hex[cp >> 8 & 15];
			d[4] = hex[cp >> 4 & 15];
			d[5] = hex[cp & 15];
			d += 6;
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
