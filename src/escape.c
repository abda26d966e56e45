/*
 * escape: octal escapes for bytes that must not reach a terminal raw.
 */
#include "escape.h"

#include <stdint.h>

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
		/* U+0080-U+009F is C2 80-C2 9F: a C1 control, not text. */
		if (n == 0 || n == 1 || (c == 0xc2 && s[i + 1] < 0xa0)) {
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
