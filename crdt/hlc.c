/*
 * hlc.c: the hybrid logical clock (Kulkarni et al., "Logical Physical
 * Clocks", 2014) in ward's packing: hlc = milliseconds << 16 | counter.
 * One clock per node across its feeds; a value is never issued twice, so
 * each feed's hlc strictly increases. Time is passed in.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "crdt/crdt.h"

uint64_t crdt_hlc_ms(uint64_t hlc)
{
	return hlc >> 16;
}

int crdt_hlc_next(struct crdt_hlc *h, uint64_t wall_ms, uint64_t *out)
{
	uint64_t wall = wall_ms << 16;
	uint64_t next = wall > h->last ? wall : h->last + 1;
	/* A counter overflow borrows the next millisecond (next = last + 1
	 * carries into the ms bits). Refuse to run more than the skew bound
	 * ahead of the wall clock: the caller waits instead. */
	if (crdt_hlc_ms(next) > wall_ms + CRDT_HLC_MAX_SKEW_MS)
		return -EAGAIN;
	h->last = next;
	*out = next;
	return 0;
}

bool crdt_hlc_observe(struct crdt_hlc *h, uint64_t remote, uint64_t wall_ms)
{
	uint64_t bound = (wall_ms + CRDT_HLC_MAX_SKEW_MS) << 16 | 0xffff;
	bool skewed = remote > bound;
	uint64_t v = skewed ? bound : remote;
	if (v > h->last)
		h->last = v;
	return skewed;
}

/* gmtime_r reads no clock and no TZ: the text is a function of hlc. */
void crdt_hlc_rfc3339(char out[32], uint64_t hlc)
{
	uint64_t ms = crdt_hlc_ms(hlc);
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(ms % 1000));
}
