/*
 * sink: the registry of views. A new view is a file of its own (its
 * sink_ops) and one line here; options and --help go by this list.
 */
#include "sink.h"

#include <stddef.h>

const struct sink_ops *const sink_registry[] = {
	&sink_rows,
	&sink_summary,
	&sink_ranges,
	&sink_bars,
	NULL,
};
