/*
 * catalog.c: the list of languages and the lookup (catalog.h).
 */
#include "node/catalog/catalog.h"

#include <string.h>

/* Each language's texts by id. An id without its ID_XX macro in a
 * language file does not compile. */
static const char *const en[NODE_MSG_COUNT] = {
#define X(id) [id] = id##_EN,
#include "node/catalog/catalog_ids.h"
#undef X
};

static const char *const zh[NODE_MSG_COUNT] = {
#define X(id) [id] = id##_ZH,
#include "node/catalog/catalog_ids.h"
#undef X
};

/* One line per language, in enum node_lang's order. */
static const char *const *const tables[NODE_LANG_COUNT] = {
    [NODE_LANG_EN] = en,
    [NODE_LANG_ZH] = zh,
};

static const char *const names[NODE_MSG_COUNT] = {
    [MSG_NONE] = "MSG_NONE",
#define X(id) [id] = #id,
#include "node/catalog/catalog_ids.h"
#undef X
};

const char *node_catalog_text(enum node_lang lang, enum node_msg id)
{
	if ((unsigned)id >= NODE_MSG_COUNT || id == MSG_NONE)
		return "";
	if ((unsigned)lang >= NODE_LANG_COUNT)
		lang = NODE_LANG_EN;
	return tables[lang][id];
}

const char *node_catalog_name(enum node_msg id)
{
	return (unsigned)id < NODE_MSG_COUNT ? names[id] : "MSG_NONE";
}

enum node_lang node_catalog_lang(const char *locale)
{
	return locale && !strncmp(locale, "zh", 2) ? NODE_LANG_ZH
						   : NODE_LANG_EN;
}

/* ---- reasons ---- */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Ids passed as arguments travel as "\x01MSG_NAME": no text of the
 * catalog or of a user can start with that byte (texts are checked valid
 * UTF-8 without control characters). */
#define ID_MARK '\x01'

const char *node_catalog_id_arg(enum node_msg id)
{
	static char buf[NODE_MSG_COUNT][64];
	if ((unsigned)id >= NODE_MSG_COUNT)
		id = MSG_NONE;
	if (!buf[id][0])
		snprintf(buf[id], sizeof(buf[id]), "%c%s", ID_MARK,
			 node_catalog_name(id));
	return buf[id];
}

enum node_msg node_catalog_id(const char *name, size_t len)
{
	for (int i = 1; i < NODE_MSG_COUNT; i++)
		if (strlen(names[i]) == len && !memcmp(names[i], name, len))
			return (enum node_msg)i;
	return MSG_NONE;
}

/* One conversion of a format at f ('%' there): its length in *n, and what
 * it reads: 'i', 'u', 's', '*' (a precision, then 's'), or 0. */
static char conversion(const char *f, size_t *n)
{
	const char *q = f + 1;
	bool star = false;
	while (*q && strchr("-+ #0123456789.*", *q))
		star |= *q++ == '*';
	while (*q && strchr("hlzjt", *q))
		q++;
	*n = (size_t)(q - f) + (*q ? 1 : 0);
	switch (*q) {
	case 's':
		return star ? '*' : 's';
	case 'd':
	case 'i':
		return 'i';
	case 'u':
	case 'o':
	case 'x':
		return 'u';
	default:
		return 0;
	}
}

void node_reason_make(struct node_reason *r, enum node_msg id,
		      const char *fmt_en, ...)
{
	va_list ap;
	va_start(ap, fmt_en);
	node_reason_vmake(r, id, ap);
	va_end(ap);
}

static void reason_args(struct node_reason *r, enum node_msg id, size_t cap,
			va_list ap);

void node_reason_of(struct node_reason *r, enum node_msg id)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
}

void node_reason_vmake(struct node_reason *r, enum node_msg id, va_list ap)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	reason_args(r, id, NODE_REASON_ARG_BYTES, ap);
}

void node_reason_tail(struct node_reason *r, enum node_msg id,
		      const char *fmt_en, ...)
{
	(void)fmt_en;
	va_list ap;
	va_start(ap, fmt_en);
	r->tail = id;
	r->tail_at = r->n_args;
	reason_args(r, id, sizeof(r->args[0].s), ap);
	va_end(ap);
}

void node_reason_wrap(struct node_reason *r, enum node_msg id,
		      const char *fmt_en, ...)
{
	(void)fmt_en;
	va_list ap;
	va_start(ap, fmt_en);
	unsigned before = r->n_args;
	r->wrap = id;
	r->wrap_at = before;
	reason_args(r, id, sizeof(r->args[0].s), ap);
	if (r->n_args > before)
		r->n_args--; /* NODE_REASON_INNER: the reason goes there */
	va_end(ap);
}

void node_reason_make_long(struct node_reason *r, enum node_msg id,
			   const char *fmt_en, ...)
{
	(void)fmt_en;
	va_list ap;
	va_start(ap, fmt_en);
	memset(r, 0, sizeof(*r));
	r->id = id;
	reason_args(r, id, sizeof(r->args[0].s), ap);
	va_end(ap);
}

/* Appends the arguments of id's text, read from ap, to r->args. */
static void reason_args(struct node_reason *r, enum node_msg id, size_t cap,
			va_list ap)
{
	/* The English text's conversions say what the arguments are; every
	 * language takes the same ones (test_catalog). */
	const char *f = node_catalog_text(NODE_LANG_EN, id);
	bool no_args = f[0] == '\0' || strchr(f, '%') == NULL;
	if (no_args)
		return;
	for (const char *p = f; *p && r->n_args < NODE_REASON_MAX_ARGS; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		size_t n;
		char k = conversion(p, &n);
		const char *spec = p;
		p += n - 1;
		struct node_reason_arg *a = &r->args[r->n_args++];
		/* the length modifier says how it was passed */
		bool ll = n > 3 && memchr(spec, 'l', n) != NULL;
		bool z = memchr(spec, 'z', n) != NULL;
		if (k == 'i') {
			a->kind = 'i';
			a->i = ll  ? va_arg(ap, long long)
			       : z ? (long long)va_arg(ap, size_t)
				   : va_arg(ap, int);
		} else if (k == 'u') {
			a->kind = 'u';
			a->u = ll  ? va_arg(ap, unsigned long long)
			       : z ? va_arg(ap, size_t)
				   : va_arg(ap, unsigned);
		} else if (k == 's' || k == '*') {
			int prec = k == '*' ? va_arg(ap, int) : -1;
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "";
			a->kind = s[0] == ID_MARK  ? 'm'
				  : s[0] == '\x02' ? 'f'
						   : 's';
			if (a->kind != 's')
				s++;
			/* %.*s: the text need not end within its length
			 * (an op's value is not NUL-terminated) */
			size_t full = prec >= 0 ? strnlen(s, (size_t)prec)
						: strlen(s);
			size_t sl = full;
			if (sl >= cap)
				sl = cap - 1;
			/* do not cut a UTF-8 sequence */
			while (sl > 0 && sl < full &&
			       ((unsigned char)s[sl] & 0xc0) == 0x80)
				sl--;
			memcpy(a->s, s, sl);
			a->s[sl] = '\0';
		} else {
			r->n_args--; /* no such conversion in a reason */
		}
	}
}

/* The conversions rendered here are rebuilt from the catalog's own texts
 * (flags and width as written, the length the argument was captured
 * with), never from data. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
char *node_reason_text(const struct node_reason *r, enum node_lang lang,
		       char *out, size_t len)
{
	return node_reason_text_fn(r, lang, NULL, out, len);
}

char *node_reason_text_fn(const struct node_reason *r, enum node_lang lang,
			  node_reason_arg_fn fn, char *out, size_t len)
{
	if (r->tail != MSG_NONE && len > 0) {
		struct node_reason inner = *r;
		inner.tail = MSG_NONE;
		inner.n_args = r->tail_at;
		node_reason_text_fn(&inner, lang, fn, out, len);
		size_t l = strlen(out);
		struct node_reason t = {.id = r->tail};
		for (unsigned i = r->tail_at; i < r->n_args; i++)
			t.args[t.n_args++] = r->args[i];
		node_reason_text_fn(&t, lang, fn, out + l, len - l);
		return out;
	}
	if (r->wrap != MSG_NONE && len > 0) {
		struct node_reason inner = *r;
		inner.wrap = MSG_NONE;
		inner.n_args = r->wrap_at;
		char text[NODE_REASON_TEXT_BYTES];
		node_reason_text_fn(&inner, lang, fn, text, sizeof(text));
		struct node_reason w = {.id = r->wrap};
		for (unsigned i = r->wrap_at;
		     i < r->n_args && w.n_args + 1 < NODE_REASON_MAX_ARGS; i++)
			w.args[w.n_args++] = r->args[i];
		struct node_reason_arg *a = &w.args[w.n_args++];
		a->kind = 's';
		memcpy(a->s, text, sizeof(a->s));
		return node_reason_text_fn(&w, lang, fn, out, len);
	}
	const char *f = node_catalog_text(lang, r->id);
	size_t o = 0, ai = 0;
	if (len == 0)
		return out;
	out[0] = '\0';
	for (const char *p = f; *p && o + 1 < len; p++) {
		if (*p != '%' || p[1] == '%') {
			out[o++] = *p;
			if (*p == '%')
				p++;
			continue;
		}
		size_t n;
		char k = conversion(p, &n);
		char spec[32];
		if (n >= sizeof(spec) || ai >= r->n_args) {
			p += n - 1;
			continue;
		}
		const struct node_reason_arg *a = &r->args[ai++];
		/* flags and width as written; the argument as captured */
		size_t keep = 0;
		for (size_t i = 0; i < n - 1 && keep < sizeof(spec) - 6; i++)
			if (!strchr("hlzjt*", p[i]) &&
			    !(p[i] == '.' && p[i + 1] == '*'))
				spec[keep++] = p[i];
		int w;
		if (a->kind == 'i' && k == 'i') {
			memcpy(spec + keep, "lld", 4);
			w = snprintf(out + o, len - o, spec, a->i);
		} else if (a->kind == 'u' && k == 'u') {
			spec[keep] = 'l';
			spec[keep + 1] = 'l';
			spec[keep + 2] = p[n - 1];
			spec[keep + 3] = '\0';
			w = snprintf(out + o, len - o, spec, a->u);
		} else {
			const char *s = a->s;
			char sub[1024];
			if (a->kind == 'f' && fn)
				fn(a, lang, sub, sizeof(sub)), s = sub;
			else if (a->kind == 'm')
				s = node_catalog_text(
				    lang, node_catalog_id(s, strlen(s)));
			else if (a->kind == 'i')
				s = sub,
				snprintf(sub, sizeof(sub), "%lld", a->i);
			else if (a->kind == 'u')
				s = sub,
				snprintf(sub, sizeof(sub), "%llu", a->u);
			memcpy(spec + keep, "s", 2);
			w = snprintf(out + o, len - o, spec, s);
		}
		if (w > 0)
			o += (size_t)w < len - o ? (size_t)w : len - o - 1;
		p += n - 1;
	}
	out[o < len ? o : len - 1] = '\0';
	return out;
}
#pragma GCC diagnostic pop
