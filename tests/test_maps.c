/*
 * Tests for maps: every shape of line the kernel writes in /proc/PID/maps,
 * every malformed line rejected with its reason and 1-based line number,
 * and maps_slurp reading files of any size from pipes and memfds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maps.h"
#include "testlib.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif
#ifndef PR_SET_VMA_ANON_NAME
#define PR_SET_VMA_ANON_NAME 0
#endif

/* The fields of one line up to the name, as the kernel pads them. */
#define PREFIX "7f46a36e9000-7f46a36ec000 r--p 00001000 fe:00 21656"
#define PAD "                      "

/*
 * A copy of len bytes of text with exactly one spare byte after it, as
 * maps_parse_line wants; the spare byte is not a NUL, so the tests can see
 * that the parser writes one.
 */
static char *
line_new(const char *text, size_t len)
{
	char *buf = malloc(len + 1);

	assert_non_null(buf);
	memcpy(buf, text, len);
	buf[len] = 'X';
	return buf;
}

/* Parses len bytes of text as one line, asserting that it is accepted. */
static char *
parse_ok_len(const char *text, size_t len, struct maps_entry *e)
{
	char *buf = line_new(text, len);
	const char *why = NULL;

	assert_int_equal(maps_parse_line(buf, len, e, &why), 0);
	assert_null(why);
	return buf;
}

static char *
parse_ok(const char *text, struct maps_entry *e)
{
	return parse_ok_len(text, strlen(text), e);
}

/* Parses text as one line, asserting that it is refused for reason. */
static void
parse_bad_len(const char *text, size_t len, const char *reason)
{
	char *buf = line_new(text, len);
	struct maps_entry e;
	const char *why = NULL;

	if (maps_parse_line(buf, len, &e, &why) != -1)
		fail_msg("accepted the malformed line \"%.*s\"", (int)len,
		    text);
	if (why == NULL || strcmp(why, reason) != 0)
		fail_msg("line \"%.*s\": reason \"%s\", expected \"%s\"",
		    (int)len, text, why == NULL ? "(null)" : why, reason);
	free(buf);
}

static void
parse_bad(const char *text, const char *reason)
{
	parse_bad_len(text, strlen(text), reason);
}

/* Asserts that the entry's name is exactly name, NUL-terminated. */
static void
assert_name(const struct maps_entry *e, const char *name, size_t len)
{
	assert_non_null(e->name);
	assert_int_equal(e->name_len, len);
	if (len > 0)
		assert_memory_equal(e->name, name, len);
	assert_int_equal(e->name[len], '\0');
}

static void
should_parse_every_field_of_an_ordinary_file_line(void **state)
{
	struct maps_entry e;
	char *buf;

	(void)state;
	buf = parse_ok(PREFIX PAD "/usr/lib/x86_64-linux-gnu/libc.so.6", &e);
	assert_int_equal(e.start, UINT64_C(0x7f46a36e9000));
	assert_int_equal(e.end, UINT64_C(0x7f46a36ec000));
	assert_string_equal(e.perms, "r--p");
	assert_int_equal(e.offset, 0x1000);
	assert_int_equal(e.dev_major, 0xfe);
	assert_int_equal(e.dev_minor, 0);
	assert_int_equal(e.inode, 21656);
	assert_name(&e, "/usr/lib/x86_64-linux-gnu/libc.so.6", 35);
	/* The name points into the line, which now ends with a NUL. */
	assert_ptr_equal(e.name, buf + strlen(PREFIX PAD));
	free(buf);
}

static void
should_keep_spaces_in_names(void **state)
{
	struct maps_entry e;
	char *buf;

	(void)state;
	buf = parse_ok(PREFIX PAD "/tmp/my file  with   spaces ", &e);
	assert_name(&e, "/tmp/my file  with   spaces ", 28);
	free(buf);
}

static void
should_keep_tabs_in_names(void **state)
{
	struct maps_entry e;
	char *buf;

	(void)state;
	buf = parse_ok(PREFIX PAD "/tmp/a\tb\t", &e);
	assert_name(&e, "/tmp/a\tb\t", 9);
	free(buf);
}

static void
should_keep_the_kernels_newline_escape_as_four_characters(void **state)
{
	struct maps_entry e;
	char *buf;

	(void)state;
	buf = parse_ok(PREFIX PAD "/tmp/a\\012b", &e);
	assert_name(&e, "/tmp/a\\012b", 11);
	free(buf);
}

static void
should_keep_the_deleted_suffix_in_the_name(void **state)
{
	struct maps_entry e;
	char *buf;

	(void)state;
	buf = parse_ok("7f0000000000-7f0000001000 rw-s 00000000 00:01 1031"
	    PAD "/memfd:buffer (deleted)", &e);
	assert_string_equal(e.perms, "rw-s");
	assert_int_equal(e.dev_major, 0);
	assert_int_equal(e.dev_minor, 1);
	assert_int_equal(e.inode, 1031);
	assert_name(&e, "/memfd:buffer (deleted)", 23);
	free(buf);
}

static void
should_parse_the_heap_and_the_stack(void **state)
{
	struct maps_entry e;
	char *buf;

	(void)state;
	buf = parse_ok("55ae33ef0000-55ae33f11000 rw-p 00000000 00:00 0"
	    "                          [heap]", &e);
	assert_int_equal(e.start, UINT64_C(0x55ae33ef0000));
	assert_int_equal(e.end, UINT64_C(0x55ae33f11000));
	assert_int_equal(e.inode, 0);
	assert_name(&e, "[heap]", 6);
	free(buf);

	buf = parse_ok("7ffed88b7000-7ffed88d8000 rw-p 00000000 00:00 0"
	    "                          [stack]", &e);
	assert_int_equal(e.start, UINT64_C(0x7ffed88b7000));
	assert_int_equal(e.end, UINT64_C(0x7ffed88d8000));
	assert_name(&e, "[stack]", 7);
	free(buf);
}

static void
should_parse_vsyscall_above_the_task_size(void **state)
{
	struct maps_entry e;
	char *buf;

	(void)state;
	buf = parse_ok("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
	    "                  [vsyscall]", &e);
	assert_int_equal(e.start, UINT64_C(0xffffffffff600000));
	assert_int_equal(e.end, UINT64_C(0xffffffffff601000));
	assert_string_equal(e.perms, "--xp");
	assert_name(&e, "[vsyscall]", 10);
	free(buf);
}

static void
should_keep_spaces_in_anon_names(void **state)
{
	struct maps_entry e;
	char *buf;

	(void)state;
	buf = parse_ok("7f0000000000-7f0000004000 rw-p 00000000 00:00 0"
	    PAD "[anon:some name]", &e);
	assert_name(&e, "[anon:some name]", 16);
	free(buf);
}

static void
should_parse_anon_shmem_names(void **state)
{
	struct maps_entry e;
	char *buf;

	(void)state;
	buf = parse_ok("7f0000000000-7f0000004000 rw-s 00000000 00:01 7"
	    PAD "[anon_shmem:x]", &e);
	assert_string_equal(e.perms, "rw-s");
	assert_int_equal(e.inode, 7);
	assert_name(&e, "[anon_shmem:x]", 14);
	free(buf);
}

static void
should_give_anonymous_memory_an_empty_name_without_padding(void **state)
{
	struct maps_entry e;
	char *buf;

	(void)state;
	buf = parse_ok("7f19daf1d000-7f19dafe1000 rw-p 00000000 00:00 0", &e);
	assert_int_equal(e.start, UINT64_C(0x7f19daf1d000));
	assert_int_equal(e.end, UINT64_C(0x7f19dafe1000));
	assert_int_equal(e.inode, 0);
	assert_name(&e, "", 0);
	free(buf);
}

static void
should_give_anonymous_memory_an_empty_name_with_padding(void **state)
{
	static const char *const lines[] = {
		/* What the kernel writes today: one trailing space. */
		"7f19daf1d000-7f19dafe1000 rw-p 00000000 00:00 0 ",
		"7f19daf1d000-7f19dafe1000 rw-p 00000000 00:00 0" PAD,
	};
	struct maps_entry e;
	size_t i;
	char *buf;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		buf = parse_ok(lines[i], &e);
		assert_int_equal(e.end, UINT64_C(0x7f19dafe1000));
		assert_name(&e, "", 0);
		free(buf);
	}
}

static void
should_parse_a_name_of_5000_bytes(void **state)
{
	size_t prefix = strlen(PREFIX PAD), len = prefix + 5000, i;
	char *text = malloc(len), *buf, *name;
	struct maps_entry e;

	(void)state;
	assert_non_null(text);
	memcpy(text, PREFIX PAD, prefix);
	name = text + prefix;
	name[0] = '/';
	for (i = 1; i < 5000; i++)
		name[i] = (char)('a' + i % 26);
	buf = parse_ok_len(text, len, &e);
	assert_int_equal(e.inode, 21656);
	assert_name(&e, name, 5000);
	free(buf);
	free(text);
}

static void
should_parse_the_largest_values_of_every_field(void **state)
{
	struct maps_entry e;
	char *buf;

	(void)state;
	buf = parse_ok("fffffffffffff000-ffffffffffffffff rwxs "
	    "ffffffffffffffff fff:fffff 18446744073709551615 x", &e);
	assert_int_equal(e.start, UINT64_C(0xfffffffffffff000));
	assert_int_equal(e.end, UINT64_MAX);
	assert_string_equal(e.perms, "rwxs");
	assert_int_equal(e.offset, UINT64_MAX);
	assert_int_equal(e.dev_major, 0xfff);
	assert_int_equal(e.dev_minor, 0xfffff);
	assert_int_equal(e.inode, UINT64_MAX);
	assert_name(&e, "x", 1);
	free(buf);
}

static void
should_parse_a_mapping_at_address_zero(void **state)
{
	struct maps_entry e;
	char *buf;

	(void)state;
	buf = parse_ok("00000000-00001000 ---p 00000000 00:00 0 ", &e);
	assert_int_equal(e.start, 0);
	assert_int_equal(e.end, 0x1000);
	assert_string_equal(e.perms, "---p");
	assert_name(&e, "", 0);
	free(buf);
}

static void
should_reject_a_line_without_a_dash(void **state)
{
	(void)state;
	parse_bad("7f00 7f01 r--p 00000000 00:00 0", "bad start address");
	parse_bad("7f00", "bad start address");
	parse_bad("-7f01 r--p 00000000 00:00 0", "bad start address");
}

static void
should_reject_an_end_not_above_the_start(void **state)
{
	(void)state;
	parse_bad("7f01-7f00 r--p 00000000 00:00 0",
	    "end address not above start");
	parse_bad("7f00-7f00 r--p 00000000 00:00 0",
	    "end address not above start");
	parse_bad("7f00- r--p 00000000 00:00 0", "bad end address");
}

static void
should_reject_bad_permissions(void **state)
{
	static const char *const lines[] = {
		"7f00-7f01 rwzp 00000000 00:00 0",
		"7f00-7f01 rwxq 00000000 00:00 0",
		"7f00-7f01 RWXP 00000000 00:00 0",
		"7f00-7f01 wr-p 00000000 00:00 0",
		"7f00-7f01 r-x 00000000 00:00 0",
		"7f00-7f01  r-xp 00000000 00:00 0",
		"7f00-7f01 r-",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		parse_bad(lines[i], "bad permissions");
	/* A NUL inside the permissions is not taken for the end of a set. */
	parse_bad_len("7f00-7f01 r\0-p 00000000 00:00 0", 31,
	    "bad permissions");
}

static void
should_reject_17_hex_digits_as_overflow(void **state)
{
	(void)state;
	parse_bad("10000000000000000-10000000000000001 r--p 00000000 00:00 0",
	    "bad start address");
	parse_bad("1000-10000000000000000 r--p 00000000 00:00 0",
	    "bad end address");
	parse_bad("1000-2000 r--p 10000000000000000 00:00 0", "bad offset");
	parse_bad("1000-2000 r--p 00000000 10000000000000000:00 0",
	    "bad device");
}

static void
should_reject_lines_with_missing_fields(void **state)
{
	(void)state;
	parse_bad("7f00-7f01", "bad end address");
	parse_bad("7f00-7f01 ", "bad permissions");
	parse_bad("7f00-7f01 r--p", "bad offset");
	parse_bad("7f00-7f01 r--p ", "bad offset");
	parse_bad("7f00-7f01 r--p 00000000", "bad offset");
	parse_bad("7f00-7f01 r--p 00000000 ", "bad device");
	parse_bad("7f00-7f01 r--p 00000000 fe:00", "bad device");
	parse_bad("7f00-7f01 r--p 00000000 fe:00 ", "bad inode");
	parse_bad("7f00-7f01 r--p 00000000 fe:00 /usr/lib/x.so", "bad inode");
}

static void
should_reject_a_bad_device(void **state)
{
	static const char *const lines[] = {
		"7f00-7f01 r--p 00000000 fe00 0",
		"7f00-7f01 r--p 00000000 fe-00 0",
		"7f00-7f01 r--p 00000000 fe: 0",
		"7f00-7f01 r--p 00000000 :00 0",
		"7f00-7f01 r--p 00000000 zz:00 0",
		"7f00-7f01 r--p 00000000 fe:zz 0",
		/* A major above 12 bits, a minor above 20. */
		"7f00-7f01 r--p 00000000 1000:00 0",
		"7f00-7f01 r--p 00000000 fe:100000 0",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		parse_bad(lines[i], "bad device");
}

static void
should_reject_a_non_numeric_inode(void **state)
{
	(void)state;
	parse_bad("7f00-7f01 r--p 00000000 fe:00 abc /x", "bad inode");
	parse_bad("7f00-7f01 r--p 00000000 fe:00 12x /x", "bad inode");
	parse_bad("7f00-7f01 r--p 00000000 fe:00 -1 /x", "bad inode");
	parse_bad("7f00-7f01 r--p 00000000 fe:00 0x10 /x", "bad inode");
	parse_bad("7f00-7f01 r--p 00000000 fe:00 12\t/x", "bad inode");
}

static void
should_reject_an_inode_beyond_64_bits(void **state)
{
	(void)state;
	parse_bad("7f00-7f01 r--p 00000000 fe:00 18446744073709551616 /x",
	    "bad inode");
}

static void
should_reject_an_empty_line(void **state)
{
	(void)state;
	parse_bad("", "bad start address");
}

static void
should_reject_a_nul_byte_in_the_name(void **state)
{
	static const char line[] = PREFIX " /tmp/a\0b";

	(void)state;
	parse_bad_len(line, sizeof(line) - 1, "NUL byte in name");
}

/* A malloc'd copy of text with room for the one byte maps_parse adds. */
static char *
text_new(const char *text, size_t *len)
{
	char *buf;

	*len = strlen(text);
	buf = malloc(*len + 1);
	assert_non_null(buf);
	memcpy(buf, text, *len);
	return buf;
}

/*
 * What Linux 6.18 returned in a chunked read while threads mapped and
 * unmapped (captured, addresses shortened): a line that overlaps the one
 * before it, and a line repeated.
 */
static void
should_drop_overlapping_and_repeated_lines_of_a_racing_read(void **state)
{
	struct maps maps;
	const char *why = NULL;
	size_t len, bad_line = 99;
	char *text = text_new(
	    "7f7bffe00000-7f7bffe0a000 rw-p 00000000 00:00 0 \n"
	    "7f7bffe09000-7f7bffe0b000 r--p 00000000 00:00 0 \n"
	    "7f7bffe0b000-7f7bffe0c000 rw-p 00000000 00:00 0 \n"
	    "7f7bffe0b000-7f7bffe0c000 rw-p 00000000 00:00 0 \n"
	    "7f7bffe0d000-7f7bffe0e000 rw-p 00000000 00:00 0 [stack]\n", &len);

	(void)state;
	assert_int_equal(maps_parse(&maps, text, len, &bad_line, &why), 0);
	assert_int_equal(maps.count, 5);
	assert_false(maps_ordered(&maps));
	assert_int_equal(maps_drop_overlaps(&maps), 2);
	assert_true(maps_ordered(&maps));
	assert_int_equal(maps.count, 3);
	assert_int_equal(maps.entries[0].end, UINT64_C(0x7f7bffe0a000));
	assert_int_equal(maps.entries[1].start, UINT64_C(0x7f7bffe0b000));
	assert_int_equal(maps.entries[2].start, UINT64_C(0x7f7bffe0d000));
	assert_name(&maps.entries[2], "[stack]", 7);
	assert_int_equal(maps_drop_overlaps(&maps), 0);
	maps_free(&maps);
}

static void
should_take_touching_mappings_as_ordered(void **state)
{
	struct maps maps;
	const char *why = NULL;
	size_t len, bad_line = 99;
	char *text = text_new(
	    "1000-2000 rw-p 00000000 00:00 0 \n"
	    "2000-3000 r--p 00000000 00:00 0 \n", &len);

	(void)state;
	assert_int_equal(maps_parse(&maps, text, len, &bad_line, &why), 0);
	assert_true(maps_ordered(&maps));
	assert_int_equal(maps_drop_overlaps(&maps), 0);
	assert_int_equal(maps.count, 2);
	maps_free(&maps);
}

static void
should_parse_every_line_of_a_maps_text(void **state)
{
	struct maps maps;
	const char *why = NULL;
	size_t len, bad_line = 99;
	char *text = text_new(
	    "55ae33ef0000-55ae33f11000 rw-p 00000000 00:00 0      [heap]\n"
	    "7f19daf1d000-7f19dafe1000 rw-p 00000000 00:00 0 \n"
	    PREFIX PAD "/usr/lib/x.so\n", &len);

	(void)state;
	assert_int_equal(maps_parse(&maps, text, len, &bad_line, &why), 0);
	assert_ptr_equal(maps.text, text);
	assert_int_equal(maps.text_len, len);
	assert_int_equal(maps.count, 3);
	assert_int_equal(maps.entries[0].start, UINT64_C(0x55ae33ef0000));
	assert_name(&maps.entries[0], "[heap]", 6);
	assert_int_equal(maps.entries[1].end, UINT64_C(0x7f19dafe1000));
	assert_name(&maps.entries[1], "", 0);
	assert_int_equal(maps.entries[2].offset, 0x1000);
	assert_name(&maps.entries[2], "/usr/lib/x.so", 13);
	maps_free(&maps);
	assert_null(maps.text);
	assert_null(maps.entries);
	assert_int_equal(maps.count, 0);
}

static void
should_parse_a_maps_text_without_a_final_newline(void **state)
{
	struct maps maps;
	const char *why = NULL;
	size_t len, bad_line = 99;
	char *text = text_new(
	    "55ae33ef0000-55ae33f11000 rw-p 00000000 00:00 0      [heap]\n"
	    PREFIX PAD "/usr/lib/x.so", &len);

	(void)state;
	assert_int_equal(maps_parse(&maps, text, len, &bad_line, &why), 0);
	assert_int_equal(maps.count, 2);
	assert_name(&maps.entries[0], "[heap]", 6);
	assert_name(&maps.entries[1], "/usr/lib/x.so", 13);
	maps_free(&maps);
}

static void
should_parse_an_empty_maps_text_as_no_mappings(void **state)
{
	struct maps maps;
	const char *why = NULL;
	size_t len, bad_line = 99;
	char *text = text_new("", &len);

	(void)state;
	assert_int_equal(maps_parse(&maps, text, len, &bad_line, &why), 0);
	assert_int_equal(maps.count, 0);
	assert_int_equal(maps.text_len, 0);
	maps_free(&maps);
}

/* Line k (1-based) of a three-line text is bad: maps_parse must say so. */
static void
assert_bad_line_reported(const char *bad, size_t k, const char *reason,
    bool final_newline)
{
	static const char good[] =
	    "7f19daf1d000-7f19dafe1000 rw-p 00000000 00:00 0 ";
	char joined[512];
	struct maps maps;
	const char *why = NULL;
	size_t len, bad_line = 99, i;
	char *text;

	joined[0] = '\0';
	for (i = 1; i <= 3; i++) {
		strcat(joined, i == k ? bad : good);
		if (i < 3 || final_newline)
			strcat(joined, "\n");
	}
	text = text_new(joined, &len);
	errno = 0;
	if (maps_parse(&maps, text, len, &bad_line, &why) != -1)
		fail_msg("accepted \"%s\" on line %zu", bad, k);
	if (bad_line != k)
		fail_msg("\"%s\" on line %zu reported on line %zu", bad, k,
		    bad_line);
	if (why == NULL || strcmp(why, reason) != 0)
		fail_msg("\"%s\": reason \"%s\", expected \"%s\"", bad,
		    why == NULL ? "(null)" : why, reason);
	assert_int_equal(errno, EINVAL);
	/* The text has been freed and the maps left empty. */
	assert_null(maps.text);
	assert_null(maps.entries);
	assert_int_equal(maps.count, 0);
}

static void
should_report_the_line_number_and_reason_of_every_malformed_line(void **state)
{
	static const struct {
		const char *line;
		const char *reason;
	} bad[] = {
		{ "7f00 7f01 r--p 00000000 00:00 0", "bad start address" },
		{ "7f01-7f00 r--p 00000000 00:00 0",
		    "end address not above start" },
		{ "7f00-7f01 rwzp 00000000 00:00 0", "bad permissions" },
		{ "10000000000000000-20000000000000000 r--p 00000000 00:00 0",
		    "bad start address" },
		{ "7f00-7f01 r--p", "bad offset" },
		{ "7f00-7f01 r--p 00000000 fe-00 0", "bad device" },
		{ "7f00-7f01 r--p 00000000 fe:00 abc", "bad inode" },
		{ "", "bad start address" },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (k = 1; k <= 3; k++) {
			assert_bad_line_reported(bad[i].line, k, bad[i].reason,
			    true);
			/* An empty last line without newline is no line. */
			if (!(k == 3 && bad[i].line[0] == '\0'))
				assert_bad_line_reported(bad[i].line, k,
				    bad[i].reason, false);
		}
}

static void
should_reject_a_blank_line_at_the_end(void **state)
{
	struct maps maps;
	const char *why = NULL;
	size_t len, bad_line = 99;
	char *text = text_new(PREFIX " /x\n\n", &len);

	(void)state;
	assert_int_equal(maps_parse(&maps, text, len, &bad_line, &why), -1);
	assert_int_equal(bad_line, 2);
	assert_string_equal(why, "bad start address");
}

/* A maps text of n lines, each naming its own number. */
static char *
many_lines(size_t n, size_t *len)
{
	size_t cap = n * 128 + 1, used = 0, i;
	char *text = malloc(cap);

	assert_non_null(text);
	for (i = 0; i < n; i++) {
		int w = snprintf(text + used, cap - used,
		    "%012llx-%012llx r-xp %08llx 08:%02x %zu"
		    "                    /lib/line %zu.so\n",
		    (unsigned long long)(0x100000000ULL + i * 0x2000),
		    (unsigned long long)(0x100000000ULL + i * 0x2000 + 0x1000),
		    (unsigned long long)(i * 0x1000), (unsigned int)(i % 256),
		    i + 1, i);
		assert_true(w > 0 && (size_t)w < cap - used);
		used += (size_t)w;
	}
	*len = used;
	return text;
}

static void
assert_many_lines(const struct maps *maps, size_t n)
{
	char name[64];
	size_t i;

	assert_int_equal(maps->count, n);
	for (i = 0; i < n; i++) {
		const struct maps_entry *e = &maps->entries[i];
		int w = snprintf(name, sizeof(name), "/lib/line %zu.so", i);
		assert_int_equal(e->start, 0x100000000ULL + i * 0x2000);
		assert_int_equal(e->end, 0x100000000ULL + i * 0x2000 + 0x1000);
		assert_int_equal(e->offset, i * 0x1000);
		assert_int_equal(e->dev_major, 8);
		assert_int_equal(e->dev_minor, i % 256);
		assert_int_equal(e->inode, i + 1);
		assert_name(e, name, (size_t)w);
	}
}

static void
should_parse_many_lines(void **state)
{
	struct maps maps;
	const char *why = NULL;
	size_t len, bad_line = 99;
	char *text = many_lines(20000, &len);

	(void)state;
	assert_int_equal(maps_parse(&maps, text, len, &bad_line, &why), 0);
	assert_many_lines(&maps, 20000);
	maps_free(&maps);
}

/* Writes len bytes of data to a pipe from a child; returns the read end. */
static int
pipe_from_child(const char *data, size_t len, pid_t *child)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	*child = fork();
	assert_true(*child >= 0);
	if (*child == 0) {
		size_t done = 0, chunk = 1000;
		close(fds[0]);
		/* Odd-sized writes, so reads see many boundaries. */
		while (done < len) {
			size_t n = len - done < chunk ? len - done : chunk;
			ssize_t w = write(fds[1], data + done, n);
			if (w < 0)
				_exit(1);
			done += (size_t)w;
			chunk = chunk * 3 % 7919 + 1;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

static void
reap(pid_t child)
{
	int status;

	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
should_slurp_more_than_64_kib_from_a_pipe(void **state)
{
	size_t len, got_len = 0, bad_line;
	char *text = many_lines(10000, &len), *got = NULL;
	const char *why = NULL;
	struct maps maps;
	pid_t child;
	int fd;

	(void)state;
	assert_true(len > 4 * 64 * 1024);
	fd = pipe_from_child(text, len, &child);
	assert_int_equal(maps_slurp(fd, &got, &got_len), 0);
	close(fd);
	reap(child);
	assert_int_equal(got_len, len);
	assert_memory_equal(got, text, len);
	free(text);
	/* The spare byte is there for maps_parse to use. */
	assert_int_equal(maps_parse(&maps, got, got_len, &bad_line, &why), 0);
	assert_many_lines(&maps, 10000);
	maps_free(&maps);
}

static void
should_slurp_an_empty_pipe_as_an_empty_text(void **state)
{
	char *text = NULL;
	size_t len = 99;
	pid_t child;
	int fd;

	(void)state;
	fd = pipe_from_child("", 0, &child);
	assert_int_equal(maps_slurp(fd, &text, &len), 0);
	close(fd);
	reap(child);
	assert_int_equal(len, 0);
	assert_non_null(text);
	text[0] = '\0';		/* the spare byte */
	free(text);
}

static void
should_slurp_a_memfd_of_every_size_around_the_buffer_size(void **state)
{
	static const size_t sizes[] = {
		1, 4095, 65534, 65535, 65536, 65537, 131070, 131071, 131072,
		131073, 262143, 1 << 20,
	};
	size_t max = 1 << 20, i, k, len;
	char *data = malloc(max), *text;
	int fd;

	(void)state;
	assert_non_null(data);
	for (k = 0; k < max; k++)
		data[k] = (char)(k * 131 % 251 + 1);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fd = memfd_create("maps", MFD_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, data, sizes[i]), sizes[i]);
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		text = NULL;
		len = 0;
		assert_int_equal(maps_slurp(fd, &text, &len), 0);
		close(fd);
		assert_int_equal(len, sizes[i]);
		assert_memory_equal(text, data, len);
		text[len] = '\0';	/* the spare byte */
		free(text);
	}
	free(data);
}

static void
should_fail_to_slurp_a_bad_descriptor(void **state)
{
	char *text = NULL;
	size_t len = 0;

	(void)state;
	errno = 0;
	assert_int_equal(maps_slurp(-1, &text, &len), -1);
	assert_int_equal(errno, EBADF);
}

static void
should_parse_our_own_maps(void **state)
{
	struct maps maps;
	const char *why = NULL;
	size_t len, bad_line = 0, i;
	char *text;
	bool heap_or_stack = false;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(maps_slurp(fd, &text, &len), 0);
	close(fd);
	if (maps_parse(&maps, text, len, &bad_line, &why) != 0)
		fail_msg("/proc/self/maps line %zu: %s", bad_line, why);
	assert_true(maps.count > 0);
	for (i = 0; i < maps.count; i++) {
		assert_true(maps.entries[i].end > maps.entries[i].start);
		if (strcmp(maps.entries[i].name, "[stack]") == 0 ||
		    strcmp(maps.entries[i].name, "[heap]") == 0)
			heap_or_stack = true;
	}
	assert_true(heap_or_stack);
	maps_free(&maps);
}

static void
should_parse_an_anon_name_set_by_prctl(void **state)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, (size_t)ps * 2, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct maps maps;
	const char *why = NULL;
	size_t len, bad_line = 0, i;
	char *text;
	bool found = false;
	int fd;

	(void)state;
	assert_true(p != MAP_FAILED);
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p,
	    (unsigned long)ps * 2, (unsigned long)"some name") != 0) {
		munmap(p, (size_t)ps * 2);
		tl_skip("prctl(PR_SET_VMA_ANON_NAME) failed: a kernel "
		    "without CONFIG_ANON_VMA_NAME");
	}
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(maps_slurp(fd, &text, &len), 0);
	close(fd);
	if (maps_parse(&maps, text, len, &bad_line, &why) != 0)
		fail_msg("/proc/self/maps line %zu: %s", bad_line, why);
	for (i = 0; i < maps.count; i++)
		if (maps.entries[i].start == (uintptr_t)p) {
			assert_int_equal(maps.entries[i].end,
			    (uintptr_t)p + (uint64_t)ps * 2);
			assert_name(&maps.entries[i], "[anon:some name]", 16);
			found = true;
		}
	assert_true(found);
	maps_free(&maps);
	munmap(p, (size_t)ps * 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_parse_every_field_of_an_ordinary_file_line),
		cmocka_unit_test(should_keep_spaces_in_names),
		cmocka_unit_test(should_keep_tabs_in_names),
		cmocka_unit_test(should_keep_the_kernels_newline_escape_as_four_characters),
		cmocka_unit_test(should_keep_the_deleted_suffix_in_the_name),
		cmocka_unit_test(should_parse_the_heap_and_the_stack),
		cmocka_unit_test(should_parse_vsyscall_above_the_task_size),
		cmocka_unit_test(should_keep_spaces_in_anon_names),
		cmocka_unit_test(should_parse_anon_shmem_names),
		cmocka_unit_test(should_give_anonymous_memory_an_empty_name_without_padding),
		cmocka_unit_test(should_give_anonymous_memory_an_empty_name_with_padding),
		cmocka_unit_test(should_parse_a_name_of_5000_bytes),
		cmocka_unit_test(should_parse_the_largest_values_of_every_field),
		cmocka_unit_test(should_parse_a_mapping_at_address_zero),
		cmocka_unit_test(should_reject_a_line_without_a_dash),
		cmocka_unit_test(should_reject_an_end_not_above_the_start),
		cmocka_unit_test(should_reject_bad_permissions),
		cmocka_unit_test(should_reject_17_hex_digits_as_overflow),
		cmocka_unit_test(should_reject_lines_with_missing_fields),
		cmocka_unit_test(should_reject_a_bad_device),
		cmocka_unit_test(should_reject_a_non_numeric_inode),
		cmocka_unit_test(should_reject_an_inode_beyond_64_bits),
		cmocka_unit_test(should_reject_an_empty_line),
		cmocka_unit_test(should_reject_a_nul_byte_in_the_name),
		cmocka_unit_test(should_parse_every_line_of_a_maps_text),
		cmocka_unit_test(should_parse_a_maps_text_without_a_final_newline),
		cmocka_unit_test(should_parse_an_empty_maps_text_as_no_mappings),
		cmocka_unit_test(should_report_the_line_number_and_reason_of_every_malformed_line),
		cmocka_unit_test(should_reject_a_blank_line_at_the_end),
		cmocka_unit_test(should_parse_many_lines),
		cmocka_unit_test(should_slurp_more_than_64_kib_from_a_pipe),
		cmocka_unit_test(should_slurp_an_empty_pipe_as_an_empty_text),
		cmocka_unit_test(should_slurp_a_memfd_of_every_size_around_the_buffer_size),
		cmocka_unit_test(should_fail_to_slurp_a_bad_descriptor),
		cmocka_unit_test(should_parse_our_own_maps),
		cmocka_unit_test(
		    should_drop_overlapping_and_repeated_lines_of_a_racing_read),
		cmocka_unit_test(should_take_touching_mappings_as_ordered),
		cmocka_unit_test(should_parse_an_anon_name_set_by_prctl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
