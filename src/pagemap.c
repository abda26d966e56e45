/*
 * pagemap: batched reads of /proc/PID/pagemap and the entry decoder.
 */
#include "pagemap.h"

#include <errno.h>
#include <unistd.h>

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
	/* Bits 0-54 are a PFN when present and a swap entry when swapped. */
	e->pfn = e->present ? raw & PM_PFN_MASK : 0;
	e->swap_type = e->swapped && !e->present ?
	    (unsigned int)(raw & ((1u << PM_SWAP_TYPE_BITS) - 1)) : 0;
	e->swap_offset = e->swapped && !e->present ?
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
