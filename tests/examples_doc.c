/*
 * examples_doc: reads the examples out of README.md and the manual,
 * makes each command ready for sh, runs it, and compares its output with
 * what the document shows; see examples.h.
 *  - README.md: in a ```sh block, every line that is not a comment is a
 *    command (a blank or comment line starts the next example); in any
 *    other fenced block, the lines that start with "$ " are commands, and
 *    the lines after one that are not commands are the output it shows;
 *  - man/pagemap-dump.1, section EXAMPLES: every .Bd display is an
 *    example, its "$ " lines the commands, indented lines after one its
 *    continuation, the other lines the output it shows; mdoc escapes
 *    (\e, \-, \(aq...) are undone first.
 * A command also goes on to the next line where sh would: after an open
 * quote, a trailing "|", "&&", "||" or backslash.
 */
#include "examples.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Seconds an example may run before it is killed. */
#define TIMEOUT_SECONDS 300

struct example examples[MAX_EXAMPLES];
int nexamples;
struct tl_buf problems;

static void problem(const char *doc, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(const char *doc, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tl_buf_printf(&problems, "%s:%d: %s\n", doc, line, msg);
}

/*
 * Whether sh would read on past the end of s: an open quote, or a last
 * word that is "|", "&&", "||" or a backslash before the end.
 */
static bool
incomplete(const char *s)
{
	const char *p, *last = NULL;
	char q = 0;

	for (p = s; *p != '\0'; p++) {
		if (q == '\'') {
			if (*p == '\'')
				q = 0;
			continue;
		}
		if (q == '"') {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				q = 0;
			continue;
		}
		if (*p == '\\') {
			if (p[1] == '\0')
				return true;
			last = ++p;
		} else if (*p == '\'' || *p == '"') {
			q = *p;
			last = p;
		} else if (*p == '#' && (p == s || p[-1] == ' ' ||
		    p[-1] == '\t' || p[-1] == '\n')) {
			while (p[1] != '\0' && p[1] != '\n')
				p++;
		} else if (*p != ' ' && *p != '\t' && *p != '\n') {
			last = p;
		}
	}
	if (q != 0)
		return true;
	return last != NULL && (*last == '|' ||
	    (*last == '&' && last > s && last[-1] == '&'));
}

static struct example *
new_example(const char *doc, const char *section, int line)
{
	struct example *ex;

	if (nexamples == MAX_EXAMPLES) {
		problem(doc, line, "more than %d examples", MAX_EXAMPLES);
		return NULL;
	}
	ex = &examples[nexamples++];
	ex->doc = doc;
	snprintf(ex->section, sizeof(ex->section), "%s", section);
	ex->line = line;
	return ex;
}

static struct command *
add_command(struct example *ex, const char *text, int line)
{
	struct command *c;

	if (ex == NULL)
		return NULL;
	if (ex->ncmd == MAX_CMDS) {
		problem(ex->doc, line, "more than %d commands in one example",
		    MAX_CMDS);
		return NULL;
	}
	c = &ex->cmd[ex->ncmd++];
	c->text = strdup(text);
	c->line = line;
	return c;
}

static void
append_line(char **s, const char *line)
{
	struct tl_buf b = { 0 };

	if (*s != NULL) {
		tl_buf_adds(&b, *s);
		tl_buf_adds(&b, "\n");
		free(*s);
	}
	tl_buf_adds(&b, line);
	*s = b.s;
}

/*
 * Reads one line of a display that holds "$ " commands and the output
 * they show (a fenced block of README.md other than sh, or a .Bd of the
 * manual): a "$ " line is a command, a line that continues it (indented,
 * or needed to end it) is added to it, and any other line is output.
 */
static void
display_line(struct example **ex, struct command **cmd, bool *open,
    const char *doc, const char *section, int lineno, const char *line)
{
	if (*cmd != NULL && (incomplete((*cmd)->text) ||
	    (*open && (line[0] == ' ' || line[0] == '\t')))) {
		append_line(&(*cmd)->text, line);
	} else if (tl_starts_with(line, "$ ")) {
		if (*ex == NULL)
			*ex = new_example(doc, section, lineno);
		*cmd = add_command(*ex, line + 2, lineno);
		*open = true;
	} else if (*cmd != NULL) {
		append_line(&(*cmd)->shown, line);
		*open = false;
	}
}

/* Every example of README.md's fenced blocks. */
void
parse_readme(const char *text)
{
	struct tl_lines ls;
	struct example *ex = NULL;
	struct command *cmd = NULL;
	char section[96] = "";
	size_t indent = 0;
	bool fence = false, sh = false, open = false;
	int i;

	tl_lines_split(&ls, text);
	for (i = 0; i < ls.n; i++) {
		const char *line = ls.v[i], *t = line;
		int lineno = i + 1;

		while (*t == ' ')
			t++;
		if (!fence) {
			if (line[0] == '#') {
				const char *h = line;

				while (*h == '#' || *h == ' ')
					h++;
				snprintf(section, sizeof(section), "%s", h);
			} else if (tl_starts_with(t, "```")) {
				fence = true;
				indent = (size_t)(t - line);
				t += 3;
				sh = strcmp(t, "sh") == 0 ||
				    strcmp(t, "shell") == 0 ||
				    strcmp(t, "bash") == 0;
				ex = NULL;
				cmd = NULL;
			}
			continue;
		}
		if (strcmp(t, "```") == 0) {
			fence = false;
			continue;
		}
		line = strlen(line) >= indent ? line + indent : t;
		if (!sh) {
			display_line(&ex, &cmd, &open, README, section, lineno,
			    line);
		} else if (cmd != NULL && incomplete(cmd->text)) {
			append_line(&cmd->text, line);
		} else if (*t == '\0' || *t == '#') {
			ex = NULL;	/* the next command is another example */
			cmd = NULL;
		} else {
			if (ex == NULL)
				ex = new_example(README, section, lineno);
			cmd = add_command(ex, tl_starts_with(line, "$ ") ?
			    line + 2 : line, lineno);
		}
	}
	if (fence)
		problem(README, ls.n, "a fenced block that does not end");
	tl_lines_free(&ls);
}

/* A special character \(xx or \[xx] of mdoc, or NULL. */
static const char *
mdoc_char(const char *name, size_t n)
{
	static const char *const table[][2] = {
		{ "aq", "'" }, { "dq", "\"" }, { "ti", "~" }, { "ha", "^" },
		{ "ga", "`" }, { "rs", "\\" }, { "at", "@" }, { "sh", "#" },
		{ "Do", "$" }, { "lB", "[" }, { "rB", "]" }, { "ba", "|" },
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strlen(table[i][0]) == n &&
		    strncmp(table[i][0], name, n) == 0)
			return table[i][1];
	return NULL;
}

/* The text of a line of the manual with its escapes undone, or NULL. */
static char *
mdoc_unescape(const char *s, int lineno)
{
	struct tl_buf b = { 0 };
	const char *c;

	tl_buf_adds(&b, "");
	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			tl_buf_add(&b, s, 1);
			continue;
		}
		switch (*++s) {
		case 'e':
			tl_buf_adds(&b, "\\");
			break;
		case '-':
			tl_buf_adds(&b, "-");
			break;
		case ' ':
			tl_buf_adds(&b, " ");
			break;
		case '&':
		case '|':
		case '^':
			break;
		case '(':
			if (s[1] == '\0' || s[2] == '\0' ||
			    (c = mdoc_char(s + 1, 2)) == NULL)
				goto unknown;
			tl_buf_adds(&b, c);
			s += 2;
			break;
		case '[': {
			const char *end = strchr(s, ']');

			if (end == NULL ||
			    (c = mdoc_char(s + 1, (size_t)(end - s - 1))) == NULL)
				goto unknown;
			tl_buf_adds(&b, c);
			s = end;
			break;
		}
		default:
			goto unknown;
		}
	}
	return b.s;
unknown:
	problem(MANPAGE, lineno, "an mdoc escape this test cannot undo: \\%.3s",
	    s);
	free(b.s);
	return NULL;
}

/* Every example of the manual's EXAMPLES section. */
void
parse_man(const char *text)
{
	struct tl_lines ls;
	struct example *ex = NULL;
	struct command *cmd = NULL;
	bool in = false, display = false, open = false, found = false;
	int i;

	tl_lines_split(&ls, text);
	for (i = 0; i < ls.n; i++) {
		const char *line = ls.v[i];
		int lineno = i + 1;
		char *plain;

		if (tl_starts_with(line, ".Sh ")) {
			in = strcmp(line, ".Sh EXAMPLES") == 0;
			found = found || in;
			continue;
		}
		if (!in)
			continue;
		if (tl_starts_with(line, ".Bd")) {
			if (display)
				problem(MANPAGE, lineno, "a .Bd inside a .Bd");
			display = true;
			ex = new_example(MANPAGE, "EXAMPLES", lineno);
			cmd = NULL;
			continue;
		}
		if (tl_starts_with(line, ".Ed")) {
			if (ex != NULL && ex->ncmd == 0)
				problem(MANPAGE, ex->line,
				    "a display without a \"$ \" command");
			display = false;
			continue;
		}
		if (!display) {
			if (tl_starts_with(line, ".Dl") || tl_starts_with(line, ".D1") ||
			    strstr(line, "pagemap-dump") != NULL)
				problem(MANPAGE, lineno, "a command outside a .Bd "
				    "display, which this test does not run: %s",
				    line);
			continue;
		}
		if (line[0] == '.' || line[0] == '\'') {
			problem(MANPAGE, lineno, "a request inside a display: %s",
			    line);
			continue;
		}
		if ((plain = mdoc_unescape(line, lineno)) == NULL)
			continue;
		display_line(&ex, &cmd, &open, MANPAGE, "EXAMPLES", lineno,
		    plain);
		free(plain);
	}
	if (!found)
		problem(MANPAGE, 1, "no .Sh EXAMPLES section");
	tl_lines_free(&ls);
}

/* ---- making a command ready for sh ----------------------------------- */

/* What a placeholder pid may not touch: it is part of a longer word. */
static bool
word_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c == '.';
}

/*
 * Substitutes the placeholders of raw (see the top of this file) and
 * notes the programs it runs: the first word of each simple command.
 */
void
prepare(struct prepared *pc, const char *raw, const struct subst *sb)
{
	struct tl_buf b = { 0 };
	const char *p = raw;
	bool start = true;
	char q = 0;

	memset(pc, 0, sizeof(*pc));
	tl_buf_adds(&b, "");
	while (*p != '\0') {
		if (q == 0 && start) {
			size_t n;

			if (*p == ' ' || *p == '\t' || *p == '\n') {
				tl_buf_add(&b, p++, 1);
				continue;
			}
			if (tl_starts_with(p, "sudo ")) {
				pc->sudo = true;
				p += 5;
				continue;
			}
			if (tl_starts_with(p, "make && ")) {
				p += 8;
				continue;
			}
			start = false;
			if (*p == '#')
				continue;	/* a comment: copied below */
			if (tl_starts_with(p, "./pagemap-dump"))
				p += 2;
			if (tl_starts_with(p, "pagemap-dump") &&
			    !word_char(p[12]) && p[12] != '-') {
				tl_buf_adds(&b, TOOL_FUNCTION);
				p += 12;
				n = strlen(TOOL_FUNCTION);
			} else {
				for (n = 0; p[n] != '\0' &&
				    strchr(" \t\n|&;<>()", p[n]) == NULL; n++)
					;
				tl_buf_add(&b, p, n);
				p += n;
			}
			if (pc->nnames < MAX_NAMES && n < 64) {
				memcpy(pc->names[pc->nnames],
				    b.s + b.len - n, n);
				pc->names[pc->nnames++][n] = '\0';
			}
			continue;
		}
		if (q != '\'') {
			if (tl_starts_with(p, PLACEHOLDER_ADDR) &&
			    !word_char(p[strlen(PLACEHOLDER_ADDR)])) {
				tl_buf_printf(&b, "0x%lx", (unsigned long)sb->addr);
				p += strlen(PLACEHOLDER_ADDR);
				continue;
			}
			if (tl_starts_with(p, PLACEHOLDER_PADDR) &&
			    !word_char(p[strlen(PLACEHOLDER_PADDR)])) {
				tl_buf_printf(&b, "0x%llx",
				    (unsigned long long)sb->paddr);
				p += strlen(PLACEHOLDER_PADDR);
				continue;
			}
			if (tl_starts_with(p, "$$")) {
				tl_buf_adds(&b, sb->pid[0]);
				p += 2;
				continue;
			}
			if ((p == raw || !word_char(p[-1])) &&
			    (tl_starts_with(p, PLACEHOLDER_PID1) ||
			    tl_starts_with(p, PLACEHOLDER_PID2)) &&
			    !word_char(p[4])) {
				tl_buf_adds(&b, sb->pid[p[0] == '1' ? 0 : 1]);
				p += 4;
				continue;
			}
		}
		if (q == '\'') {
			if (*p == '\'')
				q = 0;
		} else if (q == '"') {
			if (*p == '\\' && p[1] != '\0')
				tl_buf_add(&b, p++, 1);
			else if (*p == '"')
				q = 0;
		} else if (*p == '\'' || *p == '"') {
			q = *p;
		} else if (*p == '\\' && p[1] != '\0') {
			tl_buf_add(&b, p++, 1);
		} else if (*p == '#' && (p == raw || p[-1] == ' ' ||
		    p[-1] == '\t')) {
			while (*p != '\0' && *p != '\n')
				tl_buf_add(&b, p++, 1);
			continue;
		} else if (*p == '|' || *p == ';' || *p == '(' ||
		    (*p == '&' && (p == raw || (p[-1] != '>' && p[-1] != '<')))) {
			start = true;
			if ((*p == '|' || *p == '&') && p[1] == *p)
				tl_buf_add(&b, p++, 1);
		} else if (*p == '\n') {
			start = true;
		}
		tl_buf_add(&b, p++, 1);
	}
	pc->text = b.s;
}

static const char *const builtins[] = {
	":", "cd", "echo", "printf", "read", "set", "test", "[", "true",
	"false", "export", "exit", "wait", "kill", "command", "eval", "exec",
	"unset", "shift", "trap", "umask", NULL,
};

/* The first line of a command, without a comment after it, for messages. */
void
summary_of(char *out, size_t size, const char *text)
{
	const char *comment = strstr(text, "  #");
	size_t n = strcspn(text, "\n");

	if (comment != NULL && (size_t)(comment - text) < n)
		n = (size_t)(comment - text);
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	snprintf(out, size, "%.*s%s", (int)n, text,
	    text[strcspn(text, "\n")] != '\0' ? " ..." : "");
}

bool
is_builtin(const char *name)
{
	int i;

	for (i = 0; builtins[i] != NULL; i++)
		if (strcmp(builtins[i], name) == 0)
			return true;
	return false;
}

/* Whether name is a program in $PATH. */
bool
installed(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	char full[PATH_MAX];

	if (strchr(name, '/') != NULL)
		return access(name, X_OK) == 0;
	if (path == NULL)
		path = "/usr/bin:/bin";
	for (p = path; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		snprintf(full, sizeof(full), "%.*s/%s", (int)(end - p),
		    end == p ? "." : p, name);
		if (access(full, X_OK) == 0)
			return true;
	}
	return false;
}

/* Whether a name can be that of a shell function. */
static bool
identifier(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    *s == '_'))
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/*
 * The script sh runs for a prepared command: set -e, a function for the
 * tool, and one for every other program, each of which writes
 * "name status" to status when it fails.
 */
char *
script_of(const struct prepared *pc, const char *status, const char *tool)
{
	struct tl_buf b = { 0 };
	int i, j;

	tl_buf_printf(&b, "set -e\n"
	    "__failed() { printf '%%s %%s\\n' \"$1\" \"$2\" >> '%s'; "
	    "return \"$2\"; }\n", status);
	tl_buf_printf(&b, "%s() { '%s' \"$@\" || __failed pagemap-dump $?; }\n",
	    TOOL_FUNCTION, tool);
	for (i = 0; i < pc->nnames; i++) {
		const char *n = pc->names[i];

		if (strcmp(n, TOOL_FUNCTION) == 0 || is_builtin(n) ||
		    !identifier(n))
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(pc->names[j], n) == 0)
				break;
		if (j == i)
			tl_buf_printf(&b, "%s() { command %s \"$@\" || "
			    "__failed %s $?; }\n", n, n, n);
	}
	tl_buf_adds(&b, pc->text);
	tl_buf_adds(&b, "\n");
	return b.s;
}

/* ---- running a command ------------------------------------------------ */

/* The run whose output the checks look at, printed when they fail. */
const struct run *cur;

void
show_run(void)
{
	struct tl_lines ls;
	int i;

	if (cur == NULL)
		return;
	print_error("%s:%d: %s\n", cur->ex->doc, cur->cmd->line,
	    cur->cmd->text);
	print_error("  checked as: %s\n", cur->rc->what);
	print_error("  ran in %s: %s", cur->dir, cur->pc->text);
	print_error("\n  exit status %d\n", WIFEXITED(cur->status) ?
	    WEXITSTATUS(cur->status) : 128 + WTERMSIG(cur->status));
	tl_lines_split(&ls, cur->out);
	print_error("  stdout (%d lines):\n", ls.n);
	for (i = 0; i < ls.n && i < 30; i++)
		print_error("    %s\n", ls.v[i]);
	if (ls.n > 30)
		print_error("    ...\n");
	tl_lines_free(&ls);
	if (cur->err[0] != '\0')
		print_error("  stderr:\n%s\n", cur->err);
}

/* Runs r->script with sh in r->dir. */
void
sh_run(struct run *r, const char *status)
{
	int out = memfd_create("out", MFD_CLOEXEC);
	int err = memfd_create("err", MFD_CLOEXEC);
	long waited;
	pid_t pid, done;

	assert_true(out >= 0 && err >= 0);
	unlink(status);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0 || chdir(r->dir) != 0)
			_exit(126);
		execl("/bin/sh", "sh", "-c", r->script, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	for (waited = 0;; waited++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		done = waitpid(pid, &r->status, WNOHANG);
		if (done == pid || (done < 0 && errno != EINTR))
			break;
		if (waited == TIMEOUT_SECONDS * 100L) {
			kill(-pid, SIGKILL);
			waitpid(pid, &r->status, 0);
			fail_msg("%s:%d: still running after %d s: %s",
			    r->ex->doc, r->cmd->line, TIMEOUT_SECONDS,
			    r->cmd->text);
		}
		nanosleep(&ts, NULL);
	}
	lseek(out, 0, SEEK_SET);
	lseek(err, 0, SEEK_SET);
	r->out = tl_read_memfd(out);
	r->err = tl_read_memfd(err);
	close(out);
	close(err);
	r->failures = tl_read_file(status);
	if (r->failures == NULL)
		r->failures = strdup("");
}

/*
 * Whether a row of out has the form of a row that the document shows:
 * the same number of fields, hexadecimal where the shown one is and text
 * where it is not; a last field of text (a name) may hold spaces, so
 * there it takes the rest of the line.
 */
static bool
row_has_form(const char *shown, const char *row)
{
	char *s = strdup(shown), *o = strdup(row), *sf[64], *of[64];
	int ns = tl_split(s, ' ', sf, 64), no, i;
	bool named = ns > 1 && !tl_is_hex(sf[ns - 1]), ok;

	no = tl_split(o, ' ', of, named ? ns : 64);
	ok = no == ns;
	for (i = 0; ok && i < ns; i++) {
		if (named && i == ns - 1)
			ok = of[i][0] != '\0';
		else
			ok = tl_is_hex(sf[i]) == tl_is_hex(of[i]) && of[i][0] != '\0';
	}
	free(s);
	free(o);
	return ok;
}

/*
 * Checks that the output has the shape of the one the document shows
 * after the command: the same header; every row of the form of a row
 * shown, and every row shown of the form of one printed; and when the
 * document does not cut it ("..."), as many rows.
 */
void
check_shown_shape(const struct run *r)
{
	struct tl_lines shown, out;
	int i, j, rows = 0;
	bool cut = false;

	tl_lines_split(&shown, r->cmd->shown);
	tl_lines_split(&out, r->out);
	require(out.n > 0 && strcmp(out.v[0], shown.v[0]) == 0,
	    "the first line is not '%s', as the document shows",
	    shown.v[0]);
	for (j = 1; j < shown.n; j++) {
		if (strcmp(shown.v[j], "...") == 0)
			cut = true;
		else if (shown.v[j][0] != '\0')
			rows++;
	}
	require(cut || out.n - 1 == rows, "%d rows where the document shows "
	    "%d", out.n - 1, rows);
	for (i = 1; i < out.n; i++) {
		bool ok = false;

		for (j = 1; !ok && j < shown.n; j++)
			ok = strcmp(shown.v[j], "...") != 0 &&
			    shown.v[j][0] != '\0' &&
			    row_has_form(shown.v[j], out.v[i]);
		require(ok, "line %d is of no form the document shows: '%s'",
		    i + 1, out.v[i]);
	}
	for (j = 1; j < shown.n; j++) {
		bool ok = strcmp(shown.v[j], "...") == 0 ||
		    shown.v[j][0] == '\0';

		for (i = 1; !ok && i < out.n; i++)
			ok = row_has_form(shown.v[j], out.v[i]);
		require(ok, "no line printed has the form of the line '%s' "
		    "that the document shows", shown.v[j]);
	}
	tl_lines_free(&shown);
	tl_lines_free(&out);
}
