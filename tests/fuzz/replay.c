/*
 * replay.c: runs a fuzz target over every file of its corpus directories
 * and over mutations of them (a seeded PRNG; WARD_SEED replays), so that
 * each test run exercises what the fuzzers found without needing clang's
 * libFuzzer. Usage: replay CORPUS_DIR... ; exits non-zero only by crashing
 * or by an assertion in the target.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/testseed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MUTATIONS 2000

static size_t run_file(const char *path, uint64_t *rng)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	uint8_t buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	/* Exact-size heap copies, so the sanitizer sees any overrun. */
	for (int m = 0; m < MUTATIONS; m++) {
		size_t len = n;
		uint8_t *c = malloc(len + 1);
		memcpy(c, buf, len);
		int edits = 1 + (int)(splitmix64(rng) % 4);
		for (int e = 0; e < edits && len; e++) {
			uint64_t r = splitmix64(rng);
			size_t at = (size_t)(r >> 8) % len;
			switch (r % 3) {
			case 0: c[at] ^= (uint8_t)(1u << ((r >> 4) % 8)); break;
			case 1: c[at] = (uint8_t)(r >> 16); break;
			default: len = at; break; /* truncate */
			}
		}
		uint8_t *exact = malloc(len ? len : 1);
		memcpy(exact, c, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
		free(c);
	}
	return 1;
}

int main(int argc, char **argv)
{
	uint64_t rng = test_seed(argv[0]);
	size_t files = 0;
	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		if (!d) {
			fprintf(stderr, "replay: cannot open %s\n", argv[i]);
			return 2;
		}
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			files += run_file(path, &rng);
		}
		closedir(d);
	}
	if (files == 0) {
		fprintf(stderr, "replay: no corpus files\n");
		return 2;
	}
	printf("replayed %zu corpus files, %d mutations each\n", files,
	       MUTATIONS);
	return 0;
}
