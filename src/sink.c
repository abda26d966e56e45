/*
 * sink: the registry of views. A new view is a file of its own (its
 * sink_ops) and one line here; options and --help go by this list. And
 * what several sinks write alike: a process's command name, a size.
 */
#include "sink.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const struct sink_ops *const sink_registry[] = {
	&sink_rows,
	&sink_summary,
	&sink_ranges,
	&sink_bars,
	NULL,
};

void
sink_comm(const struct sink_process *p, char *dst, size_t len)
{
	int fd;
	ssize_t n = 0;

	if (p->comm != NULL) {	/* captured */
		snprintf(dst, len, "%s", p->comm);
		return;
	}
	fd = p->dirfd >= 0 ? openat(p->dirfd, "comm", O_RDONLY | O_CLOEXEC) :
	    -1;
	if (fd >= 0) {
		n = read(fd, dst, len - 1);
		close(fd);
	}
	dst[n > 0 ? n : 0] = '\0';
	dst[strcspn(dst, "\n")] = '\0';
}

void
sink_size(char *dst, size_t len, uint64_t bytes)
{
	static const char unit[] = "KMGTPE";
	double v = (double)bytes / 1024;
	int u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(dst, len, v < 10 && v != (double)(uint64_t)v ? "%.1f%c" :
	    "%.0f%c", v, unit[u]);
}
