/*
 * minijson.h: a small JSON reader for tests (test vectors, CLI output).
 * Header-only with static functions; aborts on malformed input, which in a
 * test is a failure worth stopping for. Not for production input.
 */
#ifndef WARD_TESTS_MINIJSON_H
#define WARD_TESTS_MINIJSON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum mj_kind { MJ_NULL, MJ_BOOL, MJ_NUM, MJ_STR, MJ_ARR, MJ_OBJ };

struct mj {
	enum mj_kind kind;
	int b;
	double num;
	char *numtext;
	char *str;
	size_t n;
	char **keys;
	struct mj **items;
};

static void mj_ws(const char **p)
{
	while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
		(*p)++;
}

static void mj_fail(const char *what)
{
	fprintf(stderr, "minijson: %s\n", what);
	abort();
}

static void mj_utf8(char **o, unsigned cp)
{
	if (cp < 0x80) {
		*(*o)++ = (char)cp;
	} else if (cp < 0x800) {
		*(*o)++ = (char)(0xc0 | cp >> 6);
		*(*o)++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*(*o)++ = (char)(0xe0 | cp >> 12);
		*(*o)++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*(*o)++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*(*o)++ = (char)(0xf0 | cp >> 18);
		*(*o)++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*(*o)++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*(*o)++ = (char)(0x80 | (cp & 0x3f));
	}
}

static char *mj_string(const char **p)
{
	if (**p != '"')
		mj_fail("expected string");
	(*p)++;
	char *out = malloc(strlen(*p) + 1), *o = out;
	while (**p != '"') {
		if (!**p)
			mj_fail("unterminated string");
		if (**p == '\\') {
			(*p)++;
			char c = *(*p)++;
			switch (c) {
			case 'n': *o++ = '\n'; break;
			case 't': *o++ = '\t'; break;
			case 'r': *o++ = '\r'; break;
			case 'b': *o++ = '\b'; break;
			case 'f': *o++ = '\f'; break;
			case 'u': {
				unsigned cp = (unsigned)strtoul(
					(char[]){(*p)[0], (*p)[1], (*p)[2], (*p)[3], 0},
					NULL, 16);
				*p += 4;
				if (cp >= 0xd800 && cp < 0xdc00 && (*p)[0] == '\\') {
					unsigned lo = (unsigned)strtoul(
						(char[]){(*p)[2], (*p)[3], (*p)[4], (*p)[5], 0},
						NULL, 16);
					*p += 6;
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				}
				mj_utf8(&o, cp);
				break;
			}
			default: *o++ = c;
			}
		} else {
			*o++ = *(*p)++;
		}
	}
	(*p)++;
	*o = 0;
	return out;
}

static struct mj *mj_value(const char **p)
{
	struct mj *v = calloc(1, sizeof(*v));
	mj_ws(p);
	if (**p == '{' || **p == '[') {
		char close = **p == '{' ? '}' : ']';
		v->kind = **p == '{' ? MJ_OBJ : MJ_ARR;
		(*p)++;
		mj_ws(p);
		while (**p != close) {
			v->items = realloc(v->items, (v->n + 1) * sizeof(*v->items));
			v->keys = realloc(v->keys, (v->n + 1) * sizeof(*v->keys));
			v->keys[v->n] = NULL;
			if (v->kind == MJ_OBJ) {
				v->keys[v->n] = mj_string(p);
				mj_ws(p);
				if (*(*p)++ != ':')
					mj_fail("expected ':'");
			}
			v->items[v->n++] = mj_value(p);
			mj_ws(p);
			if (**p == ',') {
				(*p)++;
				mj_ws(p);
			} else if (**p != close) {
				mj_fail("expected ',' or close");
			}
		}
		(*p)++;
	} else if (**p == '"') {
		v->kind = MJ_STR;
		v->str = mj_string(p);
	} else if (!strncmp(*p, "null", 4)) {
		v->kind = MJ_NULL;
		*p += 4;
	} else if (!strncmp(*p, "true", 4)) {
		v->kind = MJ_BOOL;
		v->b = 1;
		*p += 4;
	} else if (!strncmp(*p, "false", 5)) {
		v->kind = MJ_BOOL;
		*p += 5;
	} else {
		char *end;
		v->kind = MJ_NUM;
		v->num = strtod(*p, &end);
		if (end == *p)
			mj_fail("unexpected character");
		v->numtext = strndup(*p, (size_t)(end - *p));
		*p = end;
	}
	return v;
}

static struct mj *mj_parse(const char *text)
{
	const char *p = text;
	struct mj *v = mj_value(&p);
	mj_ws(&p);
	if (*p)
		mj_fail("trailing characters");
	return v;
}

static struct mj *mj_parse_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		mj_fail(path);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)len + 1);
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		mj_fail("short read");
	buf[len] = 0;
	fclose(f);
	struct mj *v = mj_parse(buf);
	free(buf);
	return v;
}

static struct mj *mj_get(const struct mj *o, const char *key)
{
	if (!o || o->kind != MJ_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->items[i];
	return NULL;
}

static const char *mj_str(const struct mj *o, const char *key)
{
	struct mj *v = mj_get(o, key);
	return v && v->kind == MJ_STR ? v->str : NULL;
}

static void mj_free(struct mj *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		mj_free(v->items[i]);
		free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v->numtext);
	free(v);
}

/* Hex text to bytes; returns the byte count (malloc'd *out). */
static size_t mj_hex(const char *hex, unsigned char **out)
{
	size_t n = strlen(hex) / 2;
	unsigned char *b = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			mj_fail("bad hex");
		b[i] = (unsigned char)v;
	}
	*out = b;
	return n;
}

#endif
