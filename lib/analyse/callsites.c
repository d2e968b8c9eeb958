/*
 * Call sites of imported functions, by linear disassembly (capstone) of
 * a little-endian ELF64 file's executable sections, x86-64 and AArch64.
 *
 * The relocations name the GOT slots (JUMP_SLOT, GLOB_DAT); the PLT
 * stubs are found by disassembling the .plt* sections: a stub is the
 * instruction sequence that loads a slot and jumps through it (x86-64
 * "jmp [rip + slot]", after an endbr64 in .plt.sec; AArch64 "adrp x16;
 * ldr x17, [x16, #off]; ... br x17").  Then every other executable
 * section is walked once and these count as one call site each:
 *   x86-64   call/jmp rel to a stub, call/jmp [rip + slot] (-fno-plt)
 *   AArch64  bl/b to a stub
 * (capstone keeps the walk in step with the instruction boundaries; the
 * targets are decoded from the bytes).  One capstone handle per call:
 * capstone 4 keeps no lazily built global state, so threads may call
 * this at the same time.
 * A jmp or b is a tail call.  Section headers are needed: an sstripped
 * file falls back to the import table.  The work is bounded by the
 * bytes of executable sections and the instructions decoded per file.
 */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/callsites.h"

#define MAX_TEXT_BYTES (64u << 20)
#define MAX_INSNS 16000000u
#define MAX_SLOTS 65536u
#define SHT_PROGBITS_ 1u
#define SHT_RELA_ 4u
#define SHF_EXECINSTR_ 4u
#define EM_X86_64_ 62u
#define EM_AARCH64_ 183u

typedef struct slot {
  uint64_t addr; /* GOT slot, then PLT stub */
  size_t sym;    /* index into names */
} slot;

typedef struct cs_ctx {
  const uint8_t *d;
  size_t len;
  unsigned em;
  uint64_t shoff;
  unsigned shnum, shentsize, shstrndx;
  const char **names;
  uint64_t *calls;
  size_t nnames;
  slot *got, *plt;
  size_t ngot, nplt, capplt;
  uint64_t insns;
} cs_ctx;

static uint64_t rd(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = n; i-- > 0;)
    v = v << 8 | p[i];
  return v;
}

typedef struct shdr {
  uint32_t name, type, link;
  uint64_t flags, addr, off, size, entsize;
} shdr;

static int get_shdr(const cs_ctx *c, unsigned i, shdr *s) {
  if (i >= c->shnum)
    return -1;
  const uint8_t *p = c->d + c->shoff + (uint64_t)i * c->shentsize;
  s->name = (uint32_t)rd(p, 4);
  s->type = (uint32_t)rd(p + 4, 4);
  s->flags = rd(p + 8, 8);
  s->addr = rd(p + 16, 8);
  s->off = rd(p + 24, 8);
  s->size = rd(p + 32, 8);
  s->link = (uint32_t)rd(p + 40, 4);
  s->entsize = rd(p + 56, 8);
  return s->type != 8 /* NOBITS */ &&
                 (s->off > c->len || s->size > c->len - s->off)
             ? -1
             : 0;
}

/* The NUL-terminated string at `off` of string section `sec`, or NULL. */
static const char *get_str(const cs_ctx *c, unsigned sec, uint64_t off) {
  shdr s;
  if (get_shdr(c, sec, &s) || off >= s.size)
    return NULL;
  const char *p = (const char *)c->d + s.off + off;
  return memchr(p, '\0', s.size - off) ? p : NULL;
}

static int cmp_slot(const void *a, const void *b) {
  const slot *x = a, *y = b;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static const slot *find(const slot *v, size_t n, uint64_t addr) {
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

static int is_slot_reloc(unsigned em, uint32_t type) {
  if (em == EM_X86_64_)
    return type == 7 /* JUMP_SLOT */ || type == 6 /* GLOB_DAT */;
  return type == 1026 /* JUMP_SLOT */ || type == 1025 /* GLOB_DAT */;
}

/* Names and GOT slots from the SHT_RELA sections. */
static fwvet_status read_relocs(cs_ctx *c) {
  size_t cap = 0;
  for (unsigned i = 0; i < c->shnum; i++) {
    shdr r, sym;
    if (get_shdr(c, i, &r))
      return FWVET_ECORRUPT;
    if (r.type != SHT_RELA_ || r.entsize != 24 ||
        get_shdr(c, r.link, &sym) || sym.type == 8)
      continue;
    for (uint64_t k = 0; k + 24 <= r.size; k += 24) {
      const uint8_t *p = c->d + r.off + k;
      uint64_t info = rd(p + 8, 8);
      uint64_t si = info >> 32;
      if (!is_slot_reloc(c->em, (uint32_t)info) || !si)
        continue;
      if (si >= sym.size / 24)
        return FWVET_ECORRUPT;
      const char *name = get_str(c, sym.link, rd(c->d + sym.off + si * 24, 4));
      if (!name || !*name)
        continue;
      if (c->ngot == MAX_SLOTS)
        return FWVET_ELIMIT;
      if (c->ngot == cap) {
        cap = cap ? cap * 2 : 64;
        slot *g = realloc(c->got, cap * sizeof *g);
        const char **nm = realloc(c->names, cap * sizeof *nm);
        if (g)
          c->got = g;
        if (nm)
          c->names = nm;
        if (!g || !nm)
          return FWVET_ENOMEM;
      }
      c->names[c->ngot] = name;
      c->got[c->ngot] = (slot){rd(p, 8), c->ngot};
      c->ngot++;
    }
  }
  c->nnames = c->ngot;
  if (!c->ngot)
    return FWVET_EUNSUPPORTED;
  qsort(c->got, c->ngot, sizeof *c->got, cmp_slot);
  c->calls = calloc(c->nnames, sizeof *c->calls);
  return c->calls ? FWVET_OK : FWVET_ENOMEM;
}

static fwvet_status add_stub(cs_ctx *c, uint64_t at, size_t sym) {
  if (c->nplt == c->capplt) {
    size_t cap = c->capplt ? c->capplt * 2 : 64;
    if (cap > 2 * MAX_SLOTS)
      return FWVET_ELIMIT;
    slot *p = realloc(c->plt, cap * sizeof *p);
    if (!p)
      return FWVET_ENOMEM;
    c->plt = p;
    c->capplt = cap;
  }
  c->plt[c->nplt++] = (slot){at, sym};
  return FWVET_OK;
}

/* The address a rip-relative memory operand points at, or 0. */
static uint64_t rip_target(const cs_insn *in) {
  const cs_x86 *x = &in->detail->x86;
  if (x->op_count != 1 || x->operands[0].type != X86_OP_MEM ||
      x->operands[0].mem.base != X86_REG_RIP ||
      x->operands[0].mem.index != X86_REG_INVALID)
    return 0;
  return in->address + in->size + (uint64_t)x->operands[0].mem.disp;
}

static int is_x86_prefix(uint8_t b) {
  return (b >= 0x40 && b <= 0x4f) || b == 0x66 || b == 0x67 || b == 0xf2 ||
         b == 0xf3 || b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36 ||
         b == 0x64 || b == 0x65;
}

/*
 * The code pass runs without capstone's details (several times faster):
 * the target of a call or jump comes from its bytes.  *got is set when
 * the target is a memory operand (x86-64 [rip + disp32]).
 */
static uint64_t branch_target(const cs_insn *in, unsigned em, int *got) {
  const uint8_t *b = in->bytes;
  uint64_t next = in->address + in->size;
  *got = 0;
  if (em == EM_AARCH64_) {
    uint32_t w = (uint32_t)rd(b, 4);
    if ((w & 0x7c000000u) != 0x14000000u) /* b, bl */
      return 0;
    int64_t off = (int64_t)(w & 0x03ffffffu);
    if (off & 0x02000000)
      off -= 0x04000000;
    return in->address + (uint64_t)(off * 4);
  }
  unsigned i = 0;
  while (i < in->size && is_x86_prefix(b[i]))
    i++;
  if (i + 5 <= in->size && (b[i] == 0xe8 || b[i] == 0xe9))
    return next + (uint64_t)(int64_t)(int32_t)(uint32_t)rd(b + i + 1, 4);
  if (i + 2 <= in->size && b[i] == 0xeb)
    return next + (uint64_t)(int64_t)(int8_t)b[i + 1];
  /* ff /2 (call) or /4 (jmp), mod 00 rm 101: [rip + disp32] */
  if (i + 6 <= in->size && b[i] == 0xff && (b[i + 1] & 0xc7) == 0x05 &&
      ((b[i + 1] >> 3 & 7) == 2 || (b[i + 1] >> 3 & 7) == 4)) {
    *got = 1;
    return next + (uint64_t)(int64_t)(int32_t)(uint32_t)rd(b + i + 2, 4);
  }
  return 0;
}

/* One instruction of a .plt* section; prev is the one before, if any. */
static fwvet_status plt_insn(cs_ctx *c, const cs_insn *in,
                             const cs_insn *prev, int adjacent,
                             uint64_t *page, uint64_t *page_at) {
  uint64_t slot_addr = 0, start = in->address;
  if (c->em == EM_X86_64_) {
    if (in->id != X86_INS_JMP || !(slot_addr = rip_target(in)))
      return FWVET_OK;
    if (adjacent && prev->id == X86_INS_ENDBR64)
      start = prev->address;
  } else {
    const cs_arm64 *a = &in->detail->arm64;
    if (in->id == ARM64_INS_ADRP && a->op_count == 2 &&
        a->operands[0].type == ARM64_OP_REG &&
        a->operands[0].reg == ARM64_REG_X16 &&
        a->operands[1].type == ARM64_OP_IMM) {
      *page = (uint64_t)a->operands[1].imm;
      *page_at = adjacent && prev->id == ARM64_INS_HINT ? prev->address
                                                        : in->address;
      return FWVET_OK;
    }
    if (in->id != ARM64_INS_LDR || a->op_count != 2 ||
        a->operands[1].type != ARM64_OP_MEM ||
        a->operands[1].mem.base != ARM64_REG_X16 || !*page_at)
      return FWVET_OK;
    slot_addr = *page + (uint64_t)(int64_t)a->operands[1].mem.disp;
    start = *page_at;
    *page_at = 0;
  }
  const slot *s = find(c->got, c->ngot, slot_addr);
  return s ? add_stub(c, start, s->sym) : FWVET_OK;
}

static void code_insn(cs_ctx *c, const cs_insn *in) {
  int call, jump;
  if (c->em == EM_X86_64_) {
    call = in->id == X86_INS_CALL;
    jump = in->id == X86_INS_JMP;
  } else {
    call = in->id == ARM64_INS_BL;
    jump = in->id == ARM64_INS_B; /* b.cond is another encoding */
  }
  if (!call && !jump)
    return;
  int got;
  uint64_t t = branch_target(in, c->em, &got);
  const slot *s = !t    ? NULL
                  : got ? find(c->got, c->ngot, t)
                        : find(c->plt, c->nplt, t);
  if (s)
    c->calls[s->sym]++;
}

/* Disassembles every executable section, stubs (plt) or code (!plt). */
static fwvet_status walk(cs_ctx *c, csh h, int plt) {
  cs_insn *in = cs_malloc(h), *prev = cs_malloc(h);
  fwvet_status st = in && prev ? FWVET_OK : FWVET_ENOMEM;
  uint64_t bytes = 0;
  unsigned step = c->em == EM_X86_64_ ? 1 : 4;
  for (unsigned i = 0; !st && i < c->shnum; i++) {
    shdr s;
    if (get_shdr(c, i, &s)) {
      st = FWVET_ECORRUPT;
      break;
    }
    const char *name = get_str(c, c->shstrndx, s.name);
    if (s.type != SHT_PROGBITS_ || !(s.flags & SHF_EXECINSTR_) || !name ||
        (!strncmp(name, ".plt", 4)) != plt)
      continue;
    if ((bytes += s.size) > MAX_TEXT_BYTES) {
      st = FWVET_ELIMIT;
      break;
    }
    const uint8_t *code = c->d + s.off;
    size_t left = (size_t)s.size;
    uint64_t addr = s.addr, page = 0, page_at = 0;
    int have_prev = 0;
    while (left && !st) {
      if (++c->insns > MAX_INSNS) {
        st = FWVET_ELIMIT;
        break;
      }
      if (!cs_disasm_iter(h, &code, &left, &addr, in)) {
        /* data in code, or an instruction capstone does not know */
        size_t k = left < step ? left : step;
        code += k;
        left -= k;
        addr += k;
        have_prev = 0;
        continue;
      }
      if (plt)
        st = plt_insn(c, in, prev,
                      have_prev && prev->address + prev->size == in->address,
                      &page, &page_at);
      else
        code_insn(c, in);
      cs_insn *t = prev;
      prev = in;
      in = t;
      have_prev = 1;
    }
  }
  if (in)
    cs_free(in, 1);
  if (prev)
    cs_free(prev, 1);
  return st;
}

static fwvet_status parse_header(cs_ctx *c) {
  const uint8_t *d = c->d;
  if (c->len < 64 || memcmp(d, "\177ELF", 4))
    return FWVET_ECORRUPT;
  if (d[4] != 2 /* ELFCLASS64 */ || d[5] != 1 /* LSB */)
    return FWVET_EUNSUPPORTED;
  c->em = (unsigned)rd(d + 18, 2);
  if (c->em != EM_X86_64_ && c->em != EM_AARCH64_)
    return FWVET_EUNSUPPORTED;
  c->shoff = rd(d + 40, 8);
  c->shentsize = (unsigned)rd(d + 58, 2);
  c->shnum = (unsigned)rd(d + 60, 2);
  c->shstrndx = (unsigned)rd(d + 62, 2);
  if (!c->shoff || !c->shnum)
    return FWVET_EUNSUPPORTED; /* sstripped */
  if (c->shentsize < 64 || c->shoff > c->len ||
      (uint64_t)c->shnum * c->shentsize > c->len - c->shoff)
    return FWVET_ECORRUPT;
  return FWVET_OK;
}

fwvet_status fwvet_callsites_count(const uint8_t *data, size_t len,
                                   fwvet_callsite_fn fn, void *ud) {
  cs_ctx c = {.d = data, .len = len};
  csh h = 0;
  int open = 0;
  fwvet_status st = parse_header(&c);
  if (st || (st = read_relocs(&c)))
    goto out;
  st = FWVET_EUNSUPPORTED;
  if (cs_open(c.em == EM_X86_64_ ? CS_ARCH_X86 : CS_ARCH_ARM64,
              c.em == EM_X86_64_ ? CS_MODE_64 : CS_MODE_ARM, &h) != CS_ERR_OK)
    goto out;
  open = 1;
  if (cs_option(h, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK)
    goto out;
  if ((st = walk(&c, h, 1)))
    goto out;
  if (c.nplt)
    qsort(c.plt, c.nplt, sizeof *c.plt, cmp_slot);
  st = FWVET_EUNSUPPORTED;
  if (cs_option(h, CS_OPT_DETAIL, CS_OPT_OFF) != CS_ERR_OK ||
      (st = walk(&c, h, 0)))
    goto out;
  for (size_t i = 0; i < c.nnames; i++)
    if (c.calls[i])
      fn(ud, c.names[i], c.calls[i]);
out:
  if (open)
    cs_close(&h);
  free(c.got);
  free(c.plt);
  free(c.names);
  free(c.calls);
  return st;
}
