/*
 * The equivalence result: pairs under construction, their reasons,
 * ignored ranges and differing sections, and the public accessors.
 *
 * Lists are capped (equiv_int.h): a pair with a million differing bytes
 * is described by its first few ranges; the verdict does not depend on
 * the caps.  Running out of memory while describing a pair marks it
 * different rather than losing a difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "equiv/equiv_int.h"

static const char *const class_names[] = {
    "build-id",        "comment",     "debuglink",  "debug",
    "symbols",         "section-headers", "padding", "timestamps",
    "build-paths",     "archive-metadata", "mtimes", "owners",
    "module-signature",
};

const char *fwvet_equiv_class_name(unsigned cls) {
  for (unsigned i = 0; i < sizeof class_names / sizeof *class_names; i++)
    if (cls == 1u << i)
      return class_names[i];
  return "?";
}

int fwvet_equiv_class_parse(const char *list, unsigned *mask,
                            const char **bad) {
  unsigned m = 0;
  const char *s = list;
  while (*s) {
    size_t n = strcspn(s, ",");
    unsigned bit = 0;
    if (n == 3 && !strncmp(s, "all", 3))
      bit = FWVET_EQC_ALL;
    for (unsigned i = 0; !bit && i < sizeof class_names / sizeof *class_names;
         i++)
      if (strlen(class_names[i]) == n && !strncmp(s, class_names[i], n))
        bit = 1u << i;
    if (!bit && n) {
      if (bad)
        *bad = s;
      return -1;
    }
    m |= bit;
    s += n;
    if (*s == ',')
      s++;
  }
  *mask = m;
  return 0;
}

const char *fwvet_equiv_verdict_name(fwvet_equiv_verdict v) {
  switch (v) {
  case FWVET_EQUIV_IDENTICAL: return "identical";
  case FWVET_EQUIV_EQUIVALENT: return "equivalent";
  case FWVET_EQUIV_DIFFERENT: return "different";
  }
  return "different";
}

void fwvet_equiv_options_init(fwvet_equiv_options *opt) {
  memset(opt, 0, sizeof *opt);
  fwvet_open_options_init(&opt->open);
  opt->max_kept_bytes = 2ull << 30;
}

static void *keep(fwvet_equiv *eq, void *p) {
  if (!p)
    return NULL;
  if (eq->nallocs == eq->cap_allocs) {
    size_t cap = eq->cap_allocs ? eq->cap_allocs * 2 : 64;
    void **a = realloc(eq->allocs, cap * sizeof *a);
    if (!a) {
      free(p);
      return NULL;
    }
    eq->allocs = a;
    eq->cap_allocs = cap;
  }
  eq->allocs[eq->nallocs++] = p;
  return p;
}

char *eq_strdup(fwvet_equiv *eq, const char *s) {
  return s ? keep(eq, strdup(s)) : NULL;
}

char *eq_printf(fwvet_equiv *eq, const char *fmt, ...) {
  va_list ap;
  char *s = NULL;
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0)
    s = NULL;
  va_end(ap);
  return keep(eq, s);
}

/* Grows *arr (of `size`-byte items) to hold one more; -1 when out of
 * memory. */
static int grow(void **arr, size_t *cap, size_t n, size_t size) {
  if (n < *cap)
    return 0;
  size_t nc = *cap ? *cap * 2 : 8;
  void *a = realloc(*arr, nc * size);
  if (!a)
    return -1;
  *arr = a;
  *cap = nc;
  return 0;
}

eq_pair *eq_pair_new(fwvet_equiv *eq) {
  if (grow((void **)&eq->pairs, &eq->cap_pairs, eq->npairs, sizeof(eq_pair)))
    return NULL;
  eq_pair *p = &eq->pairs[eq->npairs++];
  memset(p, 0, sizeof *p);
  p->owner = eq;
  p->strict = eq->strict;
  return p;
}

int eq_only_add(fwvet_equiv *eq, fwvet_equiv_side side,
                const fwvet_equiv_node *node, const char *fspath) {
  if (grow((void **)&eq->only[side], &eq->cap_only[side], eq->nonly[side],
           sizeof(eq_only)))
    return -1;
  eq_only *o = &eq->only[side][eq->nonly[side]++];
  o->node = *node;
  o->fspath = fspath;
  return 0;
}

void eq_different(eq_pair *p) { p->differs = 1; }

void eq_reason(eq_pair *p, const char *fmt, ...) {
  if (p->nreasons >= EQ_MAX_REASONS)
    return;
  va_list ap;
  char *s = NULL;
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0)
    s = NULL;
  va_end(ap);
  if (!keep(p->owner, s) ||
      grow((void **)&p->reasons, &p->cap_reasons, p->nreasons,
           sizeof *p->reasons)) {
    eq_different(p);
    return;
  }
  /* The same rule often fires for many ranges: say it once. */
  for (size_t i = 0; i < p->nreasons; i++)
    if (!strcmp(p->reasons[i], s))
      return;
  p->reasons[p->nreasons++] = s;
}

int eq_ignore(eq_pair *p, fwvet_equiv_side side, uint64_t off, uint64_t len,
              unsigned cls, const char *detail) {
  if (p->strict & cls) {
    eq_different(p);
    eq_reason(p, "%s differs (%s; counted because of --strict %s)",
              detail ? detail : "content", fwvet_equiv_class_name(cls),
              fwvet_equiv_class_name(cls));
    return 0;
  }
  p->pub.classes |= cls;
  /* Several differing runs inside one token name the same range. */
  for (size_t i = p->nignored; i-- > 0 && i + 8 >= p->nignored;) {
    const fwvet_equiv_range *r = &p->ignored[i];
    if (r->side == side && r->offset == off && r->length == len &&
        r->cls == cls)
      return 1;
  }
  if (p->nignored >= EQ_MAX_IGNORED) {
    p->ignored_dropped++;
    return 1;
  }
  if (grow((void **)&p->ignored, &p->cap_ignored, p->nignored,
           sizeof *p->ignored)) {
    eq_different(p);
    return 0;
  }
  fwvet_equiv_range *r = &p->ignored[p->nignored++];
  r->side = side;
  r->offset = off;
  r->length = len;
  r->cls = cls;
  r->detail = eq_strdup(p->owner, detail);
  return 1;
}

eq_section *eq_section_get(eq_pair *p, const char *name, uint64_t ref_off,
                           uint64_t ref_size, uint64_t cand_off,
                           uint64_t cand_size) {
  eq_different(p);
  for (size_t i = 0; i < p->nsections; i++)
    if (!strcmp(p->sections[i].pub.name, name))
      return &p->sections[i];
  /* Allocated once at full size: callers hold section pointers while
   * adding others. */
  if (!p->sections)
    p->sections = calloc(EQ_MAX_SECTIONS, sizeof *p->sections);
  if (!p->sections || p->nsections >= EQ_MAX_SECTIONS)
    return NULL;
  eq_section *s = &p->sections[p->nsections];
  memset(s, 0, sizeof *s);
  s->pub.name = eq_strdup(p->owner, name);
  if (!s->pub.name)
    return NULL;
  s->pub.ref_offset = ref_off;
  s->pub.ref_size = ref_size;
  s->pub.cand_offset = cand_off;
  s->pub.cand_size = cand_size;
  p->nsections++;
  return s;
}

void eq_section_range(eq_pair *p, eq_section *s, fwvet_equiv_side side,
                      uint64_t off, uint64_t len) {
  eq_different(p);
  if (!s || s->pub.nranges >= EQ_MAX_RANGES)
    return;
  fwvet_equiv_range *r = &s->ranges[s->pub.nranges++];
  r->side = side;
  r->offset = off;
  r->length = len;
  r->cls = 0;
  r->detail = NULL;
}

void eq_section_function(eq_pair *p, eq_section *s, const char *name) {
  if (!s || !name || !*name)
    return;
  for (size_t i = 0; i < s->pub.nfunctions; i++)
    if (!strcmp(s->funcs[i], name))
      return;
  if (s->pub.nfunctions >= EQ_MAX_FUNCTIONS)
    return;
  const char *c = eq_strdup(p->owner, name);
  if (c)
    s->funcs[s->pub.nfunctions++] = c;
}

void eq_finish(fwvet_equiv *eq) {
  eq->overall = FWVET_EQUIV_EQUIVALENT;
  if (eq->nonly[0] || eq->nonly[1])
    eq->overall = FWVET_EQUIV_DIFFERENT;
  for (size_t i = 0; i < eq->npairs; i++) {
    eq_pair *p = &eq->pairs[i];
    if (p->ignored_dropped)
      eq_reason(p, "%zu more ignored ranges not listed", p->ignored_dropped);
    p->pub.reasons = p->reasons;
    p->pub.nreasons = p->nreasons;
    p->pub.ignored = p->ignored;
    p->pub.nignored = p->nignored;
    for (size_t k = 0; k < p->nsections; k++) {
      eq_section *s = &p->sections[k];
      s->pub.ranges = s->ranges;
      s->pub.functions = s->funcs;
    }
    /* The public array is of fwvet_equiv_section: pack them. */
    if (p->nsections) {
      fwvet_equiv_section *secs =
          keep(eq, calloc(p->nsections, sizeof *secs));
      if (secs) {
        for (size_t k = 0; k < p->nsections; k++)
          secs[k] = p->sections[k].pub;
        p->pub.sections = secs;
        p->pub.nsections = p->nsections;
      }
    }
    /* A file found under another name is not where the reference has
     * it: the trees differ even when the bytes do not. */
    if (p->pub.verdict == FWVET_EQUIV_DIFFERENT || p->pub.by_content)
      eq->overall = FWVET_EQUIV_DIFFERENT;
  }
}

void fwvet_equiv_destroy(fwvet_equiv *eq) {
  if (!eq)
    return;
  for (size_t i = 0; i < eq->npairs; i++) {
    free(eq->pairs[i].reasons);
    free(eq->pairs[i].ignored);
    free(eq->pairs[i].sections);
  }
  free(eq->pairs);
  free(eq->only[0]);
  free(eq->only[1]);
  for (size_t i = 0; i < eq->nallocs; i++)
    free(eq->allocs[i]);
  free(eq->allocs);
  fwvet_vfs_destroy(eq->vfs[0]);
  fwvet_vfs_destroy(eq->vfs[1]);
  free(eq);
}

fwvet_equiv_verdict fwvet_equiv_overall(const fwvet_equiv *eq) {
  return eq->overall;
}

size_t fwvet_equiv_pair_count(const fwvet_equiv *eq) { return eq->npairs; }

const fwvet_equiv_pair *fwvet_equiv_pair_at(const fwvet_equiv *eq, size_t i) {
  return i < eq->npairs ? &eq->pairs[i].pub : NULL;
}

size_t fwvet_equiv_only_count(const fwvet_equiv *eq, fwvet_equiv_side side) {
  return side <= FWVET_EQUIV_CANDIDATE ? eq->nonly[side] : 0;
}

const fwvet_equiv_node *fwvet_equiv_only_at(const fwvet_equiv *eq,
                                            fwvet_equiv_side side, size_t i) {
  if (side > FWVET_EQUIV_CANDIDATE || i >= eq->nonly[side])
    return NULL;
  return &eq->only[side][i].node;
}

const char *fwvet_equiv_only_fspath(const fwvet_equiv *eq,
                                    fwvet_equiv_side side, size_t i) {
  if (side > FWVET_EQUIV_CANDIDATE || i >= eq->nonly[side])
    return NULL;
  return eq->only[side][i].fspath;
}

const fwvet_vfs *fwvet_equiv_vfs(const fwvet_equiv *eq,
                                 fwvet_equiv_side side) {
  return side <= FWVET_EQUIV_CANDIDATE ? eq->vfs[side] : NULL;
}

unsigned fwvet_equiv_strict(const fwvet_equiv *eq) { return eq->strict; }
