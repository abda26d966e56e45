/*
 * test_bars: --bars. The cells of bars.c and the widths of term.c on
 * synthetic input; then exact bars of children with known layouts (all
 * present, a hole, half in swap, a THP), of guard markers in this
 * process, widths from COLUMNS and from a terminal's TIOCGWINSZ, colour
 * only where it is asked and allowed, and a pid column for several pids.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <inttypes.h>
#include <pty.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include "bars.h"
#include "escape.h"
#include "term.h"
#include "testlib.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

static long page;

/* ---- cells, on synthetic counts ---- */

static void
should_tell_each_state_of_a_cell(void **state)
{
	struct bar_cell all = { 4, 4, 0, 0, 0 }, part = { 4, 1, 2, 0, 0 };
	struct bar_cell huge = { 4, 4, 0, 3, 0 }, mixed = { 4, 4, 0, 2, 0 };
	struct bar_cell swap = { 4, 0, 1, 0, 1 }, guard = { 4, 0, 0, 0, 1 };
	struct bar_cell none = { 4, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(bar_state_of(&all), BAR_PRESENT);
	assert_int_equal(bar_state_of(&part), BAR_PARTLY);
	assert_int_equal(bar_state_of(&huge), BAR_HUGE);
	assert_int_equal(bar_state_of(&mixed), BAR_PRESENT);
	assert_int_equal(bar_state_of(&swap), BAR_SWAPPED);
	assert_int_equal(bar_state_of(&guard), BAR_GUARD);
	assert_int_equal(bar_state_of(&none), BAR_EMPTY);
}

static void
should_share_pages_equally_among_cells(void **state)
{
	size_t count[48] = { 0 }, i;
	uint64_t k;

	(void)state;
	assert_int_equal(bar_cells(5, 48), 5);
	assert_int_equal(bar_cells(1000, 48), 48);
	for (k = 0; k < 1000; k++)
		count[bar_cell_of(k, 1000, 48)]++;
	for (i = 0; i < 48; i++)
		assert_true(count[i] == 20 || count[i] == 21);
	assert_int_equal(bar_cell_of(499, 1000, 48), 23);
	assert_int_equal(bar_cell_of(500, 1000, 48), 24);
	assert_int_equal(bar_cell_of(999, 1000, 48), 47);
}

static void
should_draw_ascii_blocks_and_colours(void **state)
{
	struct bar_cell c[3] = { { 8, 8, 0, 0, 0 }, { 8, 4, 0, 0, 0 },
	    { 8, 0, 0, 0, 0 } };
	char buf[3 * BAR_CELL_MAX + BAR_CELL_MAX];
	size_t n;

	(void)state;
	n = bar_draw(buf, c, 3, false, false);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "#o.", 3);
	n = bar_draw(buf, c, 3, true, false);
	buf[n] = '\0';
	/* A full block, four eighths, and a blank. */
	assert_string_equal(buf, "\xe2\x96\x88\xe2\x96\x84 ");
	n = bar_draw(buf, c, 3, false, true);
	buf[n] = '\0';
	assert_string_equal(buf, "\033[32m#\033[36mo\033[0m.");
	assert_non_null(strstr(bar_legend(false), "# present"));
}

static void
should_take_the_width_from_columns_only_when_it_is_a_number(void **state)
{
	(void)state;
	assert_int_equal(term_columns("132"), 132);
	assert_int_equal(term_columns(""), 0);
	assert_int_equal(term_columns(NULL), 0);
	assert_int_equal(term_columns("-5"), 0);
	assert_int_equal(term_columns("80x"), 0);
	assert_int_equal(term_columns("99999999999999999999"),
	    TERM_WIDTH_MAX);
}

/* ---- the tool on known memory ---- */

/*
 * The line of the mapping at addr in out: with pid, the line of that
 * pid's (after its pid column); else one without a pid column.
 */
static const char *
line_of(const char *out, uintptr_t addr, const char *pid)
{
	char want[64];
	const char *p = out;
	size_t n;

	if (pid != NULL) {
		n = (size_t)snprintf(want, sizeof(want), "%-7s ", pid);
		snprintf(want + n, sizeof(want) - n, "%-12" PRIxPTR " ", addr);
	} else {
		snprintf(want, sizeof(want), "%-12" PRIxPTR " ", addr);
	}
	for (; p != NULL && *p != '\0'; p = strchr(p, '\n'), p += p != NULL)
		if (tl_starts_with(p, want))
			return p;
	return NULL;
}

/* The cells of the line's bar, between [ and ], in buf. */
static const char *
bar_of(const char *line, char *buf, size_t len)
{
	const char *a = strchr(line, '['), *b;

	assert_non_null(a);
	b = strchr(a, ']');
	assert_non_null(b);
	assert_true((size_t)(b - a - 1) < len);
	memcpy(buf, a + 1, (size_t)(b - a - 1));
	buf[b - a - 1] = '\0';
	return buf;
}

/* Runs --bars on pid with env and extra arguments; the bar at addr. */
static void
bar_at(const char *pid, uintptr_t addr, const char *const *env,
    const char *extra, char *buf, size_t len)
{
	struct tl_run r;
	const char *line;

	tl_run(&r, env, (const char *const[]){ "--bars", pid, extra, NULL });
	tl_assert_ran_ok(&r);
	line = line_of(r.out, addr, NULL);
	if (line == NULL)
		fail_msg("no line for %" PRIxPTR " in:\n%s", addr, r.out);
	bar_of(line, buf, len);
	tl_run_free(&r);
}

static void
should_draw_a_cell_per_page_of_a_small_mapping(void **state)
{
	const struct tl_map t[] = {
		{ TL_ANON, 16, 0, TL_ISOLATED, 0, "all", NULL, NULL },
		{ TL_ANON, 16, 0, TL_ISOLATED, 0, "0-7", NULL, NULL },
		{ TL_ANON, 16, 0, TL_ISOLATED, 0, "0,5,15", NULL, NULL },
	};
	struct tl_child c;
	char bar[256];

	(void)state;
	tl_child_start(&c, t, 3, 0);
	bar_at(c.arg, c.map[0].addr, NULL, NULL, bar, sizeof(bar));
	assert_string_equal(bar, "################");
	bar_at(c.arg, c.map[1].addr, NULL, NULL, bar, sizeof(bar));
	assert_string_equal(bar, "########........");
	bar_at(c.arg, c.map[2].addr, NULL, NULL, bar, sizeof(bar));
	assert_string_equal(bar, "#....#.........#");
	tl_child_stop(&c);
}

/* The cells a bar gets on a line of width columns, for the child's names. */
static size_t
cells_for(pid_t pid, size_t width)
{
	char path[64], line[8192], *name;
	char esc[ESCAPE_TEXT_MAX(24)];
	size_t names = 1, n;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		name = line;
		for (int f = 0; f < 5 && name != NULL; f++)
			name = strchr(name, ' ') ? strchr(name, ' ') + 1 : NULL;
		while (name != NULL && *name == ' ')
			name++;
		n = name == NULL || *name == '\0' ? 1 : strlen(name);
		n = n < 24 ? escape_text(esc, name, n) : 24;
		names = n > names ? (n < 24 ? n : 24) : names;
	}
	fclose(fp);
	return width - 25 - 3 - names;
}

static void
should_share_a_large_mapping_among_the_cells_of_the_width(void **state)
{
	const struct tl_map t[] = {
		{ TL_ANON, 1000, 0, TL_ISOLATED, 0, "0-499", NULL, NULL },
	};
	const char *const env[] = { "COLUMNS=100", NULL };
	struct tl_child c;
	char bar[256], want[256];
	size_t cells, half;

	(void)state;
	tl_child_start(&c, t, 1, 0);
	cells = cells_for(c.pid, 100);
	bar_at(c.arg, c.map[0].addr, env, NULL, bar, sizeof(bar));
	assert_int_equal(strlen(bar), cells);
	/* Cells 0..k-1 hold pages below 500 alone, k the boundary. */
	half = (500 * cells + 999) / 1000;
	memset(want, '#', cells);
	memset(want + half, '.', cells - half);
	if (500 * cells % 1000 != 0)
		want[half - 1] = 'o';
	want[cells] = '\0';
	assert_string_equal(bar, want);
	tl_child_stop(&c);
}

static void
should_show_pages_in_swap(void **state)
{
	const struct tl_map t[] = {
		{ TL_ANON, 16, 0, TL_ISOLATED, 0, "all", "8-15", NULL },
	};
	struct tl_child c;
	char bar[256];

	(void)state;
	tl_require_swap();
	tl_child_start(&c, t, 1, 0);
	if (!c.map[0].pageout_ok) {
		tl_child_stop(&c);
		tl_skip("MADV_PAGEOUT refused: no page went to swap");
	}
	bar_at(c.arg, c.map[0].addr, NULL, NULL, bar, sizeof(bar));
	if (tl_smaps_kb(c.pid, c.map[0].addr, "Swap:") != 8 * page / 1024) {
		tl_child_stop(&c);
		tl_skip("the kernel kept some of the pages paged out in memory");
	}
	assert_string_equal(bar, "########ssssssss");
	tl_child_stop(&c);
}

static void
should_show_a_thp_as_huge(void **state)
{
	const struct tl_map t[] = {
		{ TL_ANON, 0, 0, TL_THP, 0, "all", NULL, NULL },
	};
	struct tl_map m = t[0];
	struct tl_child c;
	char bar[256], want[256];
	size_t n;

	(void)state;
	tl_require_thp();
	m.bytes = (size_t)tl_thp_size();
	tl_child_start(&c, &m, 1, 0);
	if (tl_smaps_kb(c.pid, c.map[0].addr, "AnonHugePages:") !=
	    (long)(m.bytes / 1024)) {
		tl_child_stop(&c);
		tl_skip("the kernel gave the child no huge page");
	}
	bar_at(c.arg, c.map[0].addr, (const char *const[]){ "COLUMNS=80",
	    NULL }, NULL, bar, sizeof(bar));
	n = strlen(bar);
	assert_true(n >= 8);
	memset(want, 'H', n);
	want[n] = '\0';
	assert_string_equal(bar, want);
	tl_child_stop(&c);
}

static void
should_show_guard_markers(void **state)
{
	char *p = mmap(NULL, 10 * (size_t)page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char bar[256], self[16];

	(void)state;
	assert_true(p != MAP_FAILED);
	/* Holes on both sides: no neighbour merges with it. */
	assert_int_equal(munmap(p, (size_t)page), 0);
	assert_int_equal(munmap(p + 9 * page, (size_t)page), 0);
	p += page;
	memset(p, 1, 4 * (size_t)page);
	if (madvise(p + 4 * page, 2 * (size_t)page, MADV_GUARD_INSTALL) != 0) {
		munmap(p, 8 * (size_t)page);
		tl_skip("no MADV_GUARD_INSTALL here (Linux 6.13+)");
	}
	snprintf(self, sizeof(self), "%d", (int)getpid());
	bar_at(self, (uintptr_t)p, NULL, NULL, bar, sizeof(bar));
	assert_string_equal(bar, "####gg..");
	munmap(p, 8 * (size_t)page);
}

/*
 * Runs --bars on the pages in range of pid, with stdout on a terminal of
 * cols columns; returns what it showed.
 */
static char *
on_terminal(const char *pid, const char *range, unsigned short cols,
    const char *const *env, const char *extra)
{
	struct winsize ws = { 24, cols, 0, 0 };
	struct termios raw;
	struct tl_how how = { .env = env };
	struct tl_run r;
	char *out = calloc(1, 1 << 16);
	size_t len = 0;
	ssize_t got;
	int master, slave;

	assert_non_null(out);
	assert_int_equal(openpty(&master, &slave, NULL, NULL, &ws), 0);
	assert_int_equal(tcgetattr(slave, &raw), 0);
	cfmakeraw(&raw);
	assert_int_equal(tcsetattr(slave, TCSANOW, &raw), 0);
	fcntl(master, F_SETFD, FD_CLOEXEC);
	fcntl(slave, F_SETFD, FD_CLOEXEC);
	how.out_fd = slave;
	/* A few lines: they fit the terminal's buffer while the tool runs. */
	tl_run_how(&r, &how, (const char *const[]){ "--bars", "-r", range,
	    pid, extra, NULL });
	tl_assert_ran_ok(&r);
	close(slave);
	fcntl(master, F_SETFL, O_NONBLOCK);
	/* Its end reads as EIO (the other side closed), or EAGAIN. */
	while (len + 1 < (1 << 16) &&
	    (got = read(master, out + len, (1 << 16) - 1 - len)) > 0)
		len += (size_t)got;
	out[len] = '\0';
	close(master);
	tl_run_free(&r);
	return out;
}

static void
should_follow_the_terminal_width_and_colour_only_on_a_terminal(void **state)
{
	const struct tl_map t[] = {
		{ TL_ANON, 1000, 0, TL_ISOLATED, 0, "all", NULL, NULL },
	};
	const char *const no_color[] = { "NO_COLOR=1", "COLUMNS=50", NULL };
	struct tl_child c;
	char *out, bar[512], range[64], want[512];
	const char *line;
	size_t cells;

	(void)state;
	tl_child_start(&c, t, 1, 0);
	snprintf(range, sizeof(range), "%" PRIxPTR "-%" PRIxPTR,
	    c.map[0].addr, c.map[0].addr + c.map[0].size);
	cells = cells_for(c.pid, 120);
	memset(want, '#', cells);
	want[cells] = '\0';
	/* TIOCGWINSZ, not COLUMNS: 120 cells wide; no colour unasked. */
	out = on_terminal(c.arg, range, 120, no_color + 1, NULL);
	line = line_of(out, c.map[0].addr, NULL);
	assert_non_null(line);
	assert_string_equal(bar_of(line, bar, sizeof(bar)), want);
	assert_null(strchr(out, '\033'));
	free(out);
	out = on_terminal(c.arg, range, 120, NULL, "--color");
	assert_non_null(strstr(out, "[\033[32m#"));
	free(out);
	out = on_terminal(c.arg, range, 120, no_color, "--color");
	assert_null(strchr(out, '\033'));
	free(out);
	tl_child_stop(&c);
}

static void
should_say_whose_bars_with_several_pids(void **state)
{
	const struct tl_map t[] = {
		{ TL_ANON, 4, 0, TL_ISOLATED, 0, "all", NULL, NULL },
	};
	struct tl_child a, b;
	struct tl_run r;
	const char *la, *lb;

	(void)state;
	tl_child_start(&a, t, 1, 0);
	tl_child_start(&b, t, 1, 0);
	tl_runl(&r, "--bars", "--color=always", a.arg, b.arg);
	tl_assert_ran_ok(&r);
	assert_true(tl_starts_with(r.out, "legend: "));
	assert_non_null(strstr(r.out, "\npid "));
	la = line_of(r.out, a.map[0].addr, a.arg);
	lb = line_of(r.out, b.map[0].addr, b.arg);
	assert_non_null(la);
	assert_non_null(lb);
	/* Colour forced: green cells, and the colour reset before ']'. */
	assert_non_null(strstr(la, "[\033[32m####\033[0m]"));
	tl_run_free(&r);
	tl_child_stop(&a);
	tl_child_stop(&b);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_tell_each_state_of_a_cell),
		cmocka_unit_test(should_share_pages_equally_among_cells),
		cmocka_unit_test(should_draw_ascii_blocks_and_colours),
		cmocka_unit_test(
		    should_take_the_width_from_columns_only_when_it_is_a_number),
		cmocka_unit_test(should_draw_a_cell_per_page_of_a_small_mapping),
		cmocka_unit_test(
		    should_share_a_large_mapping_among_the_cells_of_the_width),
		cmocka_unit_test(should_show_pages_in_swap),
		cmocka_unit_test(should_show_a_thp_as_huge),
		cmocka_unit_test(should_show_guard_markers),
		cmocka_unit_test(
		    should_follow_the_terminal_width_and_colour_only_on_a_terminal),
		cmocka_unit_test(should_say_whose_bars_with_several_pids),
	};

	tl_child_main(argc, argv);
	page = sysconf(_SC_PAGESIZE);
	if (tl_check_tool("test_bars") != 0)
		return 1;
	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
