/*
 * The first differing instruction of two versions of the same code, by
 * decoding both in step from a common start (a function's entry) with
 * capstone.  One handle per call: capstone 4 keeps no global state that
 * would need locking.
 */
#include <capstone/capstone.h>
#include <stdio.h>
#include <string.h>

#include "equiv/equiv_int.h"

enum { EM_386_ = 3, EM_MIPS_ = 8, EM_ARM_ = 40, EM_X86_64_ = 62,
       EM_AARCH64_ = 183, MAX_INSNS = 1 << 18 };

static int open_handle(unsigned em, int be, int thumb, csh *h) {
  cs_arch arch;
  int mode;
  switch (em) {
  case EM_X86_64_: arch = CS_ARCH_X86; mode = CS_MODE_64; break;
  case EM_386_: arch = CS_ARCH_X86; mode = CS_MODE_32; break;
  case EM_AARCH64_:
    arch = CS_ARCH_ARM64;
    mode = be ? CS_MODE_BIG_ENDIAN : CS_MODE_LITTLE_ENDIAN;
    break;
  case EM_ARM_:
    arch = CS_ARCH_ARM;
    mode = (thumb ? CS_MODE_THUMB : CS_MODE_ARM) |
           (be ? CS_MODE_BIG_ENDIAN : CS_MODE_LITTLE_ENDIAN);
    break;
  case EM_MIPS_:
    arch = CS_ARCH_MIPS;
    mode = CS_MODE_MIPS32 | (be ? CS_MODE_BIG_ENDIAN : CS_MODE_LITTLE_ENDIAN);
    break;
  default:
    return -1;
  }
  return cs_open(arch, (cs_mode)mode, h) == CS_ERR_OK ? 0 : -1;
}

static void show(char *out, size_t cap, const cs_insn *in) {
  snprintf(out, cap, "0x%llx: %s%s%s", (unsigned long long)in->address,
           in->mnemonic, in->op_str[0] ? " " : "", in->op_str);
}

int eq_first_insn(unsigned em, int big_endian, int thumb, uint64_t addr,
                  eq_bytes ref, eq_bytes cand, char *ref_out, char *cand_out,
                  size_t cap) {
  csh h;
  if (open_handle(em, big_endian, thumb, &h))
    return -1;
  int ret = -1;
  cs_insn *ia = cs_malloc(h), *ib = cs_malloc(h);
  if (!ia || !ib)
    goto out;
  const uint8_t *pa = ref.data, *pb = cand.data;
  size_t la = ref.len, lb = cand.len;
  uint64_t aa = addr, ab = addr;
  for (unsigned n = 0; n < MAX_INSNS; n++) {
    int oka = cs_disasm_iter(h, &pa, &la, &aa, ia);
    int okb = cs_disasm_iter(h, &pb, &lb, &ab, ib);
    if (!oka || !okb) {
      if (oka != okb || la != lb) {
        snprintf(ref_out, cap, "%s", "(not decodable)");
        snprintf(cand_out, cap, "%s", "(not decodable)");
        if (oka)
          show(ref_out, cap, ia);
        if (okb)
          show(cand_out, cap, ib);
        ret = 0;
      }
      break;
    }
    if (ia->size != ib->size || memcmp(ia->bytes, ib->bytes, ia->size)) {
      show(ref_out, cap, ia);
      show(cand_out, cap, ib);
      ret = 0;
      break;
    }
  }
out:
  if (ia)
    cs_free(ia, 1);
  if (ib)
    cs_free(ib, 1);
  cs_close(&h);
  return ret;
}
