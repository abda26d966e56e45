/*
 * state: captured memory, as text, and opened again as files. See state.h.
 */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "options.h"
#include "pagemap.h"

#define STATE_PAGE 4096
#define STATE_CHUNK 4096

static int
grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *g;

	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 256;
	g = realloc(*v, *cap * size);
	if (g == NULL)
		return -1;
	*v = g;
	return 0;
}

int
state_add_entry(struct state *s, uint64_t vpn, uint64_t raw)
{
	if (grow((void **)&s->entries, &s->entries_cap, s->nentries,
	    sizeof(*s->entries)) != 0)
		return -1;
	s->entries[s->nentries++] = (struct state_entry){ vpn, raw };
	return 0;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct state_entry *x = a, *y = b;

	return x->vpn < y->vpn ? -1 : x->vpn > y->vpn;
}

static int
cmp_u64(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Reads the value at index i of a /proc/kpage* file, or 0. */
static uint64_t
kpage_value(int fd, uint64_t i)
{
	uint64_t v = 0;

	if (fd < 0 || pread(fd, &v, 8, (off_t)(i * 8)) != 8)
		return 0;
	return v;
}

/* Reads the entries of every mapping; sets the task's end. */
static int
capture_entries(struct state *s, int pm, const struct maps *maps)
{
	uint64_t buf[STATE_CHUNK], vpn, end;
	long got;
	size_t i, k;

	for (i = 0; i < maps->count; i++) {
		end = maps->entries[i].end / STATE_PAGE;
		for (vpn = maps->entries[i].start / STATE_PAGE; vpn < end;
		    vpn += (uint64_t)got) {
			size_t want = end - vpn < STATE_CHUNK ?
			    (size_t)(end - vpn) : STATE_CHUNK;
			got = pagemap_read(pm, vpn, buf, want);
			if (got < 0)
				return -1;
			for (k = 0; k < (size_t)got; k++)
				if (buf[k] != 0 &&
				    state_add_entry(s, vpn + k, buf[k]) != 0)
					return -1;
			if (got > 0 && vpn + (uint64_t)got > s->task_end)
				s->task_end = vpn + (uint64_t)got;
			if ((size_t)got < want)
				break;	/* above the task's size */
		}
	}
	return 0;
}

/* Reads the kpage values of every distinct PFN the entries show. */
static int
capture_kpage(struct state *s)
{
	int fd[3] = {
		open("/proc/kpageflags", O_RDONLY | O_CLOEXEC),
		open("/proc/kpagecount", O_RDONLY | O_CLOEXEC),
		open("/proc/kpagecgroup", O_RDONLY | O_CLOEXEC),
	};
	uint64_t *pfns = malloc((s->nentries + 1) * sizeof(*pfns));
	size_t n = 0, i;

	if (pfns == NULL)
		return -1;
	s->has_cgroup = fd[2] >= 0;
	for (i = 0; i < s->nentries; i++)
		if ((s->entries[i].raw & PM_PRESENT) &&
		    (s->entries[i].raw & PM_PFN_MASK) != 0)
			pfns[n++] = s->entries[i].raw & PM_PFN_MASK;
	qsort(pfns, n, sizeof(*pfns), cmp_u64);
	s->kpage = calloc(n + 1, sizeof(*s->kpage));
	for (i = 0; s->kpage != NULL && i < n; i++) {
		if (i > 0 && pfns[i] == pfns[i - 1])
			continue;
		s->kpage[s->nkpage++] = (struct state_kpage){ pfns[i],
		    kpage_value(fd[0], pfns[i]), kpage_value(fd[1], pfns[i]),
		    kpage_value(fd[2], pfns[i]) };
	}
	free(pfns);
	for (i = 0; i < 3; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return s->kpage != NULL ? 0 : -1;
}

int
state_capture(struct state *s, pid_t pid)
{
	char path[64];
	struct maps maps;
	const char *why;
	size_t bad;
	char *text;
	int mfd, pm, rc = -1;

	memset(s, 0, sizeof(*s));
	s->pid = (int)pid;
	pagemap_swap_layout_detect(&s->layout);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	mfd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	if (mfd < 0 || pm < 0 || maps_slurp(mfd, &s->maps_text,
	    &s->maps_len) != 0) {
		perror(path);
		goto out;
	}
	text = malloc(s->maps_len + 1);
	if (text == NULL)
		goto out;
	memcpy(text, s->maps_text, s->maps_len);
	if (maps_parse(&maps, text, s->maps_len, &bad, &why) != 0) {
		fprintf(stderr, "state: maps line %zu: %s\n", bad, why);
		free(text);
		goto out;
	}
	rc = capture_entries(s, pm, &maps) == 0 && capture_kpage(s) == 0 ?
	    0 : -1;
	maps_free(&maps);
out:
	if (mfd >= 0)
		close(mfd);
	if (pm >= 0)
		close(pm);
	return rc;
}

int
state_write(const struct state *s, FILE *fp)
{
	size_t i;

	qsort(s->entries, s->nentries, sizeof(*s->entries), cmp_entry);
	fprintf(fp, "pagemap-dump-state 1\npid %d\nswap-layout %u %u %u %u\n"
	    "task-end %" PRIx64 "\nmaps %zu\n", s->pid,
	    s->layout.max_swapfiles, s->layout.nhwpoison,
	    s->layout.nmigration, s->layout.ndevice, s->task_end,
	    s->maps_len);
	fwrite(s->maps_text, 1, s->maps_len, fp);
	fprintf(fp, "entries %zu\n", s->nentries);
	for (i = 0; i < s->nentries; i++)
		fprintf(fp, "%" PRIx64 " %" PRIx64 "\n", s->entries[i].vpn,
		    s->entries[i].raw);
	fprintf(fp, "kpage %zu\n", s->nkpage);
	for (i = 0; i < s->nkpage; i++)
		fprintf(fp, "%" PRIx64 " %" PRIx64 " %" PRIu64 " %" PRIu64 "\n",
		    s->kpage[i].pfn, s->kpage[i].flags, s->kpage[i].count,
		    s->kpage[i].cgroup);
	fprintf(fp, "cgroup %d\n", s->has_cgroup);
	return ferror(fp) ? -1 : 0;
}

/* Reads the body of a state file after its maps text. */
static int
read_tables(struct state *s, FILE *fp)
{
	size_t i;
	int cg;

	if (fscanf(fp, "entries %zu\n", &s->nentries) != 1)
		return -1;
	s->entries = calloc(s->nentries + 1, sizeof(*s->entries));
	s->entries_cap = s->nentries + 1;
	for (i = 0; s->entries != NULL && i < s->nentries; i++)
		if (fscanf(fp, "%" SCNx64 " %" SCNx64 "\n", &s->entries[i].vpn,
		    &s->entries[i].raw) != 2)
			return -1;
	if (s->entries == NULL || fscanf(fp, "kpage %zu\n", &s->nkpage) != 1)
		return -1;
	s->kpage = calloc(s->nkpage + 1, sizeof(*s->kpage));
	for (i = 0; s->kpage != NULL && i < s->nkpage; i++)
		if (fscanf(fp, "%" SCNx64 " %" SCNx64 " %" SCNu64 " %" SCNu64
		    "\n", &s->kpage[i].pfn, &s->kpage[i].flags,
		    &s->kpage[i].count, &s->kpage[i].cgroup) != 4)
			return -1;
	if (s->kpage == NULL || fscanf(fp, "cgroup %d", &cg) != 1)
		return -1;
	s->has_cgroup = cg != 0;
	return 0;
}

int
state_read(struct state *s, const char *path)
{
	FILE *fp = fopen(path, "re");
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (fp == NULL) {
		perror(path);
		return -1;
	}
	if (fscanf(fp, "pagemap-dump-state 1\npid %d\nswap-layout %u %u %u "
	    "%u\ntask-end %" SCNx64 "\nmaps %zu", &s->pid,
	    &s->layout.max_swapfiles, &s->layout.nhwpoison,
	    &s->layout.nmigration, &s->layout.ndevice, &s->task_end,
	    &s->maps_len) == 7 && fgetc(fp) == '\n' &&
	    (s->maps_text = malloc(s->maps_len + 1)) != NULL &&
	    fread(s->maps_text, 1, s->maps_len, fp) == s->maps_len)
		rc = read_tables(s, fp);
	if (rc != 0)
		fprintf(stderr, "%s: not a state file\n", path);
	fclose(fp);
	return rc;
}

/* Creates file name in dir and writes 8-byte values at their indexes. */
static int
write_table(int dirfd, const char *name, uint64_t size,
    const uint64_t *index, const uint64_t *value, size_t n, size_t stride)
{
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600);
	size_t i;

	if (fd < 0 || ftruncate(fd, (off_t)size) != 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (pwrite(fd, &value[i * stride], 8,
		    (off_t)(index[i * stride] * 8)) != 8)
			goto fail;
	close(fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Writes the state's files into dirfd. */
static int
write_files(const struct state *s, int dirfd)
{
	const size_t es = sizeof(*s->entries) / 8, ks = sizeof(*s->kpage) / 8;
	uint64_t pfn_end = s->nkpage ? s->kpage[s->nkpage - 1].pfn + 1 : 1;
	const struct state_kpage *k = s->kpage;
	int fd = openat(dirfd, "maps", O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, s->maps_text, s->maps_len) !=
	    (ssize_t)s->maps_len) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (write_table(dirfd, "pagemap", s->task_end * 8, &s->entries[0].vpn,
	    &s->entries[0].raw, s->nentries, es) != 0 ||
	    write_table(dirfd, "kpageflags", pfn_end * 8, &k->pfn, &k->flags,
	    s->nkpage, ks) != 0 ||
	    write_table(dirfd, "kpagecount", pfn_end * 8, &k->pfn, &k->count,
	    s->nkpage, ks) != 0)
		return -1;
	if (s->has_cgroup && write_table(dirfd, "kpagecgroup", pfn_end * 8,
	    &k->pfn, &k->cgroup, s->nkpage, ks) != 0)
		return -1;
	return 0;
}

int
state_open(const struct state *s, struct app_captured *cap, char *dir,
    size_t dirlen)
{
	int dirfd;

	memset(cap, 0, sizeof(*cap));
	cap->kpage_dirfd = cap->files.maps_fd = cap->files.pagemap_fd = -1;
	snprintf(dir, dirlen, "/tmp/pagemap-dump-state.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 || write_files(s, dirfd) != 0) {
		if (dirfd >= 0)
			close(dirfd);
		state_close(cap, dir);
		return -1;
	}
	cap->kpage_dirfd = dirfd;
	cap->layout = s->layout;
	cap->files.pid = s->pid;
	cap->files.maps_fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC);
	cap->files.pagemap_fd = openat(dirfd, "pagemap", O_RDONLY | O_CLOEXEC);
	if (cap->files.maps_fd < 0 || cap->files.pagemap_fd < 0) {
		state_close(cap, dir);
		return -1;
	}
	return 0;
}

void
state_close(struct app_captured *cap, const char *dir)
{
	static const char *const names[] = { "maps", "pagemap", "kpageflags",
	    "kpagecount", "kpagecgroup" };
	char path[512];
	size_t i;

	if (cap->files.maps_fd >= 0)
		close(cap->files.maps_fd);
	if (cap->files.pagemap_fd >= 0)
		close(cap->files.pagemap_fd);
	if (cap->kpage_dirfd >= 0)
		close(cap->kpage_dirfd);
	cap->kpage_dirfd = cap->files.maps_fd = cap->files.pagemap_fd = -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

void
state_free(struct state *s)
{
	free(s->maps_text);
	free(s->entries);
	free(s->kpage);
	memset(s, 0, sizeof(*s));
}

/* The address @start:N, @end:N or @mid:N at p names; sets *end past it. */
static int
placeholder(const struct maps *maps, const char *p, uint64_t *a,
    const char **end)
{
	static const char *const words[] = { "@start:", "@end:", "@mid:" };
	const struct maps_entry *m;
	unsigned long i;
	size_t w, wl;
	char *e;

	for (w = 0; w < 3; w++) {
		wl = strlen(words[w]);
		if (strncmp(p, words[w], wl) != 0)
			continue;
		i = strtoul(p + wl, &e, 10);
		if (e == p + wl || i >= maps->count)
			return -1;
		m = &maps->entries[i];
		*a = w == 0 ? m->start : w == 1 ? m->end : m->start +
		    (m->end - m->start) / STATE_PAGE / 2 * STATE_PAGE + 0x123;
		*end = e;
		return 0;
	}
	return -1;
}

/* Expands the placeholders in arg (see state_render) into out. */
static void
expand(const struct maps *maps, const char *arg, char *out, size_t len)
{
	const char *p = arg, *end;
	size_t n = 0;
	uint64_t a;

	while (*p != '\0' && n + 20 < len) {
		if (*p == '@' && placeholder(maps, p, &a, &end) == 0) {
			n += (size_t)snprintf(out + n, len - n, "%" PRIx64, a);
			p = end;
		} else
			out[n++] = *p++;
	}
	out[n] = '\0';
}

int
state_render(const char *path, int argc, char **argv)
{
	struct state s;
	struct app_captured cap;
	struct options opts;
	struct maps maps;
	char dir[64], why[1024], pid[16], **args, *text;
	const char *bad;
	size_t line;
	int i, status = 1;

	if (state_read(&s, path) != 0)
		return 1;
	args = calloc((size_t)argc + 2, sizeof(*args));
	text = malloc(s.maps_len + 1);
	memcpy(text, s.maps_text, s.maps_len);
	if (args == NULL || maps_parse(&maps, text, s.maps_len, &line,
	    &bad) != 0 || state_open(&s, &cap, dir, sizeof(dir)) != 0) {
		fprintf(stderr, "%s: cannot be opened\n", path);
		return 1;
	}
	for (i = 0; i < argc; i++) {
		args[i] = malloc(512);
		expand(&maps, argv[i], args[i], 512);
	}
	snprintf(pid, sizeof(pid), "%d", s.pid);
	args[argc] = pid;
	options_init(&opts);
	opts.pid_max = OPTIONS_PID_LIMIT;
	if (options_parse(&opts, argc + 1, args, why, sizeof(why)) ==
	    OPTIONS_RUN)
		status = app_run(&opts, &cap);
	else
		fprintf(stderr, "render: %s\n", why);
	options_free(&opts);
	for (i = 0; i < argc; i++)
		free(args[i]);
	free(args);
	maps_free(&maps);
	state_close(&cap, dir);
	state_free(&s);
	return status;
}

/* The whole of the memfd fd, NUL-terminated; its length in *len. */
static char *
slurp_memfd(int fd, size_t *len)
{
	off_t n = lseek(fd, 0, SEEK_END);
	char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;

	if (buf == NULL || pread(fd, buf, (size_t)n, 0) != n) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

#define RUN_ARGS 32

int
state_run(const char *path, const char *line, struct state_output *o)
{
	char copy[1024], *argv[RUN_ARGS], *save = NULL, *w;
	int argc = 1, out = memfd_create("out", 0), err = memfd_create("err", 0);
	pid_t pid;

	memset(o, 0, sizeof(*o));
	snprintf(copy, sizeof(copy), "%s", line);
	argv[0] = (char *)"pagemap-dump";
	for (w = strtok_r(copy, " ", &save); w != NULL && argc < RUN_ARGS - 1;
	    w = strtok_r(NULL, " ", &save))
		if (strcmp(w, "-") != 0)
			argv[argc++] = w;
	argv[argc] = NULL;
	fflush(stdout);
	pid = out >= 0 && err >= 0 ? fork() : -1;
	if (pid == 0) {
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		_exit(state_render(path, argc, argv));
	}
	if (pid > 0 && waitpid(pid, &o->status, 0) == pid) {
		o->out = slurp_memfd(out, &o->out_len);
		o->err = slurp_memfd(err, &o->err_len);
	}
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	return o->out != NULL && o->err != NULL ? 0 : -1;
}

void
state_output_free(struct state_output *o)
{
	free(o->out);
	free(o->err);
	memset(o, 0, sizeof(*o));
}
