/*
 * Binary hardening: checksec's questions, for every ELF of every
 * architecture.  The facts go to files[].elf (elf_facts.c); executables
 * and shared libraries that lack a protection get a finding:
 *   hardening.execstack  the stack is executable (PF_X, or no PT_GNU_STACK
 *                        where the kernel then maps it executable)
 *   hardening.no-relro   a dynamically linked file without PT_GNU_RELRO
 *   hardening.no-canary  a file linked against a C library that imports
 *                        no stack protector symbol
 *   hardening.no-pie     a dynamically linked ET_EXEC executable
 *   hardening.rpath      DT_RPATH or DT_RUNPATH present
 * Kernel modules (ET_REL), core files and static executables other than
 * for execstack get facts only: see docs/rules.md for why.
 * `fortifiable` is first counted against glibc's table; the scan recounts
 * it against the image's own C library when every file is done.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/elf_facts.h"
#include "analyse/fortify.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif
#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

/*
 * Without PT_GNU_STACK, Linux sets READ_IMPLIES_EXEC (executable stack
 * and heap) on 32-bit x86, ARM, MIPS (32 and 64), 32-bit PowerPC and, on
 * kernels before 5.8, x86-64; glibc's loader also treats the stack as
 * executable then.  The 64-bit ports below default to non-executable.
 */
static int missing_gnu_stack_is_exec(unsigned em) {
  switch (em) {
  case EM_AARCH64:
  case EM_PPC64:
  case EM_RISCV:
  case EM_S390:
  case EM_LOONGARCH:
    return 0;
  default:
    return 1;
  }
}

static void check_execstack(fwvet_sink *sink, const fwvet_node *node,
                            const fwvet_elf_facts *f) {
  const fwvet_elf_info *e = f->info;
  if (e->has_gnu_stack && f->stack_x)
    fwvet_sink_report(sink, node, "hardening.execstack", FWVET_SEV_MEDIUM,
                      FWVET_NO_OFFSET, 0, "PT_GNU_STACK=RWX",
                      "%s: PT_GNU_STACK asks for an executable stack, so "
                      "injected code on the stack can run",
                      e->machine);
  else if (!e->has_gnu_stack && missing_gnu_stack_is_exec(f->em))
    fwvet_sink_report(sink, node, "hardening.execstack", FWVET_SEV_MEDIUM,
                      FWVET_NO_OFFSET, 0, "no PT_GNU_STACK",
                      "%s: no PT_GNU_STACK header, so the kernel maps the "
                      "stack executable on this architecture%s",
                      e->machine,
                      f->em == EM_X86_64 ? " (linux before 5.8)" : "");
}

/* Directories any local user can write to: a library planted there is
 * loaded into the program. */
static int world_writable(const char *dir, size_t n) {
  static const char *const dirs[] = {"/tmp", "/var/tmp", "/dev/shm",
                                     "/run/shm", "/var/run/shm"};
  for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
    size_t m = strlen(dirs[i]);
    if (n >= m && !strncmp(dir, dirs[i], m) && (n == m || dir[m] == '/'))
      return 1;
  }
  return 0;
}

/* Sorts an RPATH/RUNPATH into: 2 world-writable, 1 relative to the
 * working directory (including empty components), 0 otherwise.  $ORIGIN
 * is the binary's own directory, not the caller's: not relative. */
static int path_risk(const char *p) {
  int risk = 0;
  for (;;) {
    const char *c = strchr(p, ':');
    size_t n = c ? (size_t)(c - p) : strlen(p);
    if (n == 0 || (p[0] != '/' && strncmp(p, "$ORIGIN", 7) != 0 &&
                   strncmp(p, "${ORIGIN}", 9) != 0)) {
      if (risk < 1)
        risk = 1;
    } else if (world_writable(p, n)) {
      risk = 2;
    }
    if (!c)
      break;
    p = c + 1;
  }
  return risk;
}

static void check_rpath(fwvet_sink *sink, const fwvet_node *node,
                        const char *tag, const char *path) {
  char ev[512];
  static const char *const why[] = {
      "", ", relative to the working directory,",
      ", a world-writable directory,"};
  int risk = path_risk(path);
  snprintf(ev, sizeof ev, "%s=%s", tag, path);
  fwvet_sink_report(sink, node, "hardening.rpath",
                    risk ? FWVET_SEV_MEDIUM : FWVET_SEV_LOW, FWVET_NO_OFFSET,
                    0, ev,
                    "%s '%s'%s is searched for libraries before the system "
                    "directories",
                    tag, path, why[risk]);
}

static void check(fwvet_sink *sink, const fwvet_node *node,
                  const fwvet_elf_facts *f) {
  const fwvet_elf_info *e = f->info;
  if (f->type != ET_EXEC && f->type != ET_DYN)
    return;
  check_execstack(sink, node, f);
  if (e->is_static)
    return;
  if (e->relro == FWVET_RELRO_NONE)
    fwvet_sink_report(sink, node, "hardening.no-relro", FWVET_SEV_LOW,
                      FWVET_NO_OFFSET, 0, "relro=none",
                      "no PT_GNU_RELRO: the GOT and other relocated data "
                      "stay writable after start-up");
  if (!e->canary && f->needs_libc && e->nimports)
    fwvet_sink_report(sink, node, "hardening.no-canary", FWVET_SEV_LOW,
                      FWVET_NO_OFFSET, 0, "no __stack_chk_fail",
                      "no stack protector symbol is imported: built "
                      "without -fstack-protector");
  if (f->type == ET_EXEC)
    fwvet_sink_report(sink, node, "hardening.no-pie", FWVET_SEV_LOW,
                      FWVET_NO_OFFSET, 0, "ET_EXEC",
                      "not a position-independent executable: its code "
                      "is at a fixed address whatever ASLR does");
  if (e->rpath)
    check_rpath(sink, node, "RPATH", e->rpath);
  if (e->runpath)
    check_rpath(sink, node, "RUNPATH", e->runpath);
}

/*
 * For the scan's FORTIFY post-pass (fortify.h): the C library a binary
 * needs, or, for a C library (by soname or file name), the __*_chk
 * functions it exports.  Out of memory loses the record: the binary
 * keeps the glibc table's count.
 */
static void record_fortify(fwvet_sink *sink, const fwvet_node *node,
                           fwvet_elf_facts *f) {
  const char *p = fwvet_node_fspath(node);
  if (!p || !*p)
    p = fwvet_node_path(node);
  const char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
  int is_libc = (f->soname[0] && fwvet_elf_is_libc_name(f->soname)) ||
                fwvet_elf_is_libc_name(base);
  if (!is_libc && !f->libc_needed[0])
    return;
  fwvet_fortify_rec r = {node, NULL, is_libc, NULL, NULL, 0};
  if ((f->libc_needed[0] && !(r.libc_needed = strdup(f->libc_needed))) ||
      (is_libc && f->soname[0] && !(r.soname = strdup(f->soname)))) {
    free(r.libc_needed);
    return;
  }
  if (is_libc) {
    r.chk = f->chk_exports;
    r.nchk = f->nchk_exports;
    f->chk_exports = NULL;
    f->nchk_exports = 0;
  }
  fwvet_sink_fortify(sink, &r);
}

static void analyse(fwvet_sink *sink, const fwvet_node *node,
                    const uint8_t *data, size_t len) {
  fwvet_elf_facts f;
  if (fwvet_node_kind(node) != FWVET_KIND_FILE ||
      strcmp(fwvet_node_type(node), "elf") != 0 ||
      fwvet_elf_facts_read(data, len, &f) != FWVET_OK)
    return;
  check(sink, node, &f);
  fwvet_sink_elf(sink, node, f.info);
  record_fortify(sink, node, &f);
  fwvet_elf_facts_release(&f);
}

const fwvet_analyser fwvet_analyser_elf_hardening = {"elf_hardening",
                                                     analyse};
