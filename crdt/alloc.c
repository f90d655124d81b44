/*
 * alloc.c: ward's one allocator wrapper. Out of memory is not an error a
 * caller handles: crdt_x* print "ward: out of memory" to stderr and
 * abort(). The policy and why it is right for ward are in
 * docs/architecture.md ("Out of memory"). This is crdt/'s only output, and
 * it is written with write(2) so that reporting needs no memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crdt/crdt.h"

_Noreturn void crdt_oom(void)
{
	static const char m[] = "ward: out of memory\n";
	ssize_t w = write(STDERR_FILENO, m, sizeof(m) - 1);
	(void)w;
	abort();
}

void *crdt_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		crdt_oom();
	return p;
}

void *crdt_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		crdt_oom();
	return p;
}

void *crdt_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		crdt_oom();
	return q;
}

void *crdt_xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		crdt_oom();
	return crdt_xrealloc(p, n * size);
}

char *crdt_xstrdup(const char *s)
{
	size_t l = strlen(s) + 1;
	char *d = crdt_xmalloc(l);
	memcpy(d, s, l);
	return d;
}
