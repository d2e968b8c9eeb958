/*
 * ELF normalisation: which bytes of two ELF images may differ without
 * changing what the loader maps and runs.
 *
 * Executables and shared objects: when the ELF header (less the section
 * header fields) and the program headers are equal, the loaded image is
 * the bytes of the segments, and those are compared byte for byte; the
 * only differences allowed inside them are the GNU build-id payload and,
 * in read-only data, build timestamps and build paths of unchanged
 * length.  Everything outside the segments is either a named section
 * (compared unless its class is one the loader never reads: .comment,
 * debug sections, .gnu_debuglink, .symtab/.strtab, .shstrtab), the
 * section header table, or padding; any other byte outside the segments
 * is compared too.  When the program headers differ the pair is different
 * and sections are compared by name to say where.
 *
 * Relocatable objects (.ko, .o) are not loaded by segments: every section
 * is compared by name, and symbols count (they are linked against).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "equiv/elfcmp.h"

static const char modsig_magic[] = "~Module signature appended~\n";

/* Length of a kernel module signature appended to d[0..len), or 0. */
static size_t modsig_len(const uint8_t *d, size_t len) {
  size_t m = sizeof modsig_magic - 1;
  if (len < m + 12 || memcmp(d + len - m, modsig_magic, m))
    return 0;
  const uint8_t *ms = d + len - m - 12; /* struct module_signature */
  uint64_t sig = ((uint64_t)ms[8] << 24) | ((uint64_t)ms[9] << 16) |
                 ((uint64_t)ms[10] << 8) | ms[11];
  uint64_t total = m + 12 + sig + ms[3] + ms[4];
  return total <= len ? (size_t)total : 0;
}

static void add_build_ids(eq_cmp *c, int side, const eq_elf *e, uint64_t off,
                          uint64_t size) {
  uint64_t pos = 0;
  while (pos + 12 <= size && c->nbid[side] < MAX_NOTES) {
    const uint8_t *n = e->d + off + pos;
    uint64_t namesz, descsz, type;
    if (e->be) {
      namesz = ((uint64_t)n[0] << 24) | (n[1] << 16) | (n[2] << 8) | n[3];
      descsz = ((uint64_t)n[4] << 24) | (n[5] << 16) | (n[6] << 8) | n[7];
      type = ((uint64_t)n[8] << 24) | (n[9] << 16) | (n[10] << 8) | n[11];
    } else {
      namesz = ((uint64_t)n[3] << 24) | (n[2] << 16) | (n[1] << 8) | n[0];
      descsz = ((uint64_t)n[7] << 24) | (n[6] << 16) | (n[5] << 8) | n[4];
      type = ((uint64_t)n[11] << 24) | (n[10] << 16) | (n[9] << 8) | n[8];
    }
    uint64_t name_at = pos + 12, desc_at = name_at + ((namesz + 3) & ~3ull);
    if (desc_at > size || descsz > size - desc_at)
      return;
    if (type == 3 && namesz == 4 && !memcmp(e->d + off + name_at, "GNU", 4)) {
      note_range *r = &c->bid[side][c->nbid[side]++];
      r->off = off + desc_at;
      r->len = descsz;
    }
    pos = desc_at + ((descsz + 3) & ~3ull);
  }
}

static void find_build_ids(eq_cmp *c, int side, const eq_elf *e) {
  for (unsigned i = 0; i < e->phnum; i++)
    if (e->ph[i].type == EQ_PT_NOTE)
      add_build_ids(c, side, e, e->ph[i].off, e->ph[i].filesz);
  for (unsigned i = 1; i < e->shnum; i++)
    if (e->sh[i].type == EQ_SHT_NOTE &&
        !strcmp(e->sh[i].name, ".note.gnu.build-id"))
      add_build_ids(c, side, e, e->sh[i].off, e->sh[i].size);
}

static const note_range *in_build_id(const eq_cmp *c, int side, uint64_t off) {
  for (size_t i = 0; i < c->nbid[side]; i++)
    if (off >= c->bid[side][i].off &&
        off - c->bid[side][i].off < c->bid[side][i].len)
      return &c->bid[side][i];
  return NULL;
}

static int starts_with(const char *s, const char *prefix) {
  return !strncmp(s, prefix, strlen(prefix));
}

/* The class under which a section (not loaded) may differ, or 0. */
unsigned eq_elf_section_class(const eq_shdr *s, int rel) {
  const char *n = s->name;
  if (s->flags & EQ_SHF_ALLOC)
    return !strcmp(n, ".note.gnu.build-id") ? FWVET_EQC_BUILD_ID : 0;
  if (!strcmp(n, ".comment"))
    return FWVET_EQC_COMMENT;
  if (!strcmp(n, ".gnu_debuglink") || !strcmp(n, ".gnu_debugaltlink"))
    return FWVET_EQC_DEBUGLINK;
  if (starts_with(n, ".debug") || starts_with(n, ".zdebug") ||
      starts_with(n, ".rela.debug") || starts_with(n, ".rel.debug"))
    return FWVET_EQC_DEBUG;
  if (!strcmp(n, ".shstrtab"))
    return FWVET_EQC_SECTION_HEADERS;
  if (!strcmp(n, ".note.gnu.build-id"))
    return FWVET_EQC_BUILD_ID;
  if (!rel && (s->type == EQ_SHT_SYMTAB || !strcmp(n, ".symtab") ||
               !strcmp(n, ".strtab")))
    return FWVET_EQC_SYMBOLS;
  return 0;
}

static int is_rodata(const eq_shdr *s) {
  return s && (s->flags & EQ_SHF_ALLOC) &&
         !(s->flags & (EQ_SHF_WRITE | EQ_SHF_EXECINSTR));
}

/* A quoted, printable copy of a token for the ignored range's detail. */
static void quote(char *out, size_t cap, const uint8_t *p, size_t n) {
  size_t o = 0;
  if (n > 96)
    n = 96;
  for (size_t i = 0; i < n && o + 2 < cap; i++)
    out[o++] = (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"') ? (char)p[i]
                                                            : '.';
  out[o] = 0;
}

static void text_detail(char *out, size_t cap, const char *sec,
                        const uint8_t *a, const uint8_t *b, size_t n) {
  char qa[100], qb[100];
  quote(qa, sizeof qa, a, n);
  quote(qb, sizeof qb, b, n);
  snprintf(out, cap, "%s: \"%s\" vs \"%s\"", sec, qa, qb);
}

/* A changed string in read-only data: show both versions. */
static void say_strings(eq_cmp *c, const eq_shdr *sa, const eq_shdr *sb,
                        size_t s, size_t e) {
  const uint8_t *a = c->a.d + sa->off, *b = c->b.d + sb->off;
  for (size_t i = s; i < e; i++)
    if (a[i] < 0x20 || a[i] >= 0x7f || b[i] < 0x20 || b[i] >= 0x7f)
      return;
  while (s > 0 && a[s - 1] >= 0x20 && a[s - 1] < 0x7f && b[s - 1] >= 0x20 &&
         b[s - 1] < 0x7f && e - s < 96)
    s--;
  while (e < sa->size && a[e] >= 0x20 && a[e] < 0x7f && b[e] >= 0x20 &&
         b[e] < 0x7f && e - s < 96)
    e++;
  char detail[320];
  text_detail(detail, sizeof detail, sa->name, a + s, b + s, e - s);
  eq_reason(c->p, "%s", detail);
}

/* Names the function and, once, the first differing instruction. */
static void name_code(eq_cmp *c, eq_section *S, const eq_shdr *sa,
                      const eq_shdr *sb, uint64_t rel_off) {
  unsigned ia = c->a.type == EQ_ET_REL ? (unsigned)(sa - c->a.sh) : 0;
  unsigned ib = sb && c->b.type == EQ_ET_REL ? (unsigned)(sb - c->b.sh) : 0;
  uint64_t addr_a = (ia ? 0 : sa->addr) + rel_off;
  uint64_t addr_b = sb ? (ib ? 0 : sb->addr) + rel_off : addr_a;
  const eq_sym *y = eq_elf_symbol_at(&c->a, ia, addr_a);
  const eq_elf *ye = &c->a;
  if (!y && sb) {
    y = eq_elf_symbol_at(&c->b, ib, addr_b);
    ye = &c->b;
  }
  if (y)
    eq_section_function(c->p, S, y->name);
  if (c->insn_done || !sb || !(sa->flags & EQ_SHF_EXECINSTR) ||
      !(sb->flags & EQ_SHF_EXECINSTR))
    return;
  c->insn_done = 1;
  /* Decode from the function's start (or the section's) so that
   * variable-length code stays in step. */
  int thumb = y && c->a.machine == 40 && (y->value & 1);
  uint64_t start = y ? (y->value & ~(uint64_t)thumb) : (ia ? 0 : sa->addr);
  uint64_t base_a = ye == &c->a ? addr_a : addr_b;
  uint64_t sec_base = (ye == &c->a ? (ia ? 0 : sa->addr) : (ib ? 0 : sb->addr));
  if (start < sec_base || start > base_a || base_a - start > (1u << 20))
    return;
  uint64_t from = start - sec_base; /* offset into the sections */
  uint64_t len_a = sa->size > from ? sa->size - from : 0;
  uint64_t len_b = sb->size > from ? sb->size - from : 0;
  if (!len_a || !len_b)
    return;
  eq_bytes ra = {c->a.d + sa->off + from, (size_t)len_a};
  eq_bytes rb = {c->b.d + sb->off + from, (size_t)len_b};
  char ta[160], tb[160];
  if (eq_first_insn(c->a.machine, c->a.be, thumb, start, ra, rb, ta,
                    tb, sizeof ta) == 0 && S) {
    S->pub.ref_insn = eq_strdup(c->p->owner, ta);
    S->pub.cand_insn = eq_strdup(c->p->owner, tb);
  }
}

/* One run of differing bytes at section-relative [s, e) of a section
 * present on both sides at `sa`/`sb`, or of a segment range. */
static void judge_run(eq_cmp *c, const eq_shdr *sa, const eq_shdr *sb,
                      uint64_t off_a, uint64_t off_b, size_t s, size_t e) {
  if (sa && sb && is_rodata(sa) && is_rodata(sb) && sa->size == sb->size) {
    size_t is, ie;
    unsigned cls = eq_text_rule(c->a.d + sa->off, c->b.d + sb->off,
                                (size_t)sa->size, (size_t)(off_a - sa->off) + s,
                                (size_t)(off_a - sa->off) + e, &is, &ie);
    if (cls) {
      char detail[320];
      text_detail(detail, sizeof detail, sa->name, c->a.d + sa->off + is,
                  c->b.d + sb->off + is, ie - is);
      if (eq_ignore(c->p, FWVET_EQUIV_REFERENCE, sa->off + is, ie - is, cls,
                    detail))
        eq_ignore(c->p, FWVET_EQUIV_CANDIDATE, sb->off + is, ie - is, cls,
                  detail);
      return;
    }
  }
  const char *name = sa ? (*sa->name ? sa->name : "(unnamed section)")
                        : "(bytes outside sections)";
  if (sa && sb && is_rodata(sa) && sa->size == sb->size)
    say_strings(c, sa, sb, (size_t)(off_a - sa->off) + s,
                (size_t)(off_a - sa->off) + e);
  eq_section *S = eq_section_get(c->p, name, sa ? sa->off : off_a,
                                 sa ? sa->size : 0, sb ? sb->off : off_b,
                                 sb ? sb->size : 0);
  eq_section_range(c->p, S, FWVET_EQUIV_BOTH, off_a + s, e - s);
  if (sa && (sa->flags & EQ_SHF_ALLOC || c->a.type == EQ_ET_REL))
    name_code(c, S, sa, sb, off_a + s - sa->off);
}

typedef struct seg_walk {
  eq_cmp *c;
  uint64_t base;
} seg_walk;

static int on_segment_run(void *ud, size_t s, size_t e) {
  seg_walk *w = ud;
  eq_cmp *c = w->c;
  uint64_t at = w->base + s, end = w->base + e;
  if (++c->runs > MAX_RUNS) {
    eq_different(c->p);
    return 1;
  }
  if (at < c->a.ehsize)
    at = c->a.ehsize < end ? c->a.ehsize : end; /* judged field by field */
  while (at < end) {
    const note_range *ra = in_build_id(c, 0, at), *rb = in_build_id(c, 1, at);
    if (ra && rb && ra->off == rb->off && ra->len == rb->len) {
      uint64_t stop = ra->off + ra->len < end ? ra->off + ra->len : end;
      if (eq_ignore(c->p, FWVET_EQUIV_REFERENCE, ra->off, ra->len,
                    FWVET_EQC_BUILD_ID, "GNU build-id note"))
        eq_ignore(c->p, FWVET_EQUIV_CANDIDATE, rb->off, rb->len,
                  FWVET_EQC_BUILD_ID, "GNU build-id note");
      at = stop;
      continue;
    }
    /* The rest of the run, up to the next build-id byte if any. */
    uint64_t stop = at + 1;
    while (stop < end && !in_build_id(c, 0, stop))
      stop++;
    const eq_shdr *sa = eq_elf_section_at(&c->a, at);
    const eq_shdr *sb = eq_elf_section_at(&c->b, at);
    if (sa && sb && (strcmp(sa->name, sb->name) || sa->off != sb->off))
      sb = NULL;
    judge_run(c, sa, sb, at, at, 0, (size_t)(stop - at));
    at = stop;
  }
  return 0;
}

static int inside(const eq_range *r, size_t n, uint64_t s, uint64_t e) {
  for (size_t i = 0; i < n; i++)
    if (s >= r[i].start && e <= r[i].end)
      return 1;
  return 0;
}

/* The file ranges of the segments (equal on both sides here). */
static eq_range *segment_ranges(const eq_elf *e, size_t *n) {
  eq_range *r = calloc(e->phnum + 1, sizeof *r);
  size_t k = 0;
  for (unsigned i = 0; r && i < e->phnum; i++)
    if (e->ph[i].filesz)
      r[k++] = (eq_range){e->ph[i].off, e->ph[i].off + e->ph[i].filesz};
  *n = r ? eq_merge_ranges(r, k) : 0;
  return r;
}

static int header_run_ok(eq_cmp *c, size_t s, size_t e) {
  /* e_shoff .. e_shstrndx: where the section header table is */
  size_t f1 = c->a.is64 ? 0x28 : 0x20, l1 = c->a.is64 ? 8 : 4;
  size_t f2 = c->a.is64 ? 0x3a : 0x2e;
  for (size_t i = s; i < e; i++)
    if (!((i >= f1 && i < f1 + l1) || (i >= f2 && i < f2 + 6)))
      return 0;
  return 1;
}

static int on_header_run(void *ud, size_t s, size_t e) {
  eq_cmp *c = ud;
  if (header_run_ok(c, s, e)) {
    if (eq_ignore(c->p, FWVET_EQUIV_REFERENCE, s, e - s,
                  FWVET_EQC_SECTION_HEADERS,
                  "ELF header: section header table offset/count"))
      eq_ignore(c->p, FWVET_EQUIV_CANDIDATE, s, e - s,
                FWVET_EQC_SECTION_HEADERS,
                "ELF header: section header table offset/count");
    return 0;
  }
  eq_section *S = eq_section_get(c->p, "ELF header", 0, c->a.ehsize, 0,
                                 c->b.ehsize);
  eq_section_range(c->p, S, FWVET_EQUIV_BOTH, s, e - s);
  return 0;
}

typedef struct sec_walk {
  eq_cmp *c;
  const eq_shdr *sa, *sb;
} sec_walk;

static int on_section_run(void *ud, size_t s, size_t e) {
  sec_walk *w = ud;
  if (++w->c->runs > MAX_RUNS) {
    eq_different(w->c->p);
    return 1;
  }
  judge_run(w->c, w->sa, w->sb, w->sa->off, w->sb->off, s, e);
  return 0;
}

/* Sizes differ: name the functions of the section whose bytes differ. */
static void name_changed_functions(eq_cmp *c, eq_section *S, const eq_shdr *sa,
                                   const eq_shdr *sb) {
  unsigned ia = c->a.type == EQ_ET_REL ? (unsigned)(sa - c->a.sh) : 0;
  unsigned ib = c->b.type == EQ_ET_REL ? (unsigned)(sb - c->b.sh) : 0;
  uint64_t base_a = ia ? 0 : sa->addr, base_b = ib ? 0 : sb->addr;
  if (c->a.nsym * c->b.nsym > ((size_t)1 << 24))
    return;
  for (size_t i = 0; i < c->a.nsym; i++) {
    const eq_sym *x = &c->a.sym[i];
    if (x->sec != ia || x->value < base_a || x->value - base_a >= sa->size)
      continue;
    for (size_t k = 0; k < c->b.nsym; k++) {
      const eq_sym *y = &c->b.sym[k];
      if (y->sec != ib || strcmp(x->name, y->name))
        continue;
      uint64_t oa = x->value - base_a, ob = y->value - base_b;
      int same = x->size == y->size && y->value >= base_b &&
                 fwvet_fits(oa, x->size, sa->size) &&
                 fwvet_fits(ob, y->size, sb->size) &&
                 !memcmp(c->a.d + sa->off + oa, c->b.d + sb->off + ob,
                         (size_t)x->size);
      if (!same)
        eq_section_function(c->p, S, x->name);
      break;
    }
  }
}

static void compare_named(eq_cmp *c, const eq_shdr *sa, const eq_shdr *sb) {
  if (sa->size == sb->size) {
    sec_walk w = {c, sa, sb};
    eq_diff_runs(c->a.d + sa->off, c->b.d + sb->off, (size_t)sa->size, 0,
                 on_section_run, &w);
    return;
  }
  eq_section *S = eq_section_get(c->p, sa->name, sa->off, sa->size, sb->off,
                                 sb->size);
  eq_reason(c->p, "%s: size %llu vs %llu bytes", sa->name,
            (unsigned long long)sa->size, (unsigned long long)sb->size);
  uint64_t n = sa->size < sb->size ? sa->size : sb->size, first = n;
  for (uint64_t i = 0; i < n; i++)
    if (c->a.d[sa->off + i] != c->b.d[sb->off + i]) {
      first = i;
      break;
    }
  eq_section_range(c->p, S, FWVET_EQUIV_BOTH, sa->off + first,
                   (sa->size > sb->size ? sa->size : sb->size) - first);
  name_changed_functions(c, S, sa, sb);
  if (first < n)
    name_code(c, S, sa, sb, first);
}

static int same_bytes(const eq_cmp *c, const eq_shdr *sa, const eq_shdr *sb) {
  if (sa->type == EQ_SHT_NOBITS || sb->type == EQ_SHT_NOBITS)
    return sa->type == sb->type && sa->size == sb->size;
  return sa->size == sb->size &&
         !memcmp(c->a.d + sa->off, c->b.d + sb->off, (size_t)sa->size);
}

static void one_sided(eq_cmp *c, int side, const eq_shdr *s) {
  int rel = (side ? c->b.type : c->a.type) == EQ_ET_REL;
  unsigned cls = eq_elf_section_class(s, rel);
  fwvet_equiv_side sd = side ? FWVET_EQUIV_CANDIDATE : FWVET_EQUIV_REFERENCE;
  if (cls) {
    eq_ignore(c->p, sd, s->off, s->type == EQ_SHT_NOBITS ? 0 : s->size, cls,
              s->name);
    return;
  }
  eq_section *S = eq_section_get(c->p, s->name, side ? 0 : s->off,
                                 side ? 0 : s->size, side ? s->off : 0,
                                 side ? s->size : 0);
  (void)S;
  eq_reason(c->p, "section %s only in the %s", s->name,
            side ? "candidate" : "reference");
}

/* Relocatable objects: a symbol table, relocations or group equal but
 * for indices, or the string table of a symbol table that is. */
static int renumbered(const eq_cmp *c, const eq_shdr *sa, const eq_shdr *sb) {
  if (eq_rel_same(&c->a, sa, &c->b, sb))
    return 1;
  if (sa->type != 3 || sb->type != 3)
    return 0;
  for (unsigned i = 1; i < c->a.shnum; i++) {
    const eq_shdr *ta = &c->a.sh[i];
    if (ta->type != EQ_SHT_SYMTAB || ta->link >= c->a.shnum ||
        &c->a.sh[ta->link] != sa)
      continue;
    const eq_shdr *tb = eq_elf_section_named(&c->b, ta->name, 0);
    return tb && tb->link < c->b.shnum && &c->b.sh[tb->link] == sb &&
           eq_rel_same(&c->a, ta, &c->b, tb);
  }
  return 0;
}

/* Sections compared by name: all of them when `all`, else those outside
 * the (already compared) segments. */
static void compare_sections(eq_cmp *c, int all, const eq_range *seg, size_t nseg) {
  int rel = c->a.type == EQ_ET_REL;
  for (unsigned i = 1; i < c->a.shnum; i++) {
    const eq_shdr *sa = &c->a.sh[i];
    if (sa->type == 0 ||
        (!all && sa->type != EQ_SHT_NOBITS && (sa->flags & EQ_SHF_ALLOC) &&
         inside(seg, nseg, sa->off, sa->off + sa->size)) ||
        (!all && sa->type == EQ_SHT_NOBITS && (sa->flags & EQ_SHF_ALLOC)))
      continue;
    const eq_shdr *sb =
        eq_elf_section_named(&c->b, sa->name, eq_elf_section_nth(&c->a, sa));
    if (!sb) {
      one_sided(c, 0, sa);
      continue;
    }
    if (rel && (sa->type != sb->type || sa->flags != sb->flags ||
                sa->align != sb->align || sa->entsize != sb->entsize)) {
      eq_section_get(c->p, sa->name, sa->off, sa->size, sb->off, sb->size);
      eq_reason(c->p, "%s: section attributes differ", sa->name);
    }
    if (same_bytes(c, sa, sb))
      continue;
    unsigned cls = eq_elf_section_class(sa, rel);
    if (!cls && rel && renumbered(c, sa, sb)) {
      char d[160];
      snprintf(d, sizeof d, "%s: same entries, indices renumbered by "
               "debug sections", sa->name);
      if (eq_ignore(c->p, FWVET_EQUIV_REFERENCE, sa->off, sa->size,
                    FWVET_EQC_DEBUG, d))
        eq_ignore(c->p, FWVET_EQUIV_CANDIDATE, sb->off, sb->size,
                  FWVET_EQC_DEBUG, d);
      continue;
    }
    if (cls) {
      if (eq_ignore(c->p, FWVET_EQUIV_REFERENCE, sa->off, sa->size, cls,
                    sa->name))
        eq_ignore(c->p, FWVET_EQUIV_CANDIDATE, sb->off, sb->size, cls,
                  sb->name);
      continue;
    }
    if (sa->type == EQ_SHT_NOBITS || sb->type == EQ_SHT_NOBITS) {
      eq_section_get(c->p, sa->name, sa->off, sa->size, sb->off, sb->size);
      eq_reason(c->p, "%s: size or type differs", sa->name);
      continue;
    }
    compare_named(c, sa, sb);
  }
  for (unsigned i = 1; i < c->b.shnum; i++) {
    const eq_shdr *sb = &c->b.sh[i];
    if (sb->type == 0 ||
        (!all && (sb->flags & EQ_SHF_ALLOC) &&
         (sb->type == EQ_SHT_NOBITS ||
          inside(seg, nseg, sb->off, sb->off + sb->size))))
      continue;
    if (!eq_elf_section_named(&c->a, sb->name, eq_elf_section_nth(&c->b, sb)))
      one_sided(c, 1, sb);
  }
}

static int same_program_headers(const eq_cmp *c) {
  if (c->a.phnum != c->b.phnum || c->a.phentsize != c->b.phentsize)
    return 0;
  for (unsigned i = 0; i < c->a.phnum; i++) {
    const eq_phdr *x = &c->a.ph[i], *y = &c->b.ph[i];
    if (x->type != y->type || x->flags != y->flags || x->off != y->off ||
        x->vaddr != y->vaddr || x->paddr != y->paddr ||
        x->filesz != y->filesz || x->memsz != y->memsz || x->align != y->align)
      return 0;
  }
  return 1;
}

static void compare_images(eq_cmp *c) {
  size_t eh = c->a.ehsize < c->b.ehsize ? c->a.ehsize : c->b.ehsize;
  if (c->a.ehsize != c->b.ehsize) {
    eq_section_get(c->p, "ELF header", 0, c->a.ehsize, 0, c->b.ehsize);
    eq_reason(c->p, "ELF header size differs");
  }
  eq_diff_runs(c->a.d, c->b.d, eh, 0, on_header_run, c);
  find_build_ids(c, 0, &c->a);
  find_build_ids(c, 1, &c->b);
  size_t nseg = 0;
  eq_range *seg = NULL;
  int all = c->a.type == EQ_ET_REL;
  if (!all && same_program_headers(c)) {
    seg = segment_ranges(&c->a, &nseg);
    if (!seg) {
      eq_different(c->p);
      return;
    }
    for (size_t i = 0; i < nseg; i++) {
      seg_walk w = {c, seg[i].start};
      eq_diff_runs(c->a.d + seg[i].start, c->b.d + seg[i].start,
                   (size_t)(seg[i].end - seg[i].start), 0, on_segment_run,
                   &w);
    }
  } else if (!all) {
    eq_section_get(c->p, "program headers", c->a.phoff,
                   (uint64_t)c->a.phnum * c->a.phentsize, c->b.phoff,
                   (uint64_t)c->b.phnum * c->b.phentsize);
    eq_reason(c->p, "program headers differ (segments moved or resized)");
    all = 1;
  }
  compare_sections(c, all, seg, nseg);
  free(seg);
  eq_elf_compare_rest(c);
}

int eq_compare_elf(eq_pair *p, eq_bytes ref, eq_bytes cand) {
  size_t sig_a = modsig_len(ref.data, ref.len);
  size_t sig_b = modsig_len(cand.data, cand.len);
  eq_cmp *c = calloc(1, sizeof *c);
  if (!c) {
    eq_different(p);
    return 0;
  }
  c->p = p;
  if (eq_elf_parse(ref.data, ref.len - sig_a, &c->a) ||
      eq_elf_parse(cand.data, cand.len - sig_b, &c->b)) {
    eq_elf_release(&c->a);
    free(c);
    return -1;
  }
  if (c->a.is64 != c->b.is64 || c->a.be != c->b.be ||
      c->a.machine != c->b.machine || c->a.type != c->b.type) {
    eq_section_get(p, "ELF header", 0, c->a.ehsize, 0, c->b.ehsize);
    eq_reason(p, "ELF class, byte order, machine or type differs");
  } else {
    compare_images(c);
  }
  if ((sig_a || sig_b) &&
      (sig_a != sig_b || memcmp(ref.data + ref.len - sig_a,
                                cand.data + cand.len - sig_b, sig_a))) {
    if (sig_a)
      eq_ignore(p, FWVET_EQUIV_REFERENCE, ref.len - sig_a, sig_a,
                FWVET_EQC_MODULE_SIG, "appended module signature");
    if (sig_b)
      eq_ignore(p, FWVET_EQUIV_CANDIDATE, cand.len - sig_b, sig_b,
                FWVET_EQC_MODULE_SIG, "appended module signature");
  }
  eq_elf_release(&c->a);
  eq_elf_release(&c->b);
  free(c);
  return 0;
}
