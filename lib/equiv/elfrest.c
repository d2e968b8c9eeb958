/*
 * The bytes of an ELF file outside its segments and sections: what no
 * header, segment or section accounts for is compared wherever it lies
 * (the same bytes at the same place, or the same bytes moved), else
 * allowed as padding when zero on both sides, else a difference; the
 * section header table, which only says where sections are, differs
 * under "section-headers".
 */
#include <stdlib.h>
#include <string.h>

#include "equiv/elfcmp.h"

static int range_cmp(const void *x, const void *y) {
  const eq_range *a = x, *b = y;
  return a->start < b->start ? -1 : a->start > b->start;
}

size_t eq_merge_ranges(eq_range *r, size_t n) {
  if (!n)
    return 0;
  qsort(r, n, sizeof *r, range_cmp);
  size_t k = 0;
  for (size_t i = 1; i < n; i++) {
    if (r[i].start <= r[k].end) {
      if (r[i].end > r[k].end)
        r[k].end = r[i].end;
    } else {
      r[++k] = r[i];
    }
  }
  return k + 1;
}

/* Bytes no header, segment or section accounts for, in file order. */
static size_t uncovered(const eq_elf *e, eq_range **out) {
  size_t cap = (size_t)e->phnum + e->shnum + 4, n = 0;
  eq_range *r = calloc(cap, sizeof *r);
  *out = NULL;
  if (!r)
    return 0;
  r[n++] = (eq_range){0, e->ehsize};
  if (e->phnum)
    r[n++] = (eq_range){e->phoff, e->phoff + (uint64_t)e->phnum * e->phentsize};
  if (e->shnum)
    r[n++] = (eq_range){e->shoff, e->shoff + (uint64_t)e->shnum * e->shentsize};
  for (unsigned i = 0; i < e->phnum; i++)
    r[n++] = (eq_range){e->ph[i].off, e->ph[i].off + e->ph[i].filesz};
  for (unsigned i = 1; i < e->shnum; i++)
    if (e->sh[i].type != EQ_SHT_NOBITS && e->sh[i].type != 0)
      r[n++] = (eq_range){e->sh[i].off, e->sh[i].off + e->sh[i].size};
  n = eq_merge_ranges(r, n);
  /* Turn the covered list into the gaps between them. */
  eq_range *gaps = calloc(n + 1, sizeof *gaps);
  size_t g = 0;
  uint64_t at = 0;
  for (size_t i = 0; gaps && i < n; i++) {
    if (r[i].start > at)
      gaps[g++] = (eq_range){at, r[i].start};
    at = r[i].end > at ? r[i].end : at;
  }
  if (gaps && at < e->len)
    gaps[g++] = (eq_range){at, e->len};
  free(r);
  *out = gaps;
  return gaps ? g : 0;
}

static int all_zero(const eq_elf *e, const eq_range *g, size_t n) {
  for (size_t i = 0; i < n; i++)
    for (uint64_t k = g[i].start; k < g[i].end; k++)
      if (e->d[k])
        return 0;
  return 1;
}

/* Drops the gaps that are the same bytes at the same place on both
 * sides; what is left is where the two files differ outside everything
 * else. */
static void drop_common_gaps(const eq_cmp *c, eq_range *ga, size_t *na, eq_range *gb,
                             size_t *nb) {
  size_t ka = 0;
  for (size_t i = 0; i < *na; i++) {
    int common = 0;
    for (size_t k = 0; k < *nb && !common; k++)
      if (gb[k].start == ga[i].start && gb[k].end == ga[i].end &&
          !memcmp(c->a.d + ga[i].start, c->b.d + gb[k].start,
                  (size_t)(ga[i].end - ga[i].start))) {
        common = 1;
        gb[k] = gb[--*nb];
      }
    if (!common)
      ga[ka++] = ga[i];
  }
  *na = ka;
  qsort(gb, *nb, sizeof *gb, range_cmp);
}

static int same_gap_bytes(const eq_cmp *c, const eq_range *ga, size_t na,
                          const eq_range *gb, size_t nb) {
  uint64_t ta = 0, tb = 0;
  for (size_t i = 0; i < na; i++)
    ta += ga[i].end - ga[i].start;
  for (size_t i = 0; i < nb; i++)
    tb += gb[i].end - gb[i].start;
  if (ta != tb)
    return 0;
  /* Same bytes in the same order, wherever the gaps fall. */
  size_t i = 0, k = 0;
  uint64_t oa = 0, ob = 0;
  while (i < na && k < nb) {
    uint64_t la = ga[i].end - ga[i].start - oa;
    uint64_t lb = gb[k].end - gb[k].start - ob;
    uint64_t n = la < lb ? la : lb;
    if (memcmp(c->a.d + ga[i].start + oa, c->b.d + gb[k].start + ob,
               (size_t)n))
      return 0;
    oa += n;
    ob += n;
    if (oa == ga[i].end - ga[i].start)
      i++, oa = 0;
    if (ob == gb[k].end - gb[k].start)
      k++, ob = 0;
  }
  return 1;
}

void eq_elf_compare_rest(eq_cmp *c) {
  eq_range *ga, *gb;
  size_t na = uncovered(&c->a, &ga), nb = uncovered(&c->b, &gb);
  if (ga && gb)
    drop_common_gaps(c, ga, &na, gb, &nb);
  if ((!na && !nb) || same_gap_bytes(c, ga, na, gb, nb)) {
    /* nothing outside differs, or the same bytes moved */
  } else if (all_zero(&c->a, ga, na) && all_zero(&c->b, gb, nb)) {
    for (size_t i = 0; i < na; i++)
      eq_ignore(c->p, FWVET_EQUIV_REFERENCE, ga[i].start,
                ga[i].end - ga[i].start, FWVET_EQC_PADDING, "zero padding");
    for (size_t i = 0; i < nb; i++)
      eq_ignore(c->p, FWVET_EQUIV_CANDIDATE, gb[i].start,
                gb[i].end - gb[i].start, FWVET_EQC_PADDING, "zero padding");
  } else {
    eq_section *S = eq_section_get(c->p, "(bytes outside sections)", 0, 0, 0,
                                   0);
    if (na)
      eq_section_range(c->p, S, FWVET_EQUIV_REFERENCE, ga[0].start,
                       ga[0].end - ga[0].start);
    if (nb)
      eq_section_range(c->p, S, FWVET_EQUIV_CANDIDATE, gb[0].start,
                       gb[0].end - gb[0].start);
    eq_reason(c->p, "bytes outside any section or segment differ");
  }
  free(ga);
  free(gb);
  /* The section header table: where sections are, not what is loaded. */
  uint64_t sa = (uint64_t)c->a.shnum * c->a.shentsize;
  uint64_t sb = (uint64_t)c->b.shnum * c->b.shentsize;
  if (sa != sb || (sa && memcmp(c->a.d + c->a.shoff, c->b.d + c->b.shoff,
                                (size_t)sa))) {
    if (sa)
      eq_ignore(c->p, FWVET_EQUIV_REFERENCE, c->a.shoff, sa,
                FWVET_EQC_SECTION_HEADERS, "section header table");
    if (sb)
      eq_ignore(c->p, FWVET_EQUIV_CANDIDATE, c->b.shoff, sb,
                FWVET_EQC_SECTION_HEADERS, "section header table");
  }
}
