/*
 * readers: the part of testlib that needs no test framework, so that the
 * fuzz targets, built without cmocka, read the outputs with the same
 * strict readers as the tests: a growable buffer, records and tables of
 * fields, one RFC 4180 record, one JSON object, and UTF-8. testlib.h
 * includes this header.
 *
 * Where these cannot go on (out of memory), they print why and abort;
 * the readers themselves return an error with the reason instead.
 */
#ifndef PAGEMAP_DUMP_READERS_H
#define PAGEMAP_DUMP_READERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- a growable buffer, always NUL-terminated once written to ---- */

struct tl_buf {
	char *s;
	size_t len, cap;
};

/* Makes room for more bytes and their NUL after len. */
void tl_buf_reserve(struct tl_buf *b, size_t more);
void tl_buf_add(struct tl_buf *b, const char *s, size_t n);
void tl_buf_adds(struct tl_buf *b, const char *s);
void tl_buf_addc(struct tl_buf *b, char c);
void tl_buf_printf(struct tl_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The text so far: "" when nothing was added, never NULL. */
const char *tl_buf_str(struct tl_buf *b);
void tl_buf_free(struct tl_buf *b);

/* ---- records and tables of fields ---- */

/* The fields of a record; each is NUL-terminated, with its length. */
struct tl_rec {
	size_t n, cap;
	char **f;
	size_t *len;
	bool *quoted;		/* CSV: the field was in double quotes */
};

struct tl_table {
	size_t n, cap;
	struct tl_rec *r;
};

void tl_rec_add(struct tl_rec *r, const char *s, size_t n);
void tl_rec_free(struct tl_rec *r);
struct tl_rec *tl_table_new_rec(struct tl_table *t);
void tl_table_free(struct tl_table *t);

/*
 * Reads one RFC 4180 record at *p (ended by CRLF or LF) into rec: a
 * quote anywhere but around a whole field, text after a closing quote,
 * a CR without LF or a record without a line end is an error. Returns 0
 * and advances *p, or -1 with *why.
 */
int tl_csv_record(const char **p, const char *end, struct tl_rec *rec,
    const char **why);

/* ---- UTF-8 ---- */

/* The length of the UTF-8 character at s (n bytes left), 0 if invalid. */
size_t tl_utf8_len(const unsigned char *s, size_t n);
bool tl_valid_utf8(const unsigned char *s, size_t n);

/*
 * The code point of the well-formed character at s (n bytes left) in
 * *cp; returns its length, 0 (and *cp untouched) when none starts there.
 */
size_t tl_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Writes the UTF-8 of cp (not a surrogate, at most 0x10ffff); its length. */
size_t tl_utf8_encode(unsigned char *d, uint32_t cp);

/* ---- JSON ---- */

/* A JSON object's member: a string decoded, else the value's text. */
enum tl_jtype { TL_JSTRING, TL_JNUMBER, TL_JBOOL, TL_JNULL, TL_JNESTED };

struct tl_jmember {
	char *key;
	enum tl_jtype type;
	char *s;
	size_t len;
	bool b;			/* a boolean's value */
};

struct tl_jobject {
	size_t n, cap;
	struct tl_jmember *m;
};

/*
 * Reads len bytes as exactly one JSON object (RFC 8259): valid UTF-8,
 * no raw control byte in a string, no duplicate key, nothing after it;
 * a member's value may be an array or object (kept as its text). Returns
 * 0, or -1 with *why.
 */
int tl_json_object(const char *line, size_t len, struct tl_jobject *o,
    const char **why);

/* The member key of o, or NULL. */
const struct tl_jmember *tl_jget(const struct tl_jobject *o,
    const char *key);
void tl_jobject_free(struct tl_jobject *o);
void tl_jobjects_free(struct tl_jobject *objs, size_t n);

#endif
