/*
 * e2e_util: running the tool under test with its output captured.
 */
#include "e2e_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

const char *
e2e_tool(void)
{
	const char *t = getenv("PAGEMAP_DUMP");

	return t != NULL && *t != '\0' ? t : "./pagemap-dump";
}

/* Reads all of a memfd from its start into a NUL-terminated string. */
static char *
slurp(int fd)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap), *grown;
	ssize_t n;

	if (buf == NULL)
		abort();
	lseek(fd, 0, SEEK_SET);
	for (;;) {
		if (cap - len < 2) {
			grown = realloc(buf, cap *= 2);
			if (grown == NULL)
				abort();
			buf = grown;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

void
e2e_run(struct e2e_run *r, const char *const *env, const char *const *args)
{
	const char *argv[32];
	int out = memfd_create("out", 0), err = memfd_create("err", 0), n = 0;
	pid_t pid;

	if (out < 0 || err < 0)
		abort();
	argv[n++] = e2e_tool();
	while (args != NULL && *args != NULL && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		dup2(out, 1);
		dup2(err, 2);
		while (env != NULL && *env != NULL)
			putenv((char *)*env++);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	waitpid(pid, &r->status, 0);
	r->out = slurp(out);
	r->err = slurp(err);
	close(out);
	close(err);
}

int
e2e_exit_code(const struct e2e_run *r)
{
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

void
e2e_run_free(struct e2e_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

bool
e2e_swap_exists(void)
{
	FILE *fp = fopen("/proc/swaps", "r");
	char line[512];
	int lines = 0;

	if (fp == NULL)
		return false;
	while (fgets(line, sizeof(line), fp) != NULL)
		lines++;
	fclose(fp);
	return lines > 1;
}
