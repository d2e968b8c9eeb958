/*
 * Call sites on AArch64 and 32-bit ARM (A32 and Thumb-2).  Both have
 * fixed instruction widths (Thumb: 16 or 32 bits, told apart by the
 * first halfword), so the branches are decoded straight from the words:
 * no disassembler, and every aligned position is looked at.
 *
 * AArch64: a PLT stub is "adrp x16, page; ldr x17, [x16, #off]; ...;
 * br x17" (after a "bti c" where there is one, where the stub then
 * starts); a call is bl or b (tail call) to a stub.
 *
 * ARM: a PLT stub computes the slot's address in ip (r12) from pc and
 * loads pc from it: "add ip, pc, #A; add ip, ip, #B; ldr pc, [ip, #C]!"
 * (GNU ld, lld), the long forms with more adds or with a literal ("ldr
 * ip, [pc, #L]; add ip, ip, pc; ldr pc, [ip]"), and GNU ld's Thumb entry
 * "bx pc" in the 4 bytes before it, where Thumb code calls with bl.  The
 * stubs are ARM code; a call is bl/blx/b to a stub from A32 code, or
 * bl/blx/b.w from Thumb code.  Which code is A32 and which Thumb comes
 * from the mapping symbols ($a, $t, $d: the latter is data, skipped)
 * when .symtab has them; stripped files are taken to be all Thumb when
 * the entry point (or, for a library, most exported functions) has the
 * Thumb bit set, else all A32: a file mixing both without mapping
 * symbols is counted in one mode only.
 */
#include <stdlib.h>
#include <string.h>

#include "analyse/callsites_elf.h"

#define SHT_SYMTAB_ 2u
#define SHT_DYNSYM_ 11u
#define MAX_MAPS (1u << 20)

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static uint32_t rd16(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static int64_t sext(uint64_t v, unsigned bits) {
  uint64_t m = (uint64_t)1 << (bits - 1);
  return (int64_t)((v ^ m) - m);
}

/* ---- AArch64 ---- */

static fwvet_status a64_stubs(fwvet_cs_elf *c, void *ud, uint64_t addr,
                              const uint8_t *code, size_t size) {
  uint64_t page = 0, start = 0;
  int have = 0;
  (void)ud;
  for (size_t i = 0; i + 4 <= size; i += 4) {
    uint32_t w = rd32(code + i);
    uint64_t pc = addr + i;
    if ((w & 0x9f00001fu) == 0x90000010u) { /* adrp x16, page */
      uint64_t imm = (w >> 29 & 3) | (uint64_t)(w >> 5 & 0x7ffff) << 2;
      page = (pc & ~(uint64_t)0xfff) + (uint64_t)(sext(imm, 21) * 4096);
      start = pc;
      if (i >= 4 && (rd32(code + i - 4) & 0xffffff3fu) == 0xd503241fu)
        start = pc - 4; /* bti */
      have = 1;
      continue;
    }
    /* ldr x17, [x16, #off] (LP64) or ldr w17, [x16, #off] (ILP32) */
    if (have && ((w & 0xffc003ffu) == 0xf9400211u ||
                 (w & 0xffc003ffu) == 0xb9400211u)) {
      uint64_t slot = page + (w >> 10 & 0xfff) * (w >> 30 == 3 ? 8u : 4u);
      const fwvet_cs_slot *s = fwvet_cs_find(c->got, c->ngot, slot);
      fwvet_status st = s ? fwvet_cs_add_stub(c, start, s->sym) : FWVET_OK;
      if (st)
        return st;
      have = 0;
    }
  }
  return FWVET_OK;
}

static fwvet_status a64_code(fwvet_cs_elf *c, void *ud, uint64_t addr,
                             const uint8_t *code, size_t size) {
  (void)ud;
  for (size_t i = 0; i + 4 <= size; i += 4) {
    uint32_t w = rd32(code + i);
    if ((w & 0x7c000000u) == 0x14000000u) /* b, bl */
      fwvet_cs_call(c, addr + i + (uint64_t)(sext(w & 0x03ffffffu, 26) * 4), 0);
  }
  return FWVET_OK;
}

fwvet_status fwvet_cs_aarch64(fwvet_cs_elf *c) {
  fwvet_status st = fwvet_cs_each_section(c, 1, a64_stubs, NULL);
  if (st)
    return st;
  fwvet_cs_sort_stubs(c);
  return fwvet_cs_each_section(c, 0, a64_code, NULL);
}

/* ---- ARM ---- */

enum { MODE_A32, MODE_T32, MODE_DATA };

typedef struct arm_map {
  uint64_t addr;
  int mode;
} arm_map;

typedef struct arm_ctx {
  arm_map *maps;
  size_t nmaps, cap;
  int mode; /* when there are no mapping symbols */
} arm_ctx;

static uint32_t arm_imm(uint32_t w) {
  uint32_t v = w & 0xff, r = (w >> 8 & 0xf) * 2;
  return r ? v >> r | v << (32 - r) : v;
}

/* The ARM PLT: ip is followed from where a stub sets it to the ldr pc. */
static fwvet_status arm_stubs(fwvet_cs_elf *c, void *ud, uint64_t addr,
                              const uint8_t *code, size_t size) {
  uint64_t start = 0;
  uint32_t ip = 0;
  int have = 0;
  (void)ud;
  for (size_t i = (size_t)(-addr & 3); i + 4 <= size; i += 4) {
    uint32_t w = rd32(code + i), pc8 = (uint32_t)(addr + i + 8);
    if ((w & 0x0ffff000u) == 0x028fc000u) { /* add ip, pc, #imm */
      ip = pc8 + arm_imm(w);
      start = addr + i;
      have = 1;
    } else if ((w & 0x0ffff000u) == 0x059fc000u) { /* ldr ip, [pc, #imm] */
      size_t lit = i + 8 + (w & 0xfff);
      have = lit + 4 <= size;
      ip = have ? rd32(code + lit) : 0;
      start = addr + i;
    } else if (!have) {
      continue;
    } else if ((w & 0x0ffff000u) == 0x028cc000u) { /* add ip, ip, #imm */
      ip += arm_imm(w);
    } else if ((w & 0x0fffffffu) == 0x008cc00fu || /* add ip, ip, pc */
               (w & 0x0fffffffu) == 0x008fc00cu) { /* add ip, pc, ip */
      ip += pc8;
    } else if ((w & 0x0e5ff000u) == 0x041cf000u) { /* ldr pc, [ip, ...] */
      uint32_t off = w & 0xfff, slot = ip;
      if (w >> 24 & 1) /* pre-indexed */
        slot = w >> 23 & 1 ? ip + off : ip - off;
      const fwvet_cs_slot *s = fwvet_cs_find(c->got, c->ngot, slot);
      fwvet_status st = FWVET_OK;
      if (s) {
        st = fwvet_cs_add_stub(c, start, s->sym);
        /* GNU ld's Thumb entry: "bx pc" and a nop or b.n before it */
        if (!st && start >= addr + 4 &&
            rd16(code + (start - addr) - 4) == 0x4778)
          st = fwvet_cs_add_stub(c, start - 4, s->sym);
      }
      if (st)
        return st;
      have = 0;
    } else {
      have = 0;
    }
  }
  return FWVET_OK;
}

static void a32_region(fwvet_cs_elf *c, uint64_t addr, const uint8_t *code,
                       size_t size) {
  for (size_t i = (size_t)(-addr & 3); i + 4 <= size; i += 4) {
    uint32_t w = rd32(code + i);
    if ((w & 0x0e000000u) != 0x0a000000u) /* b, bl, blx imm */
      continue;
    uint64_t t = addr + i + 8 + (uint64_t)(sext(w & 0xffffff, 24) * 4);
    if (w >> 28 == 0xf) /* blx: to Thumb, H is bit 1 of the target */
      t += (w >> 24 & 1) * 2;
    fwvet_cs_call(c, t & 0xffffffffu, 0);
  }
}

static void t32_region(fwvet_cs_elf *c, uint64_t addr, const uint8_t *code,
                       size_t size) {
  size_t i = (size_t)(addr & 1);
  while (i + 2 <= size) {
    uint32_t h1 = rd16(code + i);
    if ((h1 & 0xe000) != 0xe000 || (h1 & 0x1800) == 0) {
      i += 2; /* a 16-bit instruction */
      continue;
    }
    if (i + 4 > size)
      break;
    uint32_t h2 = rd16(code + i + 2);
    uint64_t pc4 = addr + i + 4;
    i += 4;
    if ((h1 & 0xf800) != 0xf000)
      continue;
    uint32_t s = h1 >> 10 & 1, j1 = h2 >> 13 & 1, j2 = h2 >> 11 & 1;
    uint64_t off = (uint64_t)s << 24 | (uint64_t)(~(j1 ^ s) & 1) << 23 |
                   (uint64_t)(~(j2 ^ s) & 1) << 22 |
                   (uint64_t)(h1 & 0x3ff) << 12 | (uint64_t)(h2 & 0x7ff) << 1;
    uint64_t t;
    if ((h2 & 0xd000) == 0xd000 || (h2 & 0xd000) == 0x9000) /* bl, b.w */
      t = pc4 + (uint64_t)sext(off, 25);
    else if ((h2 & 0xd001) == 0xc000) /* blx, to A32 */
      t = (pc4 & ~(uint64_t)3) + (uint64_t)sext(off, 25);
    else
      continue;
    fwvet_cs_call(c, t & 0xffffffffu, 0);
  }
}

static void arm_region(fwvet_cs_elf *c, int mode, uint64_t addr,
                       const uint8_t *code, size_t size) {
  if (mode == MODE_A32)
    a32_region(c, addr, code, size);
  else if (mode == MODE_T32)
    t32_region(c, addr, code, size);
}

static fwvet_status arm_code(fwvet_cs_elf *c, void *ud, uint64_t addr,
                             const uint8_t *code, size_t size) {
  const arm_ctx *a = ud;
  size_t lo = 0, hi = a->nmaps;
  while (lo < hi) { /* the first mapping symbol after addr */
    size_t mid = lo + (hi - lo) / 2;
    if (a->maps[mid].addr <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  int mode = lo ? a->maps[lo - 1].mode : a->mode;
  uint64_t cur = addr, end = addr + size;
  for (size_t k = lo;; k++) {
    uint64_t next =
        k < a->nmaps && a->maps[k].addr < end ? a->maps[k].addr : end;
    arm_region(c, mode, cur, code + (cur - addr), (size_t)(next - cur));
    if (next == end)
      break;
    mode = a->maps[k].mode;
    cur = next;
  }
  return FWVET_OK;
}

static int cmp_map(const void *x, const void *y) {
  const arm_map *a = x, *b = y;
  return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/* "$a", "$t", "$d", optionally followed by ".anything". */
static int map_mode(const char *n) {
  if (n[0] != '$' || (n[2] != '\0' && n[2] != '.'))
    return -1;
  return n[1] == 'a'   ? MODE_A32
         : n[1] == 't' ? MODE_T32
         : n[1] == 'd' ? MODE_DATA
                       : -1;
}

/*
 * Mapping symbols from .symtab; without them, the mode of the whole file
 * from the entry point or the exported functions' Thumb bits (.dynsym).
 */
static fwvet_status arm_modes(fwvet_cs_elf *c, arm_ctx *a) {
  int64_t thumb = 0;
  for (unsigned i = 0; i < c->shnum; i++) {
    fwvet_cs_shdr s;
    if (fwvet_cs_shdr_get(c, i, &s))
      return FWVET_ECORRUPT;
    if ((s.type != SHT_SYMTAB_ && s.type != SHT_DYNSYM_) || s.entsize != 16)
      continue;
    for (uint64_t k = 16; k + 16 <= s.size; k += 16) {
      const uint8_t *p = c->d + s.off + k;
      uint32_t value = (uint32_t)fwvet_cs_rd(c, p + 4, 4);
      unsigned info = p[12], shndx = (unsigned)fwvet_cs_rd(c, p + 14, 2);
      if (s.type == SHT_DYNSYM_) {
        if ((info & 0xf) == 2 /* FUNC */ && shndx && value)
          thumb += value & 1 ? 1 : -1;
        continue;
      }
      const char *name = fwvet_cs_str(c, s.link, fwvet_cs_rd(c, p, 4));
      int mode = name && (info & 0xf) == 0 /* NOTYPE */ ? map_mode(name) : -1;
      if (mode < 0)
        continue;
      if (a->nmaps == a->cap) {
        size_t n = a->cap ? a->cap * 2 : 256;
        if (n > MAX_MAPS)
          return FWVET_ELIMIT;
        arm_map *m = realloc(a->maps, n * sizeof *m);
        if (!m)
          return FWVET_ENOMEM;
        a->maps = m;
        a->cap = n;
      }
      a->maps[a->nmaps++] = (arm_map){value, mode};
    }
  }
  if (a->nmaps)
    qsort(a->maps, a->nmaps, sizeof *a->maps, cmp_map);
  a->mode = (c->entry ? c->entry & 1 : thumb > 0) ? MODE_T32 : MODE_A32;
  return FWVET_OK;
}

fwvet_status fwvet_cs_arm(fwvet_cs_elf *c) {
  arm_ctx a = {0};
  fwvet_status st = fwvet_cs_each_section(c, 1, arm_stubs, NULL);
  if (st || (st = arm_modes(c, &a)))
    goto out;
  fwvet_cs_sort_stubs(c);
  st = fwvet_cs_each_section(c, 0, arm_code, &a);
out:
  free(a.maps);
  return st;
}
