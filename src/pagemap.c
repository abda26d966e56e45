/*
 * pagemap: batched reads of /proc/PID/pagemap and the entry decoder.
 */
#include "pagemap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Until told otherwise: every option on, as distribution kernels have. */
static struct pagemap_swap_layout layout = { 24, 1, 3, 3 };

void
pagemap_set_swap_layout(const struct pagemap_swap_layout *l)
{
	layout = *l;
}

struct pagemap_swap_layout
pagemap_swap_layout(void)
{
	return layout;
}

/* MAX_SWAPFILES for these counts: 32 less them and the marker type. */
static struct pagemap_swap_layout
make_layout(bool hwpoison, bool migration, bool device)
{
	struct pagemap_swap_layout l;

	l.nhwpoison = hwpoison ? 1 : 0;
	l.nmigration = migration ? 3 : 0;
	l.ndevice = device ? 3 : 0;
	l.max_swapfiles = (1u << PM_SWAP_TYPE_BITS) - 1 - l.nhwpoison -
	    l.nmigration - l.ndevice;
	return l;
}

/* Whether the configuration text sets name (CONFIG_NAME=y). */
static bool
config_has(const char *text, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *p = text, *end = text + len;

	while (p < end && (p = memmem(p, (size_t)(end - p), name, n)) != NULL) {
		bool line_start = p == text || p[-1] == '\n';
		p += n;
		if (line_start && end - p >= 2 && p[0] == '=' &&
		    (p[1] == 'y' || p[1] == 'm'))
			return true;
	}
	return false;
}

struct pagemap_swap_layout
pagemap_swap_layout_from_config(const char *text, size_t len)
{
	return make_layout(config_has(text, len, "CONFIG_MEMORY_FAILURE"),
	    config_has(text, len, "CONFIG_MIGRATION"),
	    config_has(text, len, "CONFIG_DEVICE_PRIVATE"));
}

void
pagemap_swap_layout_detect(struct pagemap_swap_layout *l)
{
	char path[128 + sizeof(((struct utsname *)0)->release)], *text;
	struct utsname u;
	ssize_t n;
	size_t len = 0, cap = 1 << 18;
	int fd = -1;

	if (uname(&u) == 0) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	text = fd >= 0 ? malloc(cap) : NULL;
	if (text != NULL) {
		while (len < cap &&
		    (n = read(fd, text + len, cap - len)) > 0)
			len += (size_t)n;
		*l = pagemap_swap_layout_from_config(text, len);
		free(text);
	} else
		*l = make_layout(access("/proc/sys/vm/memory_failure_early_kill",
		    F_OK) == 0, true, false);
	if (fd >= 0)
		close(fd);
}

enum pagemap_state
pagemap_state(uint64_t raw)
{
	uint64_t low = raw & PM_PFN_MASK, marker;
	unsigned int type, t;

	if (raw & PM_PRESENT)
		return PAGEMAP_PRESENT;
	if (!(raw & PM_SWAPPED)) {
		/* hugetlb keeps a uffd-wp marker without bit 62. */
		return raw & PM_UFFD_WP ? PAGEMAP_UFFD_WP : PAGEMAP_NONE;
	}
	if (raw & PM_GUARD)
		return PAGEMAP_GUARD;
	/* Type 0, offset 0 is a swap header: the fields are hidden. */
	if (low == 0)
		return PAGEMAP_SWAP;
	type = (unsigned int)(low & ((1u << PM_SWAP_TYPE_BITS) - 1));
	if (type == PM_SWAP_MARKER) {
		marker = low >> PM_SWAP_TYPE_BITS;
		if (marker & PM_MARKER_GUARD)
			return PAGEMAP_GUARD;
		if (marker & PM_MARKER_POISONED)
			return PAGEMAP_HWPOISON;
		if (marker & PM_MARKER_UFFD_WP)
			return PAGEMAP_UFFD_WP;
		return PAGEMAP_OTHER;
	}
	if (type < layout.max_swapfiles)
		return PAGEMAP_SWAP;
	t = type - layout.max_swapfiles;
	if (t < layout.nhwpoison)
		return PAGEMAP_HWPOISON;
	t -= layout.nhwpoison;
	if (t < layout.nmigration)
		return PAGEMAP_MIGRATION;
	t -= layout.nmigration;
	if (t < layout.ndevice)
		return PAGEMAP_DEVICE;
	return PAGEMAP_OTHER;
}

const char *
pagemap_state_name(enum pagemap_state state)
{
	static const char *const names[PAGEMAP_STATES] = {
		[PAGEMAP_NONE] = "none", [PAGEMAP_PRESENT] = "present",
		[PAGEMAP_SWAP] = "swap", [PAGEMAP_GUARD] = "guard",
		[PAGEMAP_UFFD_WP] = "uffd-wp",
		[PAGEMAP_MIGRATION] = "migration",
		[PAGEMAP_HWPOISON] = "hwpoison", [PAGEMAP_DEVICE] = "device",
		[PAGEMAP_OTHER] = "other",
	};

	return (unsigned int)state < PAGEMAP_STATES ? names[state] : "?";
}

void
pagemap_decode(uint64_t raw, struct pagemap_entry *e)
{
	e->raw = raw;
	e->present = (raw & PM_PRESENT) != 0;
	e->swapped = (raw & PM_SWAPPED) != 0;
	e->file_shared = (raw & PM_FILE_SHARED) != 0;
	e->guard = (raw & PM_GUARD) != 0;
	e->uffd_wp = (raw & PM_UFFD_WP) != 0;
	e->exclusive = (raw & PM_EXCLUSIVE) != 0;
	e->soft_dirty = (raw & PM_SOFT_DIRTY) != 0;
	e->state = e->present ? PAGEMAP_PRESENT : raw == 0 ? PAGEMAP_NONE :
	    pagemap_state(raw);
	/* Bits 0-54 are a PFN when present, a swap entry when in swap. */
	e->pfn = e->present ? raw & PM_PFN_MASK : 0;
	e->swap_type = e->state == PAGEMAP_SWAP ?
	    (unsigned int)(raw & ((1u << PM_SWAP_TYPE_BITS) - 1)) : 0;
	e->swap_offset = e->state == PAGEMAP_SWAP ?
	    (raw & PM_PFN_MASK) >> PM_SWAP_TYPE_BITS : 0;
}

long
pagemap_read(int fd, uint64_t vpn, uint64_t *buf, size_t count)
{
	size_t done = 0;
	ssize_t got;

	if (vpn > (uint64_t)INT64_MAX / 8 - count) {
		errno = EINVAL;
		return -1;
	}
	while (done < count) {
		got = pread(fd, (char *)(buf + done), (count - done) * 8,
		    (off_t)((vpn + done) * 8));
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (got == 0)
			break;
		/* The kernel returns whole entries; keep the count whole. */
		done += (size_t)got / 8;
		if (got % 8 != 0) {
			errno = EIO;
			return -1;
		}
	}
	return (long)done;
}

int
pagemap_alive(int fd)
{
	uint64_t entry;
	ssize_t got;

	/* Page 0 is below every task's size: no entry means no mm. */
	do
		got = pread(fd, &entry, sizeof(entry), 0);
	while (got < 0 && errno == EINTR);
	if (got == sizeof(entry))
		return 1;
	if (got >= 0 || errno == ESRCH)
		return 0;
	return -1;
}
