/*
 * Call sites on 32-bit MIPS (o32, either byte order).  Position
 * independent code calls an imported function through its global GOT
 * entry: "lw $t9, OFF($gp)" then, a few instructions later, "jalr $t9"
 * (or "jr $t9", a tail call).  The global GOT entries follow the local
 * ones and map one to one to .dynsym from DT_MIPS_GOTSYM on (MIPS psABI):
 * entry DT_MIPS_LOCAL_GOTNO + k of the GOT at DT_PLTGOT is dynamic symbol
 * DT_MIPS_GOTSYM + k.  $gp is the GOT plus 0x7ff0 (or .reginfo's value).
 * Non-PIC code calls with "jal" a PLT entry ("lui $t7, %hi(slot); lw
 * $t9, %lo(slot)($t7); jr $t9", slots named by JUMP_SLOT relocations) or
 * a .MIPS.stubs entry (the undefined symbol's value).
 * The instructions are decoded straight from the words (fixed width);
 * $t9, and which registers hold $gp's value, are followed in
 * straight-line code: an instruction that writes a register, and any
 * jump or call, forgets what it held.  Calls through a GOT entry copied
 * into $t9 from another register, multi-GOT files (one $gp per part) and
 * -mxgot's %call_hi/%call_lo pairs are not counted; neither is MIPS16 or
 * microMIPS code.
 */
#include <string.h>

#include "analyse/callsites_elf.h"

#define SHT_DYNAMIC_ 6u
#define SHT_DYNSYM_ 11u
#define SHT_MIPS_REGINFO_ 0x70000006u
#define DT_PLTGOT_ 3u
#define DT_MIPS_LOCAL_GOTNO_ 0x7000000au
#define DT_MIPS_SYMTABNO_ 0x70000011u
#define DT_MIPS_GOTSYM_ 0x70000013u
#define REG_T7 15u
#define REG_T9 25u
#define REG_GP 28u
#define REG_SP 29u
#define REG_FP 30u
#define MAX_GP_SLOTS 4u

typedef struct mips_dyn {
  uint64_t pltgot, local_gotno, gotsym, symtabno;
  int have_pltgot, have_local, have_gotsym, have_symtabno;
} mips_dyn;

static int find_section(const fwvet_cs_elf *c, uint32_t type,
                        fwvet_cs_shdr *out) {
  for (unsigned i = 0; i < c->shnum; i++) {
    fwvet_cs_shdr s;
    if (!fwvet_cs_shdr_get(c, i, &s) && s.type == type) {
      *out = s;
      return 1;
    }
  }
  return 0;
}

static void read_dynamic(const fwvet_cs_elf *c, const fwvet_cs_shdr *s,
                         mips_dyn *d) {
  for (uint64_t k = 0; k + 8 <= s->size; k += 8) {
    const uint8_t *p = c->d + s->off + k;
    uint64_t tag = fwvet_cs_rd(c, p, 4), val = fwvet_cs_rd(c, p + 4, 4);
    if (!tag)
      break;
    if (tag == DT_PLTGOT_)
      d->pltgot = val, d->have_pltgot = 1;
    else if (tag == DT_MIPS_LOCAL_GOTNO_)
      d->local_gotno = val, d->have_local = 1;
    else if (tag == DT_MIPS_GOTSYM_)
      d->gotsym = val, d->have_gotsym = 1;
    else if (tag == DT_MIPS_SYMTABNO_)
      d->symtabno = val, d->have_symtabno = 1;
  }
}

fwvet_status fwvet_cs_mips_got(fwvet_cs_elf *c) {
  fwvet_cs_shdr dyn, sym, reg;
  mips_dyn d = {0};
  if (!find_section(c, SHT_DYNAMIC_, &dyn) ||
      !find_section(c, SHT_DYNSYM_, &sym) || sym.entsize != 16)
    return FWVET_OK;
  read_dynamic(c, &dyn, &d);
  if (!d.have_pltgot || !d.have_local || !d.have_gotsym)
    return FWVET_OK;
  c->gp = (d.pltgot + 0x7ff0) & 0xffffffffu;
  if (find_section(c, SHT_MIPS_REGINFO_, &reg) && reg.size >= 24 &&
      fwvet_cs_rd(c, c->d + reg.off + 20, 4))
    c->gp = fwvet_cs_rd(c, c->d + reg.off + 20, 4);
  uint64_t n = sym.size / 16;
  if (d.have_symtabno && d.symtabno < n)
    n = d.symtabno;
  if (d.local_gotno > FWVET_CS_MAX_SLOTS)
    return FWVET_ECORRUPT;
  for (uint64_t k = d.gotsym; k < n; k++) {
    const uint8_t *p = c->d + sym.off + k * 16;
    uint64_t value = fwvet_cs_rd(c, p + 4, 4);
    unsigned info = p[12], shndx = (unsigned)fwvet_cs_rd(c, p + 14, 2);
    const char *name = fwvet_cs_str(c, sym.link, fwvet_cs_rd(c, p, 4));
    if (shndx || !name || !*name)
      continue; /* defined here, or nameless: not an import */
    uint64_t slot = d.pltgot + 4 * (d.local_gotno + (k - d.gotsym));
    fwvet_status st = fwvet_cs_add_got(c, slot & 0xffffffffu, name);
    /* a .MIPS.stubs entry (or a canonical PLT entry) for the function */
    if (!st && value && (info & 0xf) == 2 /* FUNC */)
      st = fwvet_cs_add_stub(c, value, c->nnames - 1);
    if (st)
      return st;
  }
  return FWVET_OK;
}

static uint32_t rd32(const fwvet_cs_elf *c, const uint8_t *p) {
  return (uint32_t)fwvet_cs_rd(c, p, 4);
}

static uint64_t simm16(uint32_t w) {
  return (uint64_t)(int64_t)(int16_t)(uint16_t)(w & 0xffff);
}

/* The PLT: "lui $t7, %hi(slot)" then "lw $t9, %lo(slot)($t7)". */
static fwvet_status mips_stubs(fwvet_cs_elf *c, void *ud, uint64_t addr,
                               const uint8_t *code, size_t size) {
  uint64_t t7 = 0, start = 0;
  int have = 0;
  (void)ud;
  for (size_t i = (size_t)(-addr & 3); i + 4 <= size; i += 4) {
    uint32_t w = rd32(c, code + i);
    unsigned op = w >> 26, rs = w >> 21 & 31, rt = w >> 16 & 31;
    if (op == 0x0f && rt == REG_T7) { /* lui */
      t7 = (uint64_t)(w & 0xffff) << 16;
      start = addr + i;
      have = 1;
    } else if (have && op == 0x23 && rs == REG_T7 && rt == REG_T9) {
      uint64_t slot = (t7 + simm16(w)) & 0xffffffffu;
      const fwvet_cs_slot *s = fwvet_cs_find(c->got, c->ngot, slot);
      fwvet_status st = s ? fwvet_cs_add_stub(c, start, s->sym) : FWVET_OK;
      if (st)
        return st;
      have = 0;
    }
  }
  return FWVET_OK;
}

/* The register `w` writes, or 0 (none, or $zero). */
static unsigned dest_reg(uint32_t w) {
  unsigned op = w >> 26, rs = w >> 21 & 31, rt = w >> 16 & 31,
           rd = w >> 11 & 31, fn = w & 0x3f;
  switch (op) {
  case 0x00: /* SPECIAL: rd, or nothing (jr, mult, div, ...: rd is 0) */
  case 0x1c: /* SPECIAL2 (mul) */
    return rd;
  case 0x1f: /* SPECIAL3: seb/seh/wsbh write rd, ext/ins/rdhwr rt */
    return fn == 0x20 ? rd : rt;
  case 0x10:
  case 0x11:
  case 0x12: /* mfc, cfc */
    return rs <= 3 ? rt : 0;
  case 0x03: /* jal */
    return 31;
  case 0x01: /* bal and the other linking branches */
    return rt >= 0x10 && rt <= 0x13 ? 31 : 0;
  default: /* immediate ALU ops, loads, ll, sc */
    return (op >= 0x08 && op <= 0x0f) || (op >= 0x20 && op <= 0x26) ||
                   op == 0x30 || op == 0x38
               ? rt
               : 0;
  }
}

static int has_slot(const uint32_t *slots, size_t n, uint32_t key) {
  for (size_t i = 0; i < n; i++)
    if (slots[i] == key)
      return 1;
  return 0;
}

static size_t forget_slot(uint32_t *slots, size_t n, uint32_t key) {
  for (size_t i = 0; i < n; i++)
    if (slots[i] == key) {
      slots[i] = slots[--n];
      break;
    }
  return n;
}

/* Registers a call preserves: $s0-$s7, $gp, $sp, $fp. */
#define SAVED_REGS (0x00ff0000u | 1u << 28 | 1u << 29 | 1u << 30)

/*
 * Compilers keep $gp's value in other registers too (clang copies it to
 * a saved register, or, at -O0, to a stack slot it reloads after each
 * call), so the registers known to hold it are followed: $gp itself, a
 * copy ("move rd, rs"), the prologue's "addu rd, rs, $t9" that computes
 * it from the function's own address, and a load from a $sp or $fp slot
 * where one of them was stored.
 */
static fwvet_status mips_code(fwvet_cs_elf *c, void *ud, uint64_t addr,
                              const uint8_t *code, size_t size) {
  uint64_t t9 = 0;
  int t9_slot = 0;
  uint32_t gpregs = 1u << REG_GP;
  uint32_t slots[MAX_GP_SLOTS]; /* base register << 16 | offset */
  size_t nslots = 0;
  (void)ud;
  for (size_t i = (size_t)(-addr & 3); i + 4 <= size; i += 4) {
    uint32_t w = rd32(c, code + i);
    unsigned op = w >> 26, rs = w >> 21 & 31, rt = w >> 16 & 31,
             rd = w >> 11 & 31, fn = w & 0x3f, dest = dest_reg(w);
    uint64_t pc = addr + i;
    int gp = 0; /* dest holds $gp after w */
    if (op == 0x2b && (rs == REG_SP || rs == REG_FP)) { /* sw to a slot */
      uint32_t key = rs << 16 | (w & 0xffff);
      nslots = forget_slot(slots, nslots, key);
      if (gpregs >> rt & 1 && nslots < MAX_GP_SLOTS)
        slots[nslots++] = key;
      continue;
    }
    if (op == 0x23 && rt != REG_T9 && (rs == REG_SP || rs == REG_FP))
      gp = has_slot(slots, nslots, rs << 16 | (w & 0xffff));
    if (op == 0x23 && rt == REG_T9) { /* lw $t9, OFF(base) */
      t9_slot = gpregs >> rs & 1;
      t9 = (c->gp + simm16(w)) & 0xffffffffu;
      gpregs &= ~(1u << REG_T9);
      continue;
    }
    if (op == 0 && (fn == 8 || fn == 9)) { /* jr, jalr */
      if (rs == REG_T9 && t9_slot)
        fwvet_cs_call(c, t9, 1);
      /* after a call only saved registers keep $gp; after a return, a
       * new function starts */
      gpregs &= fn == 9 ? SAVED_REGS : 1u << REG_GP;
      if (fn == 8 && rs == 31)
        nslots = 0;
      t9_slot = 0;
    } else if (op == 2 || op == 3) { /* j, jal */
      fwvet_cs_call(
          c, ((pc + 4) & 0xf0000000u) | (uint64_t)(w & 0x03ffffff) << 2, 0);
      gpregs &= SAVED_REGS;
      t9_slot = 0;
    } else if (op == 1 && rt == 0x11) { /* bal (bgezal) */
      fwvet_cs_call(c, (pc + 4 + simm16(w) * 4) & 0xffffffffu, 0);
      gpregs &= SAVED_REGS;
      t9_slot = 0;
    } else if (op == 0 && (fn == 0x21 || fn == 0x25) && rd) {
      /* addu, or: a copy of $gp, or $gp computed from $t9 */
      gp = (rt == 0 && gpregs >> rs & 1) || (rs == 0 && gpregs >> rt & 1) ||
           (fn == 0x21 && (rt == REG_T9 || rs == REG_T9) && rs != rt);
    }
    if (dest == REG_T9)
      t9_slot = 0;
    if (dest && dest != 31 && dest != REG_GP) /* $gp is reloaded as $gp */
      gpregs = gp ? gpregs | 1u << dest : gpregs & ~(1u << dest);
  }
  return FWVET_OK;
}

fwvet_status fwvet_cs_mips(fwvet_cs_elf *c) {
  fwvet_status st = fwvet_cs_each_section(c, 1, mips_stubs, NULL);
  if (st)
    return st;
  fwvet_cs_sort_stubs(c);
  return fwvet_cs_each_section(c, 0, mips_code, NULL);
}
