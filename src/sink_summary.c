/*
 * sink_summary: --summary, one row per mapping with selected pages and a
 * total per process, counted as smaps counts (summary.c).
 */
#include "sink.h"

#include <err.h>
#include <stdlib.h>

#include "column.h"
#include "summary.h"

struct summary_sink {
	struct sink_context c;
	struct summary counts;
	bool pss;		/* map counts come with the pages */
	struct format_summary sum;	/* the mapping's, so far */
	struct format_summary total;	/* the process's */
};

static void *
sink_open(const struct sink_context *c)
{
	struct summary_sink *s = calloc(1, sizeof(*s));
	unsigned have = c->several_pids ? SUMMARY_PID : 0;

	if (s == NULL)
		return NULL;
	s->c = *c;
	s->pss = (c->have & PAGE_FACT_COUNT) != 0;
	if (!s->pss)
		warnx("pss-kib and uss-kib left out of the summary: they need "
		    "/proc/kpagecount and the PFNs (run as root)");
	have |= s->pss ? SUMMARY_PSS : 0;
	have |= s->pss && c->kflags_fd >= 0 ? SUMMARY_PSS_CLASS : 0;
	have |= c->have & PAGE_FACT_REGION ? SUMMARY_SCAN : 0;
	format_set_summary(c->format, have);
	if (summary_init(&s->counts, c->page_size, s->pss ? c->kflags_fd :
	    -1) != 0) {
		summary_free(&s->counts);
		free(s);
		return NULL;
	}
	return s;
}

static int
sink_header(void *p)
{
	struct summary_sink *s = p;

	return format_summary_header(s->c.format, s->c.out);
}

/*
 * A process that may map KSM pages needs the flags of every page (KSM
 * pages are told by them alone): asked for when its ksm_stat says it
 * merged some, or there is none to say.
 */
static enum dump_status
sink_begin_process(void *p, int pid, int dirfd, unsigned *per_page)
{
	struct summary_sink *s = p;

	s->total = (struct format_summary){ .pid = pid,
	    .page_size = s->c.page_size };
	s->sum = s->total;
	summary_begin_process(&s->counts);
	*per_page = 0;
	if (s->pss && s->c.kflags_fd >= 0 &&
	    (dirfd < 0 || summary_may_have_ksm(dirfd)))
		*per_page = PAGE_FACT_KFLAGS | PAGE_FACT_COUNT;
	return DUMP_OK;
}

/* Ends the mapping at hand: its row, and its share of the total. */
static enum dump_status
end_mapping(struct summary_sink *s)
{
	if (s->sum.map == NULL || s->sum.pages == 0)
		return DUMP_OK;
	summary_add(&s->total, &s->sum);
	if (format_summary_row(s->c.format, s->c.out, &s->sum) != 0)
		return DUMP_OUTPUT_ERROR;
	return DUMP_OK;
}

static enum dump_status
sink_begin_mapping(void *p, const struct maps_entry *m)
{
	struct summary_sink *s = p;

	if (end_mapping(s) != DUMP_OK)
		return DUMP_OUTPUT_ERROR;
	s->sum = (struct format_summary){ .map = m, .pid = s->total.pid,
	    .page_size = s->c.page_size };
	summary_begin_mapping(&s->counts, m);
	if (format_set_mapping(s->c.format, m) != 0) {
		warn("pid %d", s->total.pid);
		return DUMP_FAILED;
	}
	return DUMP_OK;
}

static enum dump_status
sink_pages(void *p, const struct page_batch *b)
{
	struct summary_sink *s = p;

	summary_count(&s->counts, &s->sum, b, s->pss);
	return DUMP_OK;
}

/* The last mapping's row, and with the pages complete, the total. */
static enum dump_status
sink_end_process(void *p, bool complete)
{
	struct summary_sink *s = p;

	if (end_mapping(s) != DUMP_OK)
		return DUMP_OUTPUT_ERROR;
	s->sum.map = NULL;
	if (complete && format_summary_row(s->c.format, s->c.out,
	    &s->total) != 0)
		return DUMP_OUTPUT_ERROR;
	return DUMP_OK;
}

static void
sink_close(void *p)
{
	struct summary_sink *s = p;

	summary_free(&s->counts);
	free(s);
}

const struct sink_ops sink_summary = {
	.name = "summary",
	.letter = 's',
	.option = "summary",
	.help = "one row per mapping, and a total",
	.own_columns = true,
	.wants = PAGE_FACT_COUNT | PAGE_FACT_REGION,
	.wants_kflags_file = true,
	.takes_empty_runs = true,
	.open = sink_open,
	.header = sink_header,
	.begin_process = sink_begin_process,
	.begin_mapping = sink_begin_mapping,
	.pages = sink_pages,
	.end_process = sink_end_process,
	.close = sink_close,
};
