/*
 * What an ELF file says about its hardening, read with libelf/gelf from
 * the bytes in memory, for every machine, class and byte order.
 *
 * libelf gets a private copy of the bytes: elf_memory() opens its image
 * as ELF_C_READ_MMAP_PRIVATE, under which libelf converts foreign-endian
 * data in place, while a node's bytes are shared (read-only) with the
 * other analysers running at the same time.
 *
 * Section headers are optional (firmware binaries are often sstripped),
 * so the dynamic array comes from PT_DYNAMIC and the dynamic symbols,
 * when there is no .dynsym section, from DT_SYMTAB with the count taken
 * from DT_HASH, DT_MIPS_SYMTABNO or the gap up to DT_STRTAB.
 */
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/elf_facts.h"

#define MAX_ELF_BYTES ((size_t)512 << 20)
#define MAX_LOADS 64
#define MAX_DYN 65536
#define MAX_SYMS (1u << 20)
#define MAX_IMPORTS 4096

#ifndef DT_MIPS_SYMTABNO
#define DT_MIPS_SYMTABNO 0x70000011
#endif
#ifndef EM_RISCV
#define EM_RISCV 243
#endif
#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

/* glibc's _FORTIFY_SOURCE family (glibc 2.36 debug/): each has __X_chk. */
static const char *const fortifiable_names[] = {
    "asprintf",    "confstr",       "dprintf",     "explicit_bzero",
    "fgets",       "fgets_unlocked", "fgetws",     "fgetws_unlocked",
    "fprintf",     "fread",         "fread_unlocked", "fwprintf",
    "getcwd",      "getdomainname", "getgroups",   "gethostname",
    "getlogin_r",  "gets",          "getwd",       "longjmp",
    "mbsnrtowcs",  "mbsrtowcs",     "mbstowcs",    "memcpy",
    "memmove",     "mempcpy",       "memset",      "obstack_printf",
    "obstack_vprintf", "poll",      "ppoll",       "pread",
    "pread64",     "printf",        "ptsname_r",   "read",
    "readlink",    "readlinkat",    "realpath",    "recv",
    "recvfrom",    "snprintf",      "sprintf",     "stpcpy",
    "stpncpy",     "strcat",        "strcpy",      "strncat",
    "strncpy",     "swprintf",      "syslog",      "ttyname_r",
    "vasprintf",   "vdprintf",      "vfprintf",    "vfwprintf",
    "vprintf",     "vsnprintf",     "vsprintf",    "vswprintf",
    "vsyslog",     "vwprintf",      "wcpcpy",      "wcpncpy",
    "wcrtomb",     "wcscat",        "wcscpy",      "wcsncat",
    "wcsncpy",     "wcsnrtombs",    "wcsrtombs",   "wcstombs",
    "wctomb",      "wmemcpy",       "wmemmove",    "wmempcpy",
    "wmemset",     "wprintf",
};

static const char *const canary_names[] = {
    "__stack_chk_fail", "__stack_chk_guard", "__stack_chk_fail_local",
    "__stack_smash_handler", "__intel_security_cookie",
};

typedef struct load {
  uint64_t vaddr, offset, filesz;
} load;

typedef struct reader {
  Elf *elf;
  const uint8_t *d; /* the private copy */
  size_t len;
  load loads[MAX_LOADS];
  size_t nloads;
  fwvet_elf_facts *f;
  char **imp;
  size_t nimp, capimp;
  char **chk; /* exported __*_chk */
  size_t nchk, capchk;
  int failed; /* out of memory */
} reader;

static pthread_once_t libelf_once = PTHREAD_ONCE_INIT;
static int libelf_ok;

static void libelf_init(void) {
  libelf_ok = elf_version(EV_CURRENT) != EV_NONE;
}

static int in_list(const char *name, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(name, list[i]))
      return 1;
  return 0;
}

int fwvet_elf_fortifiable(const char *name) {
  size_t lo = 0, hi = sizeof fortifiable_names / sizeof *fortifiable_names;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(name, fortifiable_names[mid]);
    if (!c)
      return 1;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return 0;
}

/* "__memcpy_chk" and the like; "__stack_chk_fail" is not one. */
int fwvet_elf_fortified(const char *name) {
  size_t n = strlen(name);
  return n > 6 && !strncmp(name, "__", 2) && !strcmp(name + n - 4, "_chk");
}

void fwvet_elf_facts_release(fwvet_elf_facts *f) {
  for (size_t i = 0; i < f->nchk_exports; i++)
    free(f->chk_exports[i]);
  free(f->chk_exports);
  f->chk_exports = NULL;
  f->nchk_exports = 0;
}

int fwvet_elf_is_libc_name(const char *n) {
  return !strcmp(n, "libc.so") || !strncmp(n, "libc.so.", 8) ||
         !strncmp(n, "libuClibc-", 10) || !strncmp(n, "ld-musl-", 8) ||
         !strncmp(n, "libc.musl-", 10);
}

static const char *machine_name(unsigned em, int is64, char *buf,
                                size_t size) {
  switch (em) {
  case EM_386: return "x86";
  case EM_X86_64: return "x86-64";
  case EM_ARM: return "arm";
  case EM_AARCH64: return "aarch64";
  case EM_MIPS:
  case EM_MIPS_RS3_LE: return is64 ? "mips64" : "mips";
  case EM_PPC: return "powerpc";
  case EM_PPC64: return "powerpc64";
  case EM_RISCV: return is64 ? "riscv64" : "riscv32";
  case EM_SH: return "sh";
  case EM_SPARC:
  case EM_SPARC32PLUS: return "sparc";
  case EM_SPARCV9: return "sparc64";
  case EM_68K: return "m68k";
  case EM_S390: return is64 ? "s390x" : "s390";
  case EM_XTENSA: return "xtensa";
  case EM_ARC_COMPACT: return "arc";
  case EM_MICROBLAZE: return "microblaze";
  case EM_LOONGARCH: return "loongarch";
  case EM_ALPHA: return "alpha";
  case EM_IA_64: return "ia64";
  case EM_PARISC: return "parisc";
  default: snprintf(buf, size, "em-%u", em); return buf;
  }
}

static const char *type_name(unsigned t) {
  switch (t) {
  case ET_EXEC: return "exec";
  case ET_DYN: return "dyn";
  case ET_REL: return "rel";
  case ET_CORE: return "core";
  default: return "other";
  }
}

/* Where virtual address `va` (with `size` bytes after it) is in the file,
 * or 0 with *ok clear. */
static uint64_t va_to_off(const reader *r, uint64_t va, uint64_t size,
                          int *ok) {
  for (size_t i = 0; i < r->nloads; i++) {
    const load *l = &r->loads[i];
    if (va >= l->vaddr && va - l->vaddr < l->filesz &&
        size <= l->filesz - (va - l->vaddr)) {
      uint64_t off = l->offset + (va - l->vaddr);
      if (off <= r->len && size <= r->len - off) {
        *ok = 1;
        return off;
      }
    }
  }
  *ok = 0;
  return 0;
}

/* A NUL-terminated string at `idx` of the table at file offset `off`,
 * `size` bytes long, or NULL. */
static const char *str_at(const reader *r, uint64_t off, uint64_t size,
                          uint64_t idx) {
  if (off > r->len || size > r->len - off || idx >= size)
    return NULL;
  const char *p = (const char *)r->d + off + idx;
  size_t room = (size_t)(size - idx);
  return memchr(p, '\0', room) ? p : NULL;
}

static void add_name(reader *r, char ***v, size_t *n, size_t *cap,
                     const char *name) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 64;
    char **p = realloc(*v, c * sizeof *p);
    if (!p) {
      r->failed = 1;
      return;
    }
    *v = p;
    *cap = c;
  }
  char *s = strdup(name);
  if (!s) {
    r->failed = 1;
    return;
  }
  (*v)[(*n)++] = s;
}

static void add_import(reader *r, const char *name) {
  add_name(r, &r->imp, &r->nimp, &r->capimp, name);
}

/* One symbol of .dynsym (dynamic) or .symtab. */
static void on_symbol(reader *r, const GElf_Sym *s, const char *name,
                      int dynamic) {
  if (!name || !*name)
    return;
  int undef = s->st_shndx == SHN_UNDEF;
  int type = GELF_ST_TYPE(s->st_info);
  if (in_list(name, canary_names,
              sizeof canary_names / sizeof *canary_names) &&
      (undef || !dynamic))
    r->f->info->canary = 1;
  /* Kernel modules (ET_REL) import through .symtab. */
  if (undef && (dynamic || r->f->type == ET_REL) &&
      (type == STT_FUNC || type == STT_NOTYPE || type == STT_GNU_IFUNC))
    add_import(r, name);
  else if (!undef && dynamic && GELF_ST_BIND(s->st_info) != STB_LOCAL &&
           (type == STT_FUNC || type == STT_GNU_IFUNC) &&
           fwvet_elf_fortified(name) && r->nchk < MAX_IMPORTS)
    add_name(r, &r->chk, &r->nchk, &r->capchk, name);
}

static void read_symtab_section(reader *r, Elf_Scn *scn, const GElf_Shdr *sh,
                                int dynamic) {
  Elf_Data *data = elf_getdata(scn, NULL);
  size_t ent = gelf_fsize(r->elf, ELF_T_SYM, 1, EV_CURRENT);
  if (!data || !ent)
    return;
  size_t n = data->d_size / ent;
  if (n > MAX_SYMS)
    n = MAX_SYMS;
  for (size_t i = 1; i < n && !r->failed; i++) {
    GElf_Sym s;
    if (!gelf_getsym(data, (int)i, &s))
      break;
    on_symbol(r, &s, elf_strptr(r->elf, sh->sh_link, s.st_name), dynamic);
  }
}

/* Returns 1 if a .dynsym section was read. */
static int read_sections(reader *r) {
  int dynsym = 0;
  Elf_Scn *scn = NULL;
  size_t guard = 0;
  while ((scn = elf_nextscn(r->elf, scn)) && guard++ < 65536) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh))
      continue;
    if (sh.sh_type == SHT_SYMTAB) {
      r->f->info->stripped = 0;
      /* Only static binaries and modules need .symtab's names. */
      if (r->f->type == ET_REL || !r->f->has_dynamic)
        read_symtab_section(r, scn, &sh, 0);
    } else if (sh.sh_type == SHT_DYNSYM && !dynsym) {
      dynsym = 1;
      read_symtab_section(r, scn, &sh, 1);
    }
  }
  return dynsym;
}

/* Fails when the table is cut short: its missing entries could be the
 * very ones (PT_GNU_STACK, PT_GNU_RELRO) whose absence a rule reports. */
static int read_phdrs(reader *r, GElf_Phdr *dyn_ph) {
  size_t n;
  fwvet_elf_facts *f = r->f;
  if (elf_getphdrnum(r->elf, &n) != 0)
    return -1;
  if (n > 65536)
    return -1;
  for (size_t i = 0; i < n; i++) {
    GElf_Phdr ph;
    if (!gelf_getphdr(r->elf, (int)i, &ph))
      return -1;
    switch (ph.p_type) {
    case PT_INTERP: f->has_interp = 1; break;
    case PT_GNU_STACK:
      f->info->has_gnu_stack = 1;
      f->stack_x = (ph.p_flags & PF_X) != 0;
      break;
    case PT_GNU_RELRO: f->relro_seg = 1; break;
    case PT_DYNAMIC:
      if (!f->has_dynamic) {
        f->has_dynamic = 1;
        *dyn_ph = ph;
      }
      break;
    case PT_LOAD:
      if (r->nloads < MAX_LOADS)
        r->loads[r->nloads++] = (load){ph.p_vaddr, ph.p_offset, ph.p_filesz};
      break;
    }
  }
  return 0;
}

typedef struct dyninfo {
  uint64_t strtab, strsz, symtab, syment, hash, symtabno;
  uint64_t rpath, runpath, soname;
  int has_rpath, has_runpath, has_strtab, has_symtab, has_hash, has_soname;
  uint64_t needed[64];
  size_t nneeded;
} dyninfo;

/* Fails when PT_DYNAMIC lies outside the file: DT_NEEDED and BIND_NOW
 * would look absent. */
static int read_dynamic(reader *r, const GElf_Phdr *ph, dyninfo *di) {
  fwvet_elf_facts *f = r->f;
  Elf_Data *data = elf_getdata_rawchunk(r->elf, (int64_t)ph->p_offset,
                                        ph->p_filesz, ELF_T_DYN);
  size_t ent = gelf_fsize(r->elf, ELF_T_DYN, 1, EV_CURRENT);
  if (!data || !ent)
    return -1;
  size_t n = data->d_size / ent;
  for (size_t i = 0; i < n && i < MAX_DYN; i++) {
    GElf_Dyn d;
    if (!gelf_getdyn(data, (int)i, &d) || d.d_tag == DT_NULL)
      break;
    uint64_t v = d.d_un.d_val;
    switch (d.d_tag) {
    case DT_NEEDED:
      f->needed++;
      if (di->nneeded < sizeof di->needed / sizeof *di->needed)
        di->needed[di->nneeded++] = v;
      break;
    case DT_STRTAB: di->strtab = v; di->has_strtab = 1; break;
    case DT_STRSZ: di->strsz = v; break;
    case DT_SYMTAB: di->symtab = v; di->has_symtab = 1; break;
    case DT_SYMENT: di->syment = v; break;
    case DT_HASH: di->hash = v; di->has_hash = 1; break;
    case DT_MIPS_SYMTABNO: di->symtabno = v; break;
    case DT_SONAME: di->soname = v; di->has_soname = 1; break;
    case DT_RPATH: di->rpath = v; di->has_rpath = 1; break;
    case DT_RUNPATH: di->runpath = v; di->has_runpath = 1; break;
    case DT_BIND_NOW: f->bind_now = 1; break;
    case DT_FLAGS:
      if (v & DF_BIND_NOW)
        f->bind_now = 1;
      break;
    case DT_FLAGS_1:
      f->flags_1 = v;
      if (v & DF_1_NOW)
        f->bind_now = 1;
      break;
    }
  }
  return 0;
}

/* The dynamic symbols through DT_SYMTAB, for files without sections. */
static void read_dynsym_by_tags(reader *r, const dyninfo *di,
                                uint64_t stroff) {
  size_t ent = gelf_fsize(r->elf, ELF_T_SYM, 1, EV_CURRENT);
  uint64_t count = 0;
  int ok;
  if (!di->has_symtab || !ent)
    return;
  if (di->has_hash) {
    uint64_t hoff = va_to_off(r, di->hash, 8, &ok);
    Elf_Data *h = ok ? elf_getdata_rawchunk(r->elf, (int64_t)hoff, 8,
                                            ELF_T_WORD)
                     : NULL;
    if (h && h->d_size == 8)
      count = ((const uint32_t *)h->d_buf)[1]; /* nchain */
  }
  if (!count && di->symtabno)
    count = di->symtabno;
  if (!count && di->strtab > di->symtab)
    count = (di->strtab - di->symtab) / ent;
  if (count > MAX_SYMS)
    count = MAX_SYMS;
  uint64_t off = 0;
  while (count && !(off = va_to_off(r, di->symtab, count * ent, &ok), ok))
    count /= 2; /* the gap guess may run past the segment */
  if (!count)
    return;
  Elf_Data *data = elf_getdata_rawchunk(r->elf, (int64_t)off, count * ent,
                                        ELF_T_SYM);
  if (!data)
    return;
  for (size_t i = 1; i < count && !r->failed; i++) {
    GElf_Sym s;
    if (!gelf_getsym(data, (int)i, &s))
      break;
    on_symbol(r, &s, str_at(r, stroff, di->strsz, s.st_name), 1);
  }
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts, deduplicates, counts the FORTIFY family, caps and hands over. */
static void finish_imports(reader *r) {
  fwvet_elf_info *info = r->f->info;
  if (!r->nimp)
    return;
  qsort(r->imp, r->nimp, sizeof *r->imp, cmp_str);
  size_t o = 0;
  for (size_t i = 0; i < r->nimp; i++) {
    if (o && !strcmp(r->imp[i], r->imp[o - 1])) {
      free(r->imp[i]);
      continue;
    }
    r->imp[o++] = r->imp[i];
  }
  r->nimp = o;
  for (size_t i = 0; i < r->nimp; i++) {
    if (fwvet_elf_fortified(r->imp[i]))
      info->fortified++;
    else if (fwvet_elf_fortifiable(r->imp[i]))
      info->fortifiable++;
  }
  while (r->nimp > MAX_IMPORTS)
    free(r->imp[--r->nimp]);
  info->imports = (const char *const *)r->imp;
  info->nimports = r->nimp;
  r->imp = NULL;
  r->nimp = r->capimp = 0;
}

static int needs_libc(const char *name) {
  return !strncmp(name, "libc.", 5) || !strncmp(name, "libuClibc", 9) ||
         strstr(name, "musl") != NULL || !strncmp(name, "libc-", 5);
}

static fwvet_status parse(reader *r) {
  fwvet_elf_facts *f = r->f;
  fwvet_elf_info *info = f->info;
  GElf_Ehdr eh;
  char buf[32];
  if (elf_kind(r->elf) != ELF_K_ELF || !gelf_getehdr(r->elf, &eh))
    return FWVET_ECORRUPT;
  int is64 = eh.e_ident[EI_CLASS] == ELFCLASS64;
  f->type = eh.e_type;
  f->em = eh.e_machine;
  info->bits = is64 ? 64 : 32;
  info->big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
  info->machine = strdup(machine_name(eh.e_machine, is64, buf, sizeof buf));
  info->elf_type = strdup(type_name(eh.e_type));
  info->stripped = 1;
  if (!info->machine || !info->elf_type)
    return FWVET_ENOMEM;
  if (eh.e_type == ET_CORE)
    return FWVET_OK; /* a process image: its headers describe memory */

  GElf_Phdr dyn_ph = {0};
  dyninfo di = {0};
  if (read_phdrs(r, &dyn_ph) != 0 ||
      (f->has_dynamic && read_dynamic(r, &dyn_ph, &di) != 0))
    return FWVET_ECORRUPT;
  int ok = 0;
  uint64_t stroff = di.has_strtab ? va_to_off(r, di.strtab, di.strsz, &ok) : 0;
  if (!ok)
    di.strsz = 0;
  if (!read_sections(r) && f->has_dynamic)
    read_dynsym_by_tags(r, &di, stroff);
  if (r->failed)
    return FWVET_ENOMEM;
  finish_imports(r);
  if (r->nchk) {
    qsort(r->chk, r->nchk, sizeof *r->chk, cmp_str);
    size_t o = 0;
    for (size_t i = 0; i < r->nchk; i++) {
      if (o && !strcmp(r->chk[i], r->chk[o - 1]))
        free(r->chk[i]);
      else
        r->chk[o++] = r->chk[i];
    }
    f->chk_exports = r->chk;
    f->nchk_exports = o;
    r->chk = NULL;
    r->nchk = r->capchk = 0;
  }

  for (size_t i = 0; i < di.nneeded; i++) {
    const char *n = str_at(r, stroff, di.strsz, di.needed[i]);
    if (n && needs_libc(n) && !f->needs_libc++)
      snprintf(f->libc_needed, sizeof f->libc_needed, "%s", n);
  }
  f->needs_libc = f->needs_libc != 0;
  if (strlen(f->libc_needed) + 1 >= sizeof f->libc_needed)
    f->libc_needed[0] = '\0';
  const char *s;
  if (di.has_soname && (s = str_at(r, stroff, di.strsz, di.soname)) &&
      strlen(s) < sizeof f->soname)
    memcpy(f->soname, s, strlen(s) + 1);
  if (di.has_rpath && (s = str_at(r, stroff, di.strsz, di.rpath)) &&
      !(info->rpath = strdup(s)))
    return FWVET_ENOMEM;
  if (di.has_runpath && (s = str_at(r, stroff, di.strsz, di.runpath)) &&
      !(info->runpath = strdup(s)))
    return FWVET_ENOMEM;

  if (eh.e_type == ET_EXEC || eh.e_type == ET_DYN)
    info->is_static = !f->has_interp && !f->needed;
  info->nx = info->has_gnu_stack && !f->stack_x;
  info->pie = eh.e_type == ET_DYN &&
              (f->has_interp || (f->flags_1 & DF_1_PIE) != 0);
  info->relro = !f->relro_seg  ? FWVET_RELRO_NONE
                : f->bind_now ? FWVET_RELRO_FULL
                              : FWVET_RELRO_PARTIAL;
  return FWVET_OK;
}

fwvet_status fwvet_elf_facts_read(const uint8_t *data, size_t len,
                                  fwvet_elf_facts *out) {
  fwvet_status st = FWVET_ECORRUPT;
  reader r = {0};
  fwvet_elf_facts f = {0};
  char *copy = NULL;
  pthread_once(&libelf_once, libelf_init);
  if (!libelf_ok || len < EI_NIDENT || len > MAX_ELF_BYTES)
    goto out;
  st = FWVET_ENOMEM;
  if (!(copy = malloc(len)) || !(f.info = calloc(1, sizeof *f.info)))
    goto out;
  memcpy(copy, data, len);
  st = FWVET_ECORRUPT;
  if (!(r.elf = elf_memory(copy, len)))
    goto out;
  r.d = (const uint8_t *)copy;
  r.len = len;
  r.f = &f;
  st = parse(&r);
  if (st)
    goto out;
  *out = f;
  f.info = NULL;
out:
  for (size_t i = 0; i < r.nimp; i++)
    free(r.imp[i]);
  free(r.imp);
  for (size_t i = 0; i < r.nchk; i++)
    free(r.chk[i]);
  free(r.chk);
  if (st)
    fwvet_elf_facts_release(&f);
  if (r.elf)
    elf_end(r.elf);
  free(copy);
  fwvet_elf_info_free(f.info);
  return st;
}
