/*
 * readers: the parts of testlib that need no test framework, so that the
 * fuzz targets (built without cmocka) read the outputs as strictly as the
 * tests do; see readers.h.
 */
#include "readers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Out of memory a test can do nothing useful, and these functions have no
 * test to fail from the fuzz targets: say so and stop.
 */
static void
tl_out_of_memory(void)
{
	fputs("readers: out of memory\n", stderr);
	abort();
}

/* ---- the buffer ---- */

void
tl_buf_reserve(struct tl_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;
	char *grown;

	if (b->cap - b->len > more)
		return;
	while (cap - b->len <= more)
		cap *= 2;
	grown = realloc(b->s, cap);
	if (grown == NULL)
		tl_out_of_memory();
	b->s = grown;
	b->cap = cap;
}

void
tl_buf_add(struct tl_buf *b, const char *s, size_t n)
{
	tl_buf_reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
tl_buf_adds(struct tl_buf *b, const char *s)
{
	tl_buf_add(b, s, strlen(s));
}

void
tl_buf_addc(struct tl_buf *b, char c)
{
	tl_buf_add(b, &c, 1);
}

void
tl_buf_printf(struct tl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		tl_out_of_memory();
	tl_buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
tl_buf_str(struct tl_buf *b)
{
	if (b->s == NULL)
		tl_buf_add(b, "", 0);
	return b->s;
}

void
tl_buf_free(struct tl_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

/* ---- records and tables ---- */

void
tl_rec_add(struct tl_rec *r, const char *s, size_t n)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->f = realloc(r->f, r->cap * sizeof(*r->f));
		r->len = realloc(r->len, r->cap * sizeof(*r->len));
		r->quoted = realloc(r->quoted, r->cap * sizeof(*r->quoted));
		if (r->f == NULL || r->len == NULL || r->quoted == NULL)
			tl_out_of_memory();
	}
	if ((r->f[r->n] = malloc(n + 1)) == NULL)
		tl_out_of_memory();
	memcpy(r->f[r->n], s, n);
	r->f[r->n][n] = '\0';
	r->quoted[r->n] = false;
	r->len[r->n++] = n;
}

void
tl_rec_free(struct tl_rec *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->f[i]);
	free(r->f);
	free(r->len);
	free(r->quoted);
	memset(r, 0, sizeof(*r));
}

struct tl_rec *
tl_table_new_rec(struct tl_table *t)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->r = realloc(t->r, t->cap * sizeof(*t->r));
		if (t->r == NULL)
			tl_out_of_memory();
	}
	memset(&t->r[t->n], 0, sizeof(t->r[0]));
	return &t->r[t->n++];
}

void
tl_table_free(struct tl_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		tl_rec_free(&t->r[i]);
	free(t->r);
	memset(t, 0, sizeof(*t));
}

/* ---- CSV ---- */

/* One CSV field at *s, quoted or not, into f; returns NULL or why not. */
static const char *
csv_field(const char **p, const char *end, struct tl_buf *f, bool *quoted)
{
	const char *s = *p;

	f->len = 0;
	tl_buf_add(f, "", 0);
	*quoted = s < end && *s == '"';
	if (*quoted) {
		for (s++;; s++) {
			if (s == end)
				return "unterminated quoted field";
			if (*s == '"' && !(s + 1 < end && s[1] == '"'))
				break;
			s += *s == '"';
			tl_buf_addc(f, *s);
		}
		s++;	/* the closing quote */
		if (s < end && *s != ',' && *s != '\n' && *s != '\r')
			return "text after a closing quote";
	} else {
		for (; s < end && *s != ',' && *s != '\n' && *s != '\r'; s++) {
			if (*s == '"')
				return "a quote inside an unquoted field";
			tl_buf_addc(f, *s);
		}
	}
	*p = s;
	return NULL;
}

int
tl_csv_record(const char **p, const char *end, struct tl_rec *rec,
    const char **why)
{
	struct tl_buf f = { NULL, 0, 0 };
	const char *s = *p;
	bool quoted;

	tl_rec_free(rec);
	for (;;) {
		if ((*why = csv_field(&s, end, &f, &quoted)) != NULL)
			break;
		tl_rec_add(rec, f.s, f.len);
		rec->quoted[rec->n - 1] = quoted;
		if (s == end) {
			*why = "a record without a line end";
			break;
		}
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\r' && (s + 1 == end || s[1] != '\n')) {
			*why = "a CR without LF";
			break;
		}
		*p = s + (*s == '\r' ? 2 : 1);
		break;
	}
	tl_buf_free(&f);
	return *why == NULL ? 0 : -1;
}

/* ---- UTF-8 ---- */

size_t
tl_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, k;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (k = 2; k < len; k++)
		if (s[k] < 0x80 || s[k] > 0xbf)
			return 0;
	return len;
}

bool
tl_valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, len;

	for (; i < n; i += len)
		if ((len = tl_utf8_len(s + i, n - i)) == 0)
			return false;
	return true;
}

size_t
tl_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const unsigned char lead_bits[5] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	size_t len = n > 0 ? tl_utf8_len(s, n) : 0, i;
	uint32_t c;

	if (len == 0)
		return 0;
	c = s[0] & lead_bits[len];
	for (i = 1; i < len; i++)
		c = c << 6 | (s[i] & 0x3f);
	*cp = c;
	return len;
}

size_t
tl_utf8_encode(unsigned char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (unsigned char)(0xc0 | cp >> 6);
		d[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (unsigned char)(0xe0 | cp >> 12);
		d[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		d[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (unsigned char)(0xf0 | cp >> 18);
	d[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	d[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	d[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* ---- JSON ---- */

struct json {
	const char *p, *end;
	const char *why;
};

static int
json_fail(struct json *j, const char *why)
{
	if (j->why == NULL)
		j->why = why;
	return -1;
}

static void
json_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
json_hex4(struct json *j, unsigned *v)
{
	int i;

	*v = 0;
	if (j->end - j->p < 4)
		return json_fail(j, "short \\u escape");
	for (i = 0; i < 4; i++) {
		char c = *j->p++;

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return json_fail(j, "bad hex digit in \\u escape");
	}
	return 0;
}

/* Appends the UTF-8 of cp to b. */
static void
put_utf8(struct tl_buf *b, unsigned cp)
{
	unsigned char u[4];

	tl_buf_add(b, (const char *)u, tl_utf8_encode(u, cp));
}

/* A \u escape (after the u), surrogate pairs joined, into b. */
static int
json_unicode(struct json *j, struct tl_buf *b)
{
	unsigned cp, lo;

	if (json_hex4(j, &cp) != 0)
		return -1;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return json_fail(j, "lone low surrogate");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
			return json_fail(j, "lone high surrogate");
		j->p += 2;
		if (json_hex4(j, &lo) != 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return json_fail(j, "bad low surrogate");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	put_utf8(b, cp);
	return 0;
}

/* One escape after a backslash, decoded into b. */
static int
json_escape(struct json *j, struct tl_buf *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *at;

	if (j->p == j->end)
		return json_fail(j, "backslash at the end");
	if (*j->p == 'u') {
		j->p++;
		return json_unicode(j, b);
	}
	if ((at = strchr(from, *j->p)) == NULL || *j->p == '\0')
		return json_fail(j, "unknown escape");
	tl_buf_addc(b, to[at - from]);
	j->p++;
	return 0;
}

/* A string at its opening quote, decoded into b. */
static int
json_string(struct json *j, struct tl_buf *b)
{
	size_t len;

	b->len = 0;
	tl_buf_add(b, "", 0);
	if (j->p == j->end || *j->p != '"')
		return json_fail(j, "not a string");
	for (j->p++;;) {
		unsigned char c;

		if (j->p == j->end)
			return json_fail(j, "unterminated string");
		c = (unsigned char)*j->p;
		if (c == '"') {
			j->p++;
			return 0;
		}
		if (c < 0x20)
			return json_fail(j, "raw control character in a "
			    "string");
		if (c == '\\') {
			j->p++;
			if (json_escape(j, b) != 0)
				return -1;
			continue;
		}
		len = tl_utf8_len((const unsigned char *)j->p,
		    (size_t)(j->end - j->p));
		if (len == 0)
			return json_fail(j, "invalid UTF-8 in a string");
		tl_buf_add(b, j->p, len);
		j->p += len;
	}
}

static bool
json_digit(const struct json *j)
{
	return j->p < j->end && *j->p >= '0' && *j->p <= '9';
}

static void
json_digits(struct json *j)
{
	while (json_digit(j))
		j->p++;
}

static int
json_number(struct json *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (!json_digit(j))
		return json_fail(j, "bad number");
	if (*j->p++ != '0')
		json_digits(j);
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!json_digit(j))
			return json_fail(j, "bad fraction");
		json_digits(j);
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!json_digit(j))
			return json_fail(j, "bad exponent");
		json_digits(j);
	}
	return 0;
}

static int
json_literal(struct json *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return json_fail(j, "unexpected character");
	j->p += n;
	return 0;
}

static int json_value(struct json *j, int depth, struct tl_jobject *top);

/* The members of an object (or an array's values) after its opener. */
static int
json_members(struct json *j, int depth, struct tl_jobject *top, char close)
{
	struct tl_buf key = { NULL, 0, 0 };
	int rc = -1;

	json_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		json_ws(j);
		if (close == '}') {
			if (json_string(j, &key) != 0)
				break;
			json_ws(j);
			if (j->p == j->end || *j->p++ != ':') {
				json_fail(j, "no colon after a key");
				break;
			}
			if (top != NULL && tl_jget(top, key.s) != NULL) {
				json_fail(j, "duplicate key");
				break;
			}
		}
		if (top != NULL) {
			if (top->n == top->cap) {
				top->cap = top->cap ? top->cap * 2 : 32;
				top->m = realloc(top->m, top->cap *
				    sizeof(*top->m));
				if (top->m == NULL)
					tl_out_of_memory();
			}
			memset(&top->m[top->n], 0, sizeof(top->m[0]));
			top->m[top->n].key = strdup(tl_buf_str(&key));
		}
		if (json_value(j, depth + 1, top) != 0)
			break;
		json_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			rc = 0;
		} else
			json_fail(j, "no comma or closing bracket");
		break;
	}
	tl_buf_free(&key);
	return rc;
}

/* Reads a value without keeping it, but for its type and text. */
static int
json_skip_value(struct json *j, int depth, enum tl_jtype *type)
{
	if (depth > 32)
		return json_fail(j, "nested too deep");
	json_ws(j);
	if (j->p == j->end)
		return json_fail(j, "no value");
	switch (*j->p) {
	case '{':
	case '[':
		*type = TL_JNESTED;
		j->p++;
		return json_members(j, depth, NULL, j->p[-1] == '{' ? '}' :
		    ']');
	case 't':
		*type = TL_JBOOL;
		return json_literal(j, "true");
	case 'f':
		*type = TL_JBOOL;
		return json_literal(j, "false");
	case 'n':
		*type = TL_JNULL;
		return json_literal(j, "null");
	default:
		*type = TL_JNUMBER;
		return json_number(j);
	}
}

/*
 * A value; a member of the top object (the last one of top) gets its
 * type and its string decoded, or its text.
 */
static int
json_value(struct json *j, int depth, struct tl_jobject *top)
{
	struct tl_buf b = { NULL, 0, 0 };
	struct tl_jmember *m = top != NULL ? &top->m[top->n] : NULL;
	enum tl_jtype type = TL_JSTRING;
	const char *start;
	int rc;

	json_ws(j);
	start = j->p;
	if (j->p < j->end && *j->p == '"')
		rc = json_string(j, &b);
	else {
		rc = json_skip_value(j, depth, &type);
		tl_buf_add(&b, start, (size_t)(j->p - start));
	}
	if (m != NULL) {
		m->type = type;
		m->b = type == TL_JBOOL && *start == 't';
		m->s = b.s;
		m->len = b.len;
		top->n++;
	} else
		tl_buf_free(&b);
	return rc;
}

int
tl_json_object(const char *line, size_t len, struct tl_jobject *o,
    const char **why)
{
	struct json j = { line, line + len, NULL };

	memset(o, 0, sizeof(*o));
	json_ws(&j);
	if (j.p == j.end || *j.p != '{')
		json_fail(&j, "not an object");
	else if (j.p++, json_members(&j, 0, o, '}') == 0) {
		json_ws(&j);
		if (j.p != j.end)
			json_fail(&j, "text after the object");
	}
	*why = j.why;
	return j.why == NULL ? 0 : -1;
}


const struct tl_jmember *
tl_jget(const struct tl_jobject *o, const char *key)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->m[i].key, key) == 0)
			return &o->m[i];
	return NULL;
}

void
tl_jobject_free(struct tl_jobject *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->m[i].key);
		free(o->m[i].s);
	}
	free(o->m);
	memset(o, 0, sizeof(*o));
}

void
tl_jobjects_free(struct tl_jobject *objs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tl_jobject_free(&objs[i]);
	free(objs);
}
