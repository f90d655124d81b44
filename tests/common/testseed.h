/*
 * testseed.h: the seeded PRNG the randomised unit tests share. Each run
 * prints its seed; WARD_SEED=<n> replays it. Header-only, static functions.
 */
#ifndef WARD_TESTS_TESTSEED_H
#define WARD_TESTS_TESTSEED_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A process-wide stream for tests that draw from one generator. */
static uint64_t rng_state;

static inline uint64_t rnd(void)
{
	return splitmix64(&rng_state);
}

static inline size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static inline uint64_t test_seed(const char *test)
{
	const char *env = getenv("WARD_SEED");
	uint64_t chosen;
	if (env && *env) {
		chosen = strtoull(env, NULL, 0);
	} else {
		uint64_t s = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
		chosen = splitmix64(&s);
	}
	printf("%s: seed=%" PRIu64 " (WARD_SEED=%" PRIu64 " to replay)\n", test,
	       chosen, chosen);
	fflush(stdout);
	return chosen;
}

#endif
