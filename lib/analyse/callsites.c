/*
 * Call sites of imported functions in one ELF file: what is common to
 * every architecture.  Reads the section headers and the relocations
 * that name each imported function's GOT slot (JUMP_SLOT, GLOB_DAT; on
 * MIPS also the global GOT, callsites_mips.c), then hands over to the
 * architecture's pass, which finds the stubs that jump through a slot
 * and counts the direct calls to stubs and slots:
 *   x86-64    capstone (variable-length instructions), callsites_x86.c
 *   AArch64   fixed-width bl/b decoded from the words, callsites_arm.c
 *   ARM       A32 and Thumb-2 bl/blx/b decoded, callsites_arm.c
 *   MIPS      o32 lw $t9 from the GOT then jalr $t9, and jal to PLT or
 *             .MIPS.stubs entries, callsites_mips.c
 * Section headers are needed: an sstripped file falls back to the import
 * table.  Nothing read from the file is trusted: every offset, size,
 * count and index is checked against the file before use, and the work
 * is bounded by the bytes of executable sections.
 */
#include <stdlib.h>
#include <string.h>

#include "analyse/callsites.h"
#include "analyse/callsites_elf.h"

#define SHT_PROGBITS_ 1u
#define SHT_RELA_ 4u
#define SHT_NOBITS_ 8u
#define SHT_REL_ 9u
#define SHF_EXECINSTR_ 4u

uint64_t fwvet_cs_rd(const fwvet_cs_elf *c, const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  if (c->be)
    for (unsigned i = 0; i < n; i++)
      v = v << 8 | p[i];
  else
    for (unsigned i = n; i-- > 0;)
      v = v << 8 | p[i];
  return v;
}

int fwvet_cs_shdr_get(const fwvet_cs_elf *c, unsigned i, fwvet_cs_shdr *s) {
  if (i >= c->shnum)
    return -1;
  const uint8_t *p = c->d + c->shoff + (uint64_t)i * c->shentsize;
  s->name = (uint32_t)fwvet_cs_rd(c, p, 4);
  s->type = (uint32_t)fwvet_cs_rd(c, p + 4, 4);
  if (c->is64) {
    s->flags = fwvet_cs_rd(c, p + 8, 8);
    s->addr = fwvet_cs_rd(c, p + 16, 8);
    s->off = fwvet_cs_rd(c, p + 24, 8);
    s->size = fwvet_cs_rd(c, p + 32, 8);
    s->link = (uint32_t)fwvet_cs_rd(c, p + 40, 4);
    s->entsize = fwvet_cs_rd(c, p + 56, 8);
  } else {
    s->flags = fwvet_cs_rd(c, p + 8, 4);
    s->addr = fwvet_cs_rd(c, p + 12, 4);
    s->off = fwvet_cs_rd(c, p + 16, 4);
    s->size = fwvet_cs_rd(c, p + 20, 4);
    s->link = (uint32_t)fwvet_cs_rd(c, p + 24, 4);
    s->entsize = fwvet_cs_rd(c, p + 36, 4);
  }
  if (s->type == SHT_NOBITS_) {
    s->size = 0; /* no bytes in the file */
    return 0;
  }
  return s->off > c->len || s->size > c->len - s->off ? -1 : 0;
}

const char *fwvet_cs_str(const fwvet_cs_elf *c, unsigned sec, uint64_t off) {
  fwvet_cs_shdr s;
  if (fwvet_cs_shdr_get(c, sec, &s) || off >= s.size)
    return NULL;
  const char *p = (const char *)c->d + s.off + off;
  return memchr(p, '\0', (size_t)(s.size - off)) ? p : NULL;
}

static int cmp_slot(const void *a, const void *b) {
  const fwvet_cs_slot *x = a, *y = b;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

const fwvet_cs_slot *fwvet_cs_find(const fwvet_cs_slot *v, size_t n,
                                   uint64_t addr) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid].addr == addr)
      return &v[mid];
    if (v[mid].addr < addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static fwvet_status grow(void **v, size_t *cap, size_t size) {
  size_t n = *cap ? *cap * 2 : 64;
  if (n > 2 * FWVET_CS_MAX_SLOTS)
    return FWVET_ELIMIT;
  void *p = realloc(*v, n * size);
  if (!p)
    return FWVET_ENOMEM;
  *v = p;
  *cap = n;
  return FWVET_OK;
}

fwvet_status fwvet_cs_add_got(fwvet_cs_elf *c, uint64_t addr,
                              const char *name) {
  fwvet_status st;
  if (c->ngot == FWVET_CS_MAX_SLOTS)
    return FWVET_ELIMIT;
  if (c->ngot == c->capgot &&
      (st = grow((void **)&c->got, &c->capgot, sizeof *c->got)))
    return st;
  if (c->nnames == c->capnames &&
      (st = grow((void **)&c->names, &c->capnames, sizeof *c->names)))
    return st;
  c->got[c->ngot++] = (fwvet_cs_slot){addr, c->nnames};
  c->names[c->nnames++] = name;
  return FWVET_OK;
}

fwvet_status fwvet_cs_add_stub(fwvet_cs_elf *c, uint64_t addr, size_t sym) {
  fwvet_status st;
  if (c->nplt == c->capplt &&
      (st = grow((void **)&c->plt, &c->capplt, sizeof *c->plt)))
    return st;
  c->plt[c->nplt++] = (fwvet_cs_slot){addr, sym};
  return FWVET_OK;
}

void fwvet_cs_sort_stubs(fwvet_cs_elf *c) {
  if (c->nplt)
    qsort(c->plt, c->nplt, sizeof *c->plt, cmp_slot);
}

fwvet_status fwvet_cs_each_section(fwvet_cs_elf *c, int stubs,
                                   fwvet_cs_section_fn fn, void *ud) {
  uint64_t bytes = 0;
  for (unsigned i = 0; i < c->shnum; i++) {
    fwvet_cs_shdr s;
    if (fwvet_cs_shdr_get(c, i, &s))
      return FWVET_ECORRUPT;
    const char *name = fwvet_cs_str(c, c->shstrndx, s.name);
    if (s.type != SHT_PROGBITS_ || !(s.flags & SHF_EXECINSTR_) || !name)
      continue;
    int is_stubs = !strncmp(name, ".plt", 4) || !strcmp(name, ".MIPS.stubs");
    if (is_stubs != stubs)
      continue;
    if ((bytes += s.size) > FWVET_CS_MAX_TEXT_BYTES)
      return FWVET_ELIMIT;
    fwvet_status st = fn(c, ud, s.addr, c->d + s.off, (size_t)s.size);
    if (st)
      return st;
  }
  return FWVET_OK;
}

static int is_slot_reloc(unsigned em, uint32_t type) {
  switch (em) {
  case FWVET_CS_EM_X86_64:
    return type == 7 /* JUMP_SLOT */ || type == 6 /* GLOB_DAT */;
  case FWVET_CS_EM_AARCH64:
    return type == 1026 /* JUMP_SLOT */ || type == 1025 /* GLOB_DAT */;
  case FWVET_CS_EM_ARM:
    return type == 22 /* JUMP_SLOT */ || type == 21 /* GLOB_DAT */;
  default: /* MIPS: the global GOT has no relocations, the PLT has */
    return type == 127 /* JUMP_SLOT */;
  }
}

/* Names and GOT slots from one SHT_REL or SHT_RELA section. */
static fwvet_status read_reloc_section(fwvet_cs_elf *c,
                                       const fwvet_cs_shdr *r) {
  unsigned w = c->is64 ? 8 : 4;
  uint64_t ent = (r->type == SHT_RELA_ ? 3u : 2u) * w;
  uint64_t syment = c->is64 ? 24 : 16;
  fwvet_cs_shdr sym;
  if (r->entsize != ent || fwvet_cs_shdr_get(c, r->link, &sym) || !sym.size)
    return FWVET_OK;
  for (uint64_t k = 0; k + ent <= r->size; k += ent) {
    const uint8_t *p = c->d + r->off + k;
    uint64_t info = fwvet_cs_rd(c, p + w, w);
    uint64_t si = c->is64 ? info >> 32 : info >> 8;
    uint32_t type = (uint32_t)(c->is64 ? info : info & 0xff);
    if (!is_slot_reloc(c->em, type) || !si)
      continue;
    if (si >= sym.size / syment)
      return FWVET_ECORRUPT;
    const char *name = fwvet_cs_str(
        c, sym.link, fwvet_cs_rd(c, c->d + sym.off + si * syment, 4));
    if (!name || !*name)
      continue;
    fwvet_status st = fwvet_cs_add_got(c, fwvet_cs_rd(c, p, w), name);
    if (st)
      return st;
  }
  return FWVET_OK;
}

static fwvet_status read_relocs(fwvet_cs_elf *c) {
  for (unsigned i = 0; i < c->shnum; i++) {
    fwvet_cs_shdr r;
    if (fwvet_cs_shdr_get(c, i, &r))
      return FWVET_ECORRUPT;
    if (r.type != SHT_RELA_ && r.type != SHT_REL_)
      continue;
    fwvet_status st = read_reloc_section(c, &r);
    if (st)
      return st;
  }
  if (c->em == FWVET_CS_EM_MIPS) {
    fwvet_status st = fwvet_cs_mips_got(c);
    if (st)
      return st;
  }
  if (!c->ngot)
    return FWVET_EUNSUPPORTED;
  qsort(c->got, c->ngot, sizeof *c->got, cmp_slot);
  c->calls = calloc(c->nnames, sizeof *c->calls);
  return c->calls ? FWVET_OK : FWVET_ENOMEM;
}

/* The architectures counted: byte order and class each pass handles. */
static int supported(unsigned em, int is64, int be) {
  switch (em) {
  case FWVET_CS_EM_X86_64:
  case FWVET_CS_EM_AARCH64:
    return is64 && !be;
  case FWVET_CS_EM_ARM:
    return !is64 && !be; /* BE8 would need data and code byte orders */
  case FWVET_CS_EM_MIPS:
    return !is64; /* o32; n64 relocations have another layout */
  default:
    return 0;
  }
}

static fwvet_status parse_header(fwvet_cs_elf *c) {
  const uint8_t *d = c->d;
  if (c->len < 52 || memcmp(d, "\177ELF", 4))
    return FWVET_ECORRUPT;
  if ((d[4] != 1 && d[4] != 2) || (d[5] != 1 && d[5] != 2))
    return FWVET_EUNSUPPORTED;
  c->is64 = d[4] == 2;
  c->be = d[5] == 2;
  if (c->is64 && c->len < 64)
    return FWVET_ECORRUPT;
  c->em = (unsigned)fwvet_cs_rd(c, d + 18, 2);
  if (!supported(c->em, c->is64, c->be))
    return FWVET_EUNSUPPORTED;
  unsigned minent = c->is64 ? 64 : 40;
  if (c->is64) {
    c->entry = fwvet_cs_rd(c, d + 24, 8);
    c->shoff = fwvet_cs_rd(c, d + 40, 8);
    c->shentsize = (unsigned)fwvet_cs_rd(c, d + 58, 2);
    c->shnum = (unsigned)fwvet_cs_rd(c, d + 60, 2);
    c->shstrndx = (unsigned)fwvet_cs_rd(c, d + 62, 2);
  } else {
    c->entry = fwvet_cs_rd(c, d + 24, 4);
    c->shoff = fwvet_cs_rd(c, d + 32, 4);
    c->shentsize = (unsigned)fwvet_cs_rd(c, d + 46, 2);
    c->shnum = (unsigned)fwvet_cs_rd(c, d + 48, 2);
    c->shstrndx = (unsigned)fwvet_cs_rd(c, d + 50, 2);
  }
  if (!c->shoff || !c->shnum)
    return FWVET_EUNSUPPORTED; /* sstripped */
  if (c->shentsize < minent || c->shoff > c->len ||
      (uint64_t)c->shnum * c->shentsize > c->len - c->shoff)
    return FWVET_ECORRUPT;
  return FWVET_OK;
}

fwvet_status fwvet_callsites_count(const uint8_t *data, size_t len,
                                   fwvet_callsite_fn fn, void *ud) {
  fwvet_cs_elf c = {.d = data, .len = len};
  fwvet_status st = parse_header(&c);
  if (st || (st = read_relocs(&c)))
    goto out;
  switch (c.em) {
  case FWVET_CS_EM_X86_64:
    st = fwvet_cs_x86_64(&c);
    break;
  case FWVET_CS_EM_AARCH64:
    st = fwvet_cs_aarch64(&c);
    break;
  case FWVET_CS_EM_ARM:
    st = fwvet_cs_arm(&c);
    break;
  default:
    st = fwvet_cs_mips(&c);
    break;
  }
  if (st)
    goto out;
  for (size_t i = 0; i < c.nnames; i++)
    if (c.calls[i])
      fn(ud, c.names[i], c.calls[i]);
out:
  free(c.got);
  free(c.plt);
  free(c.names);
  free(c.calls);
  return st;
}
