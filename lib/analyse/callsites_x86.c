/*
 * Call sites on x86-64, by linear disassembly with capstone: variable
 * length instructions need a real decoder to stay on the instruction
 * boundaries.  A PLT stub is "jmp [rip + slot]" in .plt, .plt.sec (after
 * an endbr64, where the stub starts) or .plt.got; in the code, these
 * count as one call each: call/jmp rel to a stub, and call/jmp
 * [rip + slot] as built with -fno-plt.  A jmp is a tail call.
 * The code pass runs without capstone's details (several times faster):
 * the target of a call or jump is decoded from its bytes.  One capstone
 * handle per call: capstone 4 keeps no lazily built global state, so
 * threads may count at the same time.
 */
#include <capstone/capstone.h>

#include "analyse/callsites_elf.h"

#define MAX_INSNS 16000000u

typedef struct walk {
  csh h;
  int stubs;
  uint64_t insns;
} walk;

static uint64_t rd_le(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = n; i-- > 0;)
    v = v << 8 | p[i];
  return v;
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

static int is_prefix(uint8_t b) {
  return (b >= 0x40 && b <= 0x4f) || b == 0x66 || b == 0x67 || b == 0xf2 ||
         b == 0xf3 || b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36 ||
         b == 0x64 || b == 0x65;
}

/* A call's or jump's target from its bytes; *got when it is a memory
 * operand ([rip + disp32]). */
static uint64_t branch_target(const cs_insn *in, int *got) {
  const uint8_t *b = in->bytes;
  uint64_t next = in->address + in->size;
  unsigned i = 0;
  *got = 0;
  while (i < in->size && is_prefix(b[i]))
    i++;
  if (i + 5 <= in->size && (b[i] == 0xe8 || b[i] == 0xe9))
    return next + (uint64_t)(int64_t)(int32_t)(uint32_t)rd_le(b + i + 1, 4);
  if (i + 2 <= in->size && b[i] == 0xeb)
    return next + (uint64_t)(int64_t)(int8_t)b[i + 1];
  /* ff /2 (call) or /4 (jmp), mod 00 rm 101: [rip + disp32] */
  if (i + 6 <= in->size && b[i] == 0xff && (b[i + 1] & 0xc7) == 0x05 &&
      ((b[i + 1] >> 3 & 7) == 2 || (b[i + 1] >> 3 & 7) == 4)) {
    *got = 1;
    return next + (uint64_t)(int64_t)(int32_t)(uint32_t)rd_le(b + i + 2, 4);
  }
  return 0;
}

static fwvet_status stub_insn(fwvet_cs_elf *c, const cs_insn *in,
                              const cs_insn *prev, int adjacent) {
  uint64_t slot, start = in->address;
  if (in->id != X86_INS_JMP || !(slot = rip_target(in)))
    return FWVET_OK;
  if (adjacent && prev->id == X86_INS_ENDBR64)
    start = prev->address;
  const fwvet_cs_slot *s = fwvet_cs_find(c->got, c->ngot, slot);
  return s ? fwvet_cs_add_stub(c, start, s->sym) : FWVET_OK;
}

static void code_insn(fwvet_cs_elf *c, const cs_insn *in) {
  if (in->id != X86_INS_CALL && in->id != X86_INS_JMP)
    return;
  int got;
  uint64_t t = branch_target(in, &got);
  if (t)
    fwvet_cs_call(c, t, got);
}

static fwvet_status section(fwvet_cs_elf *c, void *ud, uint64_t addr,
                            const uint8_t *code, size_t left) {
  walk *w = ud;
  cs_insn *in = cs_malloc(w->h), *prev = cs_malloc(w->h);
  fwvet_status st = in && prev ? FWVET_OK : FWVET_ENOMEM;
  int have_prev = 0;
  while (left && !st) {
    if (++w->insns > MAX_INSNS) {
      st = FWVET_ELIMIT;
      break;
    }
    if (!cs_disasm_iter(w->h, &code, &left, &addr, in)) {
      /* data in code, or an instruction capstone does not know */
      code++;
      left--;
      addr++;
      have_prev = 0;
      continue;
    }
    if (w->stubs)
      st = stub_insn(c, in, prev,
                     have_prev && prev->address + prev->size == in->address);
    else
      code_insn(c, in);
    cs_insn *t = prev;
    prev = in;
    in = t;
    have_prev = 1;
  }
  if (in)
    cs_free(in, 1);
  if (prev)
    cs_free(prev, 1);
  return st;
}

fwvet_status fwvet_cs_x86_64(fwvet_cs_elf *c) {
  walk w = {0, 1, 0};
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &w.h) != CS_ERR_OK)
    return FWVET_EUNSUPPORTED;
  fwvet_status st = FWVET_EUNSUPPORTED;
  if (cs_option(w.h, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK ||
      (st = fwvet_cs_each_section(c, 1, section, &w)))
    goto out;
  fwvet_cs_sort_stubs(c);
  w.stubs = 0;
  st = FWVET_EUNSUPPORTED;
  if (cs_option(w.h, CS_OPT_DETAIL, CS_OPT_OFF) != CS_ERR_OK)
    goto out;
  st = fwvet_cs_each_section(c, 0, section, &w);
out:
  cs_close(&w.h);
  return st;
}
