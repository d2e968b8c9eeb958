/*
 * ELF headers, sections, segments and symbols for the equivalence rules,
 * read through the bounds-checked cursor.  Nothing read from the file is
 * trusted: counts are bounded by the bytes that would hold them, every
 * range is checked against the image, and an image that fails any check
 * is "not ELF" (the caller then compares its bytes literally, which can
 * only say "different", never hide a difference).
 */
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "equiv/elfparse.h"

enum { MAX_SECTIONS = 65536, MAX_SYMBOLS = 1 << 20 };

static uint64_t word(fwvet_cursor *c, int is64) {
  return is64 ? fwvet_cursor_u64(c) : fwvet_cursor_u32(c);
}

static int read_ehdr(eq_elf *e) {
  const uint8_t *d = e->d;
  if (e->len < 52 || memcmp(d, "\177ELF", 4))
    return -1;
  if ((d[4] != 1 && d[4] != 2) || (d[5] != 1 && d[5] != 2))
    return -1;
  e->is64 = d[4] == 2;
  e->be = d[5] == 2;
  fwvet_cursor c;
  fwvet_cursor_init(&c, d, e->len, e->be);
  fwvet_cursor_seek(&c, 16);
  e->type = fwvet_cursor_u16(&c);
  e->machine = fwvet_cursor_u16(&c);
  e->version = fwvet_cursor_u32(&c);
  e->entry = word(&c, e->is64);
  e->phoff = word(&c, e->is64);
  e->shoff = word(&c, e->is64);
  e->flags = fwvet_cursor_u32(&c);
  e->ehsize = fwvet_cursor_u16(&c);
  e->phentsize = fwvet_cursor_u16(&c);
  e->phnum = fwvet_cursor_u16(&c);
  e->shentsize = fwvet_cursor_u16(&c);
  e->shnum = fwvet_cursor_u16(&c);
  e->shstrndx = fwvet_cursor_u16(&c);
  if (c.bad || e->ehsize > e->len)
    return -1;
  return 0;
}

static int read_phdrs(eq_elf *e) {
  if (!e->phnum)
    return 0;
  unsigned need = e->is64 ? 56 : 32;
  if (e->phentsize < need ||
      !fwvet_fits(e->phoff, (uint64_t)e->phnum * e->phentsize, e->len))
    return -1;
  e->ph = calloc(e->phnum, sizeof *e->ph);
  if (!e->ph)
    return -1;
  for (unsigned i = 0; i < e->phnum; i++) {
    fwvet_cursor c;
    fwvet_cursor_init(&c, e->d, e->len, e->be);
    fwvet_cursor_seek(&c, e->phoff + (uint64_t)i * e->phentsize);
    eq_phdr *p = &e->ph[i];
    p->type = fwvet_cursor_u32(&c);
    if (e->is64) {
      p->flags = fwvet_cursor_u32(&c);
      p->off = fwvet_cursor_u64(&c);
      p->vaddr = fwvet_cursor_u64(&c);
      p->paddr = fwvet_cursor_u64(&c);
      p->filesz = fwvet_cursor_u64(&c);
      p->memsz = fwvet_cursor_u64(&c);
      p->align = fwvet_cursor_u64(&c);
    } else {
      p->off = fwvet_cursor_u32(&c);
      p->vaddr = fwvet_cursor_u32(&c);
      p->paddr = fwvet_cursor_u32(&c);
      p->filesz = fwvet_cursor_u32(&c);
      p->memsz = fwvet_cursor_u32(&c);
      p->flags = fwvet_cursor_u32(&c);
      p->align = fwvet_cursor_u32(&c);
    }
    if (c.bad || !fwvet_fits(p->off, p->filesz, e->len))
      return -1;
  }
  return 0;
}

static int read_shdr(const eq_elf *e, uint64_t at, eq_shdr *s,
                     uint32_t *name) {
  fwvet_cursor c;
  fwvet_cursor_init(&c, e->d, e->len, e->be);
  fwvet_cursor_seek(&c, at);
  *name = fwvet_cursor_u32(&c);
  s->type = fwvet_cursor_u32(&c);
  s->flags = word(&c, e->is64);
  s->addr = word(&c, e->is64);
  s->off = word(&c, e->is64);
  s->size = word(&c, e->is64);
  s->link = fwvet_cursor_u32(&c);
  s->info = fwvet_cursor_u32(&c);
  s->align = word(&c, e->is64);
  s->entsize = word(&c, e->is64);
  return c.bad ? -1 : 0;
}

static int read_shdrs(eq_elf *e) {
  if (!e->shoff)
    return e->shnum ? -1 : 0;
  unsigned need = e->is64 ? 64 : 40;
  if (e->shentsize < need || !fwvet_fits(e->shoff, need, e->len))
    return -1;
  eq_shdr s0;
  uint32_t name;
  if (read_shdr(e, e->shoff, &s0, &name))
    return -1;
  uint64_t n = e->shnum ? e->shnum : s0.size; /* extended numbering */
  if (e->shstrndx == 0xffff)
    e->shstrndx = (unsigned)(s0.link < MAX_SECTIONS ? s0.link : 0);
  if (n == 0 || n > MAX_SECTIONS ||
      !fwvet_fits(e->shoff, n * e->shentsize, e->len))
    return -1;
  e->shnum = (unsigned)n;
  e->sh = calloc(n, sizeof *e->sh);
  uint32_t *names = calloc(n, sizeof *names);
  int ret = -1;
  if (!e->sh || !names)
    goto out;
  for (unsigned i = 0; i < n; i++) {
    eq_shdr *s = &e->sh[i];
    if (read_shdr(e, e->shoff + (uint64_t)i * e->shentsize, s, &names[i]))
      goto out;
    if (s->type == 0)
      s->size = 0; /* SHT_NULL has no content, whatever it says */
    if (s->type != EQ_SHT_NOBITS && !fwvet_fits(s->off, s->size, e->len))
      goto out;
    s->name = "";
  }
  if (e->shstrndx && e->shstrndx < n) {
    const eq_shdr *st = &e->sh[e->shstrndx];
    if (st->type == EQ_SHT_NOBITS || !fwvet_fits(st->off, st->size, e->len))
      goto out;
    const char *base = (const char *)e->d + st->off;
    for (unsigned i = 0; i < n; i++) {
      if (names[i] >= st->size ||
          !memchr(base + names[i], 0, st->size - names[i]))
        goto out;
      e->sh[i].name = base + names[i];
    }
  } else if (e->shstrndx) {
    goto out;
  }
  ret = 0;
out:
  free(names);
  return ret;
}

static int sym_cmp(const void *a, const void *b) {
  const eq_sym *x = a, *y = b;
  if (x->sec != y->sec)
    return x->sec < y->sec ? -1 : 1;
  if (x->value != y->value)
    return x->value < y->value ? -1 : 1;
  return 0;
}

/* Function and object symbols of the first table of `type`; a malformed
 * table is skipped (symbols only name things, they decide nothing). */
static void read_symbols(eq_elf *e, uint32_t type) {
  for (unsigned i = 0; i < e->shnum; i++) {
    const eq_shdr *s = &e->sh[i];
    if (s->type != type || s->link >= e->shnum)
      continue;
    const eq_shdr *str = &e->sh[s->link];
    size_t ent = e->is64 ? 24 : 16;
    if (str->type == EQ_SHT_NOBITS || s->size / ent == 0 ||
        !fwvet_fits(str->off, str->size, e->len) ||
        !fwvet_fits(s->off, s->size, e->len))
      continue;
    size_t n = s->size / ent;
    if (n > MAX_SYMBOLS)
      n = MAX_SYMBOLS;
    e->sym = calloc(n, sizeof *e->sym);
    if (!e->sym)
      return;
    const char *strs = (const char *)e->d + str->off;
    for (size_t k = 0; k < n; k++) {
      fwvet_cursor c;
      fwvet_cursor_init(&c, e->d, e->len, e->be);
      fwvet_cursor_seek(&c, s->off + k * ent);
      uint32_t name = fwvet_cursor_u32(&c);
      uint64_t value, size;
      uint8_t info;
      uint16_t shndx;
      if (e->is64) {
        info = fwvet_cursor_u8(&c);
        fwvet_cursor_u8(&c);
        shndx = fwvet_cursor_u16(&c);
        value = fwvet_cursor_u64(&c);
        size = fwvet_cursor_u64(&c);
      } else {
        value = fwvet_cursor_u32(&c);
        size = fwvet_cursor_u32(&c);
        info = fwvet_cursor_u8(&c);
        fwvet_cursor_u8(&c);
        shndx = fwvet_cursor_u16(&c);
      }
      unsigned st = info & 0xf;
      if (c.bad || (st != 1 && st != 2) || !name || name >= str->size ||
          !memchr(strs + name, 0, str->size - name) || shndx == 0 ||
          shndx >= 0xff00)
        continue;
      eq_sym *y = &e->sym[e->nsym++];
      y->name = strs + name;
      y->value = value;
      y->size = size;
      y->sec = e->type == EQ_ET_REL ? shndx : 0;
    }
    qsort(e->sym, e->nsym, sizeof *e->sym, sym_cmp);
    e->has_symtab = type == EQ_SHT_SYMTAB;
    return;
  }
}

int eq_elf_parse(const uint8_t *d, size_t len, eq_elf *e) {
  memset(e, 0, sizeof *e);
  e->d = d;
  e->len = len;
  if (read_ehdr(e) || read_phdrs(e) || read_shdrs(e)) {
    eq_elf_release(e);
    return -1;
  }
  read_symbols(e, EQ_SHT_SYMTAB);
  if (!e->sym)
    read_symbols(e, EQ_SHT_DYNSYM);
  return 0;
}

void eq_elf_release(eq_elf *e) {
  free(e->ph);
  free(e->sh);
  free(e->sym);
  e->ph = NULL;
  e->sh = NULL;
  e->sym = NULL;
  e->nsym = 0;
}

const eq_shdr *eq_elf_section_at(const eq_elf *e, uint64_t off) {
  const eq_shdr *best = NULL;
  for (unsigned i = 1; i < e->shnum; i++) {
    const eq_shdr *s = &e->sh[i];
    if (s->type == EQ_SHT_NOBITS || s->type == 0 || off < s->off ||
        off - s->off >= s->size)
      continue;
    if (!best || ((s->flags & EQ_SHF_ALLOC) && !(best->flags & EQ_SHF_ALLOC)))
      best = s;
  }
  return best;
}

const eq_sym *eq_elf_symbol_at(const eq_elf *e, unsigned sec, uint64_t addr) {
  /* Last symbol starting at or before addr (binary search), then back
   * over equal starts to one that covers addr. */
  size_t lo = 0, hi = e->nsym;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const eq_sym *y = &e->sym[mid];
    if (y->sec < sec || (y->sec == sec && y->value <= addr))
      lo = mid + 1;
    else
      hi = mid;
  }
  for (size_t k = lo, tries = 0; k-- > 0 && tries++ < 64;) {
    const eq_sym *y = &e->sym[k];
    if (y->sec != sec || addr - y->value > (1u << 24))
      break;
    if (addr - y->value < (y->size ? y->size : 1))
      return y;
  }
  return NULL;
}

const eq_shdr *eq_elf_section_named(const eq_elf *e, const char *name,
                                    unsigned nth) {
  for (unsigned i = 1; i < e->shnum; i++)
    if (!strcmp(e->sh[i].name, name) && nth-- == 0)
      return &e->sh[i];
  return NULL;
}

unsigned eq_elf_section_nth(const eq_elf *e, const eq_shdr *s) {
  unsigned n = 0;
  for (const eq_shdr *t = e->sh + 1; t < s; t++)
    if (!strcmp(t->name, s->name))
      n++;
  return n;
}
