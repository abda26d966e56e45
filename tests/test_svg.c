/*
 * test_svg: --svg. Every picture is checked by a strict XML reader of
 * this file's own (itself tested to refuse what is not well-formed):
 * the bands of a child with known mappings, their cells by colour, a
 * mapping whose file name is hostile (<, &, quotes, a control byte), and
 * the whole machine; and a picture rendered by rsvg-convert when it is
 * installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "xml.h"

#define PRESENT "#2e7d32"
#define EMPTY "#eeeeee"

static void
should_refuse_what_is_not_well_formed(void **state)
{
	const char *decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
	const char *bad[] = { "<a><b></a></b>", "<a x=\"1\" x=\"2\"/>",
	    "<a>1 & 2</a>", "<a>\x01</a>", "<a x=1/>", "<a x=\"<\"/>",
	    "<a/><b/>", "<a>", "<a>&bogus;</a>" };
	char doc[256];
	size_t i;

	(void)state;
	snprintf(doc, sizeof(doc), "%s<svg a=\"&amp;&#60;&#x3e;\"><g>"
	    "&lt;x&gt;</g><r/></svg>\n", decl);
	assert_null(xml_problem(doc));
	assert_non_null(xml_problem("<svg/>"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(doc, sizeof(doc), "%s%s", decl, bad[i]);
		if (xml_problem(doc) == NULL)
			fail_msg("took '%s' as well-formed", bad[i]);
	}
}

/* ---- pictures of known children ---- */

/* Runs --svg - with args; the picture, checked well-formed. */
static char *
picture(const char *const *args)
{
	const char *argv[8] = { "--svg", "-" };
	struct tl_run r;
	const char *why;
	char *out;
	int i;

	for (i = 0; args[i] != NULL && i < 5; i++)
		argv[2 + i] = args[i];
	argv[2 + i] = NULL;
	tl_run(&r, NULL, argv);
	tl_assert_ran_ok(&r);
	why = xml_problem(r.out);
	if (why != NULL)
		fail_msg("not well-formed XML: %s", why);
	assert_non_null(strstr(r.out, "<svg xmlns=\"http://www.w3.org/2000/"
	    "svg\" version=\"1.1\" "));
	out = r.out;
	r.out = NULL;
	tl_run_free(&r);
	return out;
}

/* The pixels of cells of fill colour in the band of the mapping at addr. */
static long
band_width(const char *svg, const char *pid, uintptr_t addr,
    const char *colour)
{
	char id[96], want[32];
	const char *p, *end;
	long w = 0;

	snprintf(id, sizeof(id), "<g id=\"m-%s-%" PRIxPTR "\">", pid, addr);
	p = strstr(svg, id);
	if (p == NULL)
		fail_msg("no band %s", id);
	end = strstr(p, "</g>");
	snprintf(want, sizeof(want), "fill=\"%s\"", colour);
	while ((p = strstr(p, "<rect ")) != NULL && p < end) {
		const char *f = strstr(p, want), *wd = strstr(p, "width=\"");
		const char *close = strchr(p, '>');
		if (f != NULL && f < close)
			w += strtol(wd + 7, NULL, 10);
		p = close;
	}
	return w;
}

static void
should_draw_a_band_per_mapping_with_cells_by_state(void **state)
{
	const struct tl_map t[] = {
		{ TL_ANON, 16, 0, TL_ISOLATED, 0, "all", NULL, NULL },
		{ TL_ANON, 16, 0, TL_ISOLATED, 0, "0-7", NULL, NULL },
		{ TL_ANON, 1000, 0, TL_ISOLATED, 0, "0-499", NULL, NULL },
	};
	struct tl_child c;
	char *svg;

	(void)state;
	tl_child_start(&c, t, 3, 0);
	svg = picture((const char *const[]){ c.arg, NULL });
	/* One cell of 3 pixels a page, up to 256 cells a band. */
	assert_int_equal(band_width(svg, c.arg, c.map[0].addr, PRESENT), 48);
	assert_int_equal(band_width(svg, c.arg, c.map[0].addr, EMPTY), 0);
	assert_int_equal(band_width(svg, c.arg, c.map[1].addr, PRESENT), 24);
	assert_int_equal(band_width(svg, c.arg, c.map[1].addr, EMPTY), 24);
	assert_int_equal(band_width(svg, c.arg, c.map[2].addr, PRESENT),
	    128 * 3);
	assert_int_equal(band_width(svg, c.arg, c.map[2].addr, EMPTY),
	    128 * 3);
	/* The isolated mappings are apart: holes are labelled. */
	assert_non_null(strstr(svg, "class=\"hole\">hole "));
	free(svg);
	tl_child_stop(&c);
}

static void
should_escape_a_hostile_name(void **state)
{
	const struct tl_map t[] = {
		{ TL_FILE, 2, 0, 0, 0, "all", NULL,
		    "/tmp/pagemap-dump svg <&\"'\x01.bin" },
	};
	struct tl_child c;
	char *svg;

	(void)state;
	tl_child_start(&c, t, 1, 0);
	svg = picture((const char *const[]){ "-m", "pagemap-dump svg",
	    c.arg, NULL });
	assert_non_null(strstr(svg, ">/tmp/pagemap-dump svg "
	    "&lt;&amp;&quot;&apos;\\001.bin</text>"));
	free(svg);
	tl_child_stop(&c);
}

static void
should_draw_the_whole_machine_well_formed(void **state)
{
	struct tl_run r;
	const char *why;

	(void)state;
	tl_runl(&r, "--svg", "-", "-A");
	tl_assert_not_killed(r.status, "-A --svg", r.err);
	assert_int_equal(tl_exit_code(&r), 0);
	why = xml_problem(r.out);
	if (why != NULL)
		fail_msg("-A --svg: not well-formed XML: %s", why);
	tl_run_free(&r);
}

static void
should_render_with_an_image_converter(void **state)
{
	const struct tl_map t[] = {
		{ TL_ANON, 64, 0, TL_ISOLATED, 0, "/3", NULL, NULL },
	};
	char dir[] = "/tmp/pagemap-dump-svg.XXXXXX", svg[96];
	struct tl_child c;
	struct tl_run r;

	(void)state;
	if (!xml_can_render())
		tl_skip("no rsvg-convert (Debian's librsvg2-bin): the picture "
		    "is not rendered");
	assert_non_null(mkdtemp(dir));
	snprintf(svg, sizeof(svg), "%s/p.svg", dir);
	tl_child_start(&c, t, 1, 0);
	tl_runl(&r, "--svg", svg, c.arg);
	tl_assert_ran_ok(&r);
	assert_string_equal(r.out, "");
	tl_run_free(&r);
	assert_true(xml_renders(svg));
	unlink(svg);
	rmdir(dir);
	tl_child_stop(&c);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_refuse_what_is_not_well_formed),
		cmocka_unit_test(
		    should_draw_a_band_per_mapping_with_cells_by_state),
		cmocka_unit_test(should_escape_a_hostile_name),
		cmocka_unit_test(should_draw_the_whole_machine_well_formed),
		cmocka_unit_test(should_render_with_an_image_converter),
	};

	tl_child_main(argc, argv);
	if (tl_check_tool("test_svg") != 0)
		return 1;
	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
