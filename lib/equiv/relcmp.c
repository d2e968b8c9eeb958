/*
 * Relocatable objects (.o, .ko) hold section and symbol *indices* in
 * their symbol tables, relocations and section groups.  Removing or adding
 * debug sections (-g, strip --strip-debug) renumbers them, so the bytes
 * differ although every symbol, relocation and group is the same.  These
 * sections are compared here by what the indices name: a symbol by its
 * name, value, size, binding, type, visibility and the name of its section;
 * a relocation by its offset, type, addend and symbol; a group by its flag
 * and the names of its member sections.  Local section and file symbols
 * are left out of the symbol lists (see left_out()).
 */
#include <string.h>

#include "core/cursor.h"
#include "equiv/elfparse.h"

enum { SHT_RELA_ = 4, SHT_REL_ = 9, SHT_GROUP_ = 17, STT_SECTION_ = 3,
       STT_FILE_ = 4 };

typedef struct sym {
  const char *name;
  const char *sec; /* section name, or "" for special indices */
  uint64_t value, size;
  unsigned info, other, special;
} sym;

static uint64_t rd(const eq_elf *e, uint64_t off, unsigned n) {
  const uint8_t *p = e->d + off;
  return e->be ? fwvet_load_be(p, n) : fwvet_load_le(p, n);
}

static size_t sym_ent(const eq_elf *e) { return e->is64 ? 24 : 16; }

/* Symbol `i` of table `st`; -1 when out of range or malformed. */
static int read_sym(const eq_elf *e, const eq_shdr *st, uint64_t i, sym *y) {
  size_t ent = sym_ent(e);
  if (i >= st->size / ent || st->link >= e->shnum)
    return -1;
  const eq_shdr *str = &e->sh[st->link];
  uint64_t at = st->off + i * ent;
  uint32_t name = (uint32_t)rd(e, at, 4);
  unsigned shndx;
  if (e->is64) {
    y->info = e->d[at + 4];
    y->other = e->d[at + 5];
    shndx = (unsigned)rd(e, at + 6, 2);
    y->value = rd(e, at + 8, 8);
    y->size = rd(e, at + 16, 8);
  } else {
    y->value = rd(e, at + 4, 4);
    y->size = rd(e, at + 8, 4);
    y->info = e->d[at + 12];
    y->other = e->d[at + 13];
    shndx = (unsigned)rd(e, at + 14, 2);
  }
  y->special = 0;
  y->sec = "";
  if (shndx == 0 || shndx >= 0xff00)
    y->special = shndx ? shndx : 0x10000;
  else if (shndx < e->shnum)
    y->sec = e->sh[shndx].name;
  else
    return -1;
  y->name = "";
  if (name) {
    if (str->type == EQ_SHT_NOBITS || name >= str->size ||
        !memchr(e->d + str->off + name, 0, str->size - name))
      return -1;
    y->name = (const char *)e->d + str->off + name;
  }
  if ((y->info & 0xf) == STT_SECTION_ && shndx && shndx < e->shnum)
    y->name = e->sh[shndx].name;
  return 0;
}

static int same_sym(const sym *a, const sym *b) {
  return !strcmp(a->name, b->name) && !strcmp(a->sec, b->sec) &&
         a->value == b->value && a->size == b->size && a->info == b->info &&
         a->other == b->other && a->special == b->special;
}

/* Local section symbols are anchors for relocations, which are compared
 * on their own (through the section the symbol names): whether the
 * assembler emitted one (debug relocations need more of them) does not
 * change what is linked.  Local file symbols name the source file for
 * debuggers (strip --strip-debug removes them). */
static int left_out(const sym *y) {
  unsigned type = y->info & 0xf;
  return (type == STT_SECTION_ || type == STT_FILE_) && (y->info >> 4) == 0;
}

static int same_symtab(const eq_elf *a, const eq_shdr *sa, const eq_elf *b,
                       const eq_shdr *sb) {
  uint64_t na = sa->size / sym_ent(a), nb = sb->size / sym_ent(b);
  uint64_t i = 0, k = 0;
  sym x, y;
  for (;;) {
    while (i < na && !read_sym(a, sa, i, &x) && left_out(&x))
      i++;
    while (k < nb && !read_sym(b, sb, k, &y) && left_out(&y))
      k++;
    if (i == na || k == nb)
      return i == na && k == nb;
    if (read_sym(a, sa, i, &x) || read_sym(b, sb, k, &y) || !same_sym(&x, &y))
      return 0;
    i++, k++;
  }
}

static int same_relocs(const eq_elf *a, const eq_shdr *sa, const eq_elf *b,
                       const eq_shdr *sb) {
  int rela = sa->type == SHT_RELA_;
  unsigned w = a->is64 ? 8 : 4;
  size_t ent = (rela ? 3 : 2) * w;
  if (sa->size != sb->size || sa->size % ent || sa->link >= a->shnum ||
      sb->link >= b->shnum)
    return 0;
  const eq_shdr *ta = &a->sh[sa->link], *tb = &b->sh[sb->link];
  for (uint64_t at = 0; at < sa->size; at += ent) {
    uint64_t oa = rd(a, sa->off + at, w), ob = rd(b, sb->off + at, w);
    uint64_t ia = rd(a, sa->off + at + w, w), ib = rd(b, sb->off + at + w, w);
    if (oa != ob)
      return 0;
    if (rela &&
        rd(a, sa->off + at + 2 * w, w) != rd(b, sb->off + at + 2 * w, w))
      return 0;
    uint64_t ya = a->is64 ? ia >> 32 : ia >> 8;
    uint64_t yb = b->is64 ? ib >> 32 : ib >> 8;
    uint64_t ka = a->is64 ? ia & 0xffffffffu : ia & 0xff;
    uint64_t kb = b->is64 ? ib & 0xffffffffu : ib & 0xff;
    if (ka != kb || (ya == 0) != (yb == 0))
      return 0;
    sym x, y;
    if (ya && (read_sym(a, ta, ya, &x) || read_sym(b, tb, yb, &y) ||
               !same_sym(&x, &y)))
      return 0;
  }
  return 1;
}

static int same_group(const eq_elf *a, const eq_shdr *sa, const eq_elf *b,
                      const eq_shdr *sb) {
  if (sa->size != sb->size || sa->size % 4)
    return 0;
  for (uint64_t at = 0; at < sa->size; at += 4) {
    uint64_t x = rd(a, sa->off + at, 4), y = rd(b, sb->off + at, 4);
    if (at == 0) {
      if (x != y)
        return 0;
      continue;
    }
    if (x >= a->shnum || y >= b->shnum ||
        strcmp(a->sh[x].name, b->sh[y].name))
      return 0;
  }
  return 1;
}

int eq_rel_same(const eq_elf *a, const eq_shdr *sa, const eq_elf *b,
                const eq_shdr *sb) {
  if (sa->type != sb->type || sa->type == EQ_SHT_NOBITS)
    return 0;
  switch (sa->type) {
  case EQ_SHT_SYMTAB:
    return same_symtab(a, sa, b, sb);
  case SHT_REL_:
  case SHT_RELA_:
    return same_relocs(a, sa, b, sb);
  case SHT_GROUP_:
    return same_group(a, sa, b, sb);
  }
  return 0;
}
