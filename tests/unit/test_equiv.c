/* Binary equivalence rules on crafted ELF bytes: one row per rule, and
 * hostile headers that must neither crash nor hide a difference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "equiv/elfparse.h"
#include "equiv/equiv_int.h"

/* --- a small, valid ELF64 x86-64 executable --------------------------- */

enum {
  IMG = 0x580, SH_OFF = 0x300, NSEC = 10,
  TEXT = 0x100, RODATA = 0x120, NOTE = 0x170, COMMENT = 0x200,
  DEBUG = 0x210, SYMTAB = 0x220, STRTAB = 0x250, SHSTR = 0x258,
};
static const char rodata[] =
    "built Nov 22 2026 10:00:00\0/home/builder/src/x.c\0hello\0";
static const char shstr[] =
    "\0.text\0.rodata\0.note.gnu.build-id\0.comment\0.debug_info\0"
    ".symtab\0.strtab\0.shstrtab\0";

static void put(uint8_t *d, size_t off, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++)
    d[off + i] = (uint8_t)(v >> (8 * i));
}

static unsigned name_of(const char *name) {
  for (unsigned i = 1; i < sizeof shstr; i += (unsigned)strlen(shstr + i) + 1)
    if (!strcmp(shstr + i, name))
      return i;
  return 0;
}

static void shdr(uint8_t *d, unsigned idx, const char *name, uint32_t type,
                 uint64_t flags, uint64_t addr, uint64_t off, uint64_t size,
                 uint32_t link) {
  size_t at = SH_OFF + (size_t)idx * 64;
  put(d, at, name_of(name), 4);
  put(d, at + 4, type, 4);
  put(d, at + 8, flags, 8);
  put(d, at + 16, addr, 8);
  put(d, at + 24, off, 8);
  put(d, at + 32, size, 8);
  put(d, at + 40, link, 4);
  put(d, at + 56, type == 2 ? 24 : 0, 8);
}

static uint8_t *make_elf(void) {
  uint8_t *d = calloc(1, IMG);
  memcpy(d, "\177ELF\2\1\1", 7);
  put(d, 16, 2, 2);        /* ET_EXEC */
  put(d, 18, 62, 2);       /* x86-64 */
  put(d, 20, 1, 4);
  put(d, 24, 0x400100, 8); /* entry */
  put(d, 32, 64, 8);       /* phoff */
  put(d, 40, SH_OFF, 8);
  put(d, 52, 64, 2);
  put(d, 54, 56, 2);
  put(d, 56, 2, 2);
  put(d, 58, 64, 2);
  put(d, 60, NSEC, 2);
  put(d, 62, 8, 2); /* .shstrtab */
  /* PT_LOAD [0, 0x188) and PT_NOTE over the build-id */
  put(d, 64, 1, 4);
  put(d, 68, 5, 4);
  put(d, 72, 0, 8);
  put(d, 80, 0x400000, 8);
  put(d, 88, 0x400000, 8);
  put(d, 96, 0x188, 8);
  put(d, 104, 0x188, 8);
  put(d, 112, 0x1000, 8);
  put(d, 120, 4, 4);
  put(d, 124, 4, 4);
  put(d, 128, NOTE, 8);
  put(d, 136, 0x400000 + NOTE, 8);
  put(d, 144, 0x400000 + NOTE, 8);
  put(d, 152, 24, 8);
  put(d, 160, 24, 8);
  put(d, 168, 4, 8);
  /* code: mov eax, 1; ret; nops */
  static const uint8_t code[] = {0xb8, 1, 0, 0, 0, 0xc3};
  memset(d + TEXT, 0x90, 16);
  memcpy(d + TEXT, code, sizeof code);
  memcpy(d + RODATA, rodata, sizeof rodata);
  put(d, NOTE, 4, 4);
  put(d, NOTE + 4, 8, 4);
  put(d, NOTE + 8, 3, 4);
  memcpy(d + NOTE + 12, "GNU", 4);
  memcpy(d + NOTE + 16, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
  memcpy(d + COMMENT, "GCC: 12", 8);
  memset(d + DEBUG, 0xdb, 16);
  /* symbol 1: FUNC "func" at .text */
  put(d, SYMTAB + 24, 1, 4);
  d[SYMTAB + 28] = 0x12;
  put(d, SYMTAB + 30, 1, 2);
  put(d, SYMTAB + 32, 0x400100, 8);
  put(d, SYMTAB + 40, 16, 8);
  memcpy(d + STRTAB, "\0func", 6);
  memcpy(d + SHSTR, shstr, sizeof shstr);
  shdr(d, 1, ".text", 1, 6, 0x400100, TEXT, 16, 0);
  shdr(d, 2, ".rodata", 1, 2, 0x400120, RODATA, sizeof rodata, 0);
  shdr(d, 3, ".note.gnu.build-id", 7, 2, 0x400170, NOTE, 24, 0);
  shdr(d, 4, ".comment", 1, 0x30, 0, COMMENT, 8, 0);
  shdr(d, 5, ".debug_info", 1, 0, 0, DEBUG, 16, 0);
  shdr(d, 6, ".symtab", 2, 0, 0, SYMTAB, 48, 7);
  shdr(d, 7, ".strtab", 3, 0, 0, STRTAB, 6, 0);
  shdr(d, 8, ".shstrtab", 3, 0, 0, SHSTR, sizeof shstr, 0);
  shdr(d, 9, ".comment", 1, 0x30, 0, COMMENT, 0, 0); /* an empty twin */
  return d;
}

/* --- running a comparison ---------------------------------------------- */

typedef struct outcome {
  int differs;
  unsigned classes;
  char sections[256];  /* names, comma separated */
  char functions[256];
  int has_insn;
} outcome;

static void compare(const uint8_t *a, size_t al, const uint8_t *b, size_t bl,
                    unsigned strict, outcome *o) {
  fwvet_equiv *eq = calloc(1, sizeof *eq);
  assert_non_null(eq);
  eq->strict = strict;
  eq_pair *p = eq_pair_new(eq);
  assert_non_null(p);
  eq_bytes x = {a, al}, y = {b, bl};
  /* As in a run: equal bytes are never compared. */
  if ((al != bl || memcmp(a, b, al)) && eq_compare_elf(p, x, y))
    eq_compare_data(p, x, y);
  memset(o, 0, sizeof *o);
  o->differs = p->differs;
  o->classes = p->pub.classes;
  for (size_t i = 0; i < p->nsections; i++) {
    const eq_section *s = &p->sections[i];
    size_t n = strlen(o->sections);
    snprintf(o->sections + n, sizeof o->sections - n, "%s%s", n ? "," : "",
             s->pub.name);
    for (size_t k = 0; k < s->pub.nfunctions; k++) {
      n = strlen(o->functions);
      snprintf(o->functions + n, sizeof o->functions - n, "%s%s",
               n ? "," : "", s->funcs[k]);
    }
    o->has_insn |= s->pub.ref_insn != NULL;
  }
  fwvet_equiv_destroy(eq);
}

typedef void (*mutate_fn)(uint8_t *d, size_t *len);

static void m_none(uint8_t *d, size_t *len) { (void)d, (void)len; }
static void m_build_id(uint8_t *d, size_t *len) {
  (void)len;
  d[NOTE + 20] ^= 0xff;
}
static void m_comment(uint8_t *d, size_t *len) {
  (void)len;
  d[COMMENT + 5] = '3';
}
static void m_debug(uint8_t *d, size_t *len) {
  (void)len;
  d[DEBUG + 3] = 0;
}
static void m_date(uint8_t *d, size_t *len) {
  (void)len;
  memcpy(d + RODATA + 6, "Dec  1 2027 23:59:59", 20);
}
static void m_path(uint8_t *d, size_t *len) {
  (void)len;
  memcpy(d + RODATA + 27 + 6, "runner", 6); /* /home/runner/... */
}
static void m_word(uint8_t *d, size_t *len) {
  (void)len;
  memcpy(d + RODATA + 50, "jello", 5);
}
static void m_code(uint8_t *d, size_t *len) {
  (void)len;
  d[TEXT + 1] = 2; /* mov eax, 2 */
}
static void m_symbols(uint8_t *d, size_t *len) {
  (void)len;
  memcpy(d + STRTAB, "\0fund", 6);
}
static void m_strip(uint8_t *d, size_t *len) {
  /* .symtab and .strtab become empty NULL sections, as if removed */
  (void)len;
  memset(d + SH_OFF + 6 * 64, 0, 128);
  memset(d + SYMTAB, 0, 0x258 - SYMTAB);
}
static void m_padding(uint8_t *d, size_t *len) {
  (void)d;
  *len = IMG + 16; /* zero tail */
}
static void m_tail(uint8_t *d, size_t *len) {
  d[IMG] = 0x41; /* a non-zero byte nothing accounts for */
  *len = IMG + 1;
}
static void m_entry(uint8_t *d, size_t *len) {
  (void)len;
  put(d, 24, 0x400104, 8);
}
static void m_shoff_fields(uint8_t *d, size_t *len) {
  /* move the section header table: section-header-only difference */
  memmove(d + SH_OFF + 0x80, d + SH_OFF, NSEC * 64);
  memset(d + SH_OFF, 0, 0x80);
  put(d, 40, SH_OFF + 0x80, 8);
  *len = IMG + 0x80;
}
static void m_modsig(uint8_t *d, size_t *len) {
  static const char magic[] = "~Module signature appended~\n";
  size_t at = *len;
  memset(d + at, 0x5a, 8); /* signature */
  at += 8;
  memset(d + at, 0, 12);
  d[at + 2] = 2;
  d[at + 11] = 8; /* sig_len, big endian */
  at += 12;
  memcpy(d + at, magic, sizeof magic - 1);
  *len = at + sizeof magic - 1;
}

typedef struct row {
  const char *what;
  mutate_fn mutate;
  unsigned strict;
  int differs;
  unsigned classes; /* bits that must be set */
  const char *section;  /* must appear among the differing ones */
  const char *function; /* must be named */
} row;

static const row rows[] = {
    {"identical", m_none, 0, 0, 0, NULL, NULL},
    {"build-id", m_build_id, 0, 0, FWVET_EQC_BUILD_ID, NULL, NULL},
    {"build-id strict", m_build_id, FWVET_EQC_BUILD_ID, 1, 0, NULL, NULL},
    {"comment", m_comment, 0, 0, FWVET_EQC_COMMENT, NULL, NULL},
    {"debug", m_debug, 0, 0, FWVET_EQC_DEBUG, NULL, NULL},
    {"debug strict", m_debug, FWVET_EQC_DEBUG, 1, 0, NULL, NULL},
    {"timestamp", m_date, 0, 0, FWVET_EQC_TIMESTAMPS, NULL, NULL},
    {"timestamp strict", m_date, FWVET_EQC_TIMESTAMPS, 1, 0, NULL, NULL},
    {"build path", m_path, 0, 0, FWVET_EQC_BUILD_PATHS, NULL, NULL},
    {"string", m_word, 0, 1, 0, ".rodata", NULL},
    {"code", m_code, 0, 1, 0, ".text", "func"},
    {"symbols", m_symbols, 0, 0, FWVET_EQC_SYMBOLS, NULL, NULL},
    {"stripped", m_strip, 0, 0, FWVET_EQC_SYMBOLS, NULL, NULL},
    {"zero padding", m_padding, 0, 0, FWVET_EQC_PADDING, NULL, NULL},
    {"unaccounted byte", m_tail, 0, 1, 0, "(bytes outside sections)", NULL},
    {"entry point", m_entry, 0, 1, 0, "ELF header", NULL},
    {"section headers moved", m_shoff_fields, 0, 0,
     FWVET_EQC_SECTION_HEADERS, NULL, NULL},
    {"module signature", m_modsig, 0, 0, FWVET_EQC_MODULE_SIG, NULL, NULL},
};

static void test_rules(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    const row *r = &rows[i];
    uint8_t *a = make_elf();
    uint8_t *b = calloc(1, IMG + 0x100);
    memcpy(b, a, IMG);
    size_t bl = IMG;
    r->mutate(b, &bl);
    outcome o;
    compare(a, IMG, b, bl, r->strict, &o);
    print_message("%s: differs=%d classes=0x%x sections=%s functions=%s\n",
                  r->what, o.differs, o.classes, o.sections, o.functions);
    assert_int_equal(o.differs, r->differs);
    assert_int_equal(o.classes & r->classes, r->classes);
    if (r->section)
      assert_non_null(strstr(o.sections, r->section));
    if (r->function)
      assert_non_null(strstr(o.functions, r->function));
    if (r->function)
      assert_true(o.has_insn);
    free(a);
    free(b);
  }
}

/* --- hostile headers --------------------------------------------------- */

static void h_sec_past_end(uint8_t *d) { put(d, SH_OFF + 64 + 24, IMG, 8); }
static void h_sec_huge(uint8_t *d) { put(d, SH_OFF + 64 + 32, ~0ull, 8); }
static void h_overlap(uint8_t *d) {
  put(d, SH_OFF + 2 * 64 + 24, TEXT, 8); /* .rodata over .text */
}
static void h_shnum_huge(uint8_t *d) { put(d, 60, 0xfff0, 2); }
static void h_shoff_past(uint8_t *d) { put(d, 40, ~0ull - 8, 8); }
static void h_phnum_huge(uint8_t *d) { put(d, 56, 0xffff, 2); }
static void h_ph_past(uint8_t *d) { put(d, 64 + 32, ~0ull, 8); }
static void h_shstrndx(uint8_t *d) { put(d, 62, 0x7777, 2); }
static void h_name_past(uint8_t *d) { put(d, SH_OFF + 64, 0x7fffffff, 4); }
static void h_extended(uint8_t *d) {
  put(d, 60, 0, 2); /* count in section 0's size: huge */
  put(d, SH_OFF + 32, 1ull << 40, 8);
}
static void h_symtab_link(uint8_t *d) { put(d, SH_OFF + 6 * 64 + 40, 999, 4); }
static void h_sym_name(uint8_t *d) { put(d, SYMTAB + 24, 0xffffff, 4); }
static void h_note(uint8_t *d) { put(d, NOTE + 4, 0xfffffff0, 4); }
static void h_ehsize(uint8_t *d) { put(d, 52, 0xffff, 2); }

static void (*const hostile[])(uint8_t *) = {
    h_sec_past_end, h_sec_huge, h_overlap, h_shnum_huge, h_shoff_past,
    h_phnum_huge, h_ph_past, h_shstrndx, h_name_past, h_extended,
    h_symtab_link, h_sym_name, h_note, h_ehsize,
};

static void test_hostile(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
    uint8_t *a = make_elf(), *b = make_elf();
    hostile[i](a);
    hostile[i](b);
    outcome o;
    /* Same hostile bytes on both sides: no crash, and the comparison
     * finds nothing to report. */
    compare(a, IMG, b, IMG, 0, &o);
    assert_int_equal(o.differs, 0);
    /* One more changed code byte must still be found. */
    b[TEXT + 1] = 7;
    compare(a, IMG, b, IMG, 0, &o);
    print_message("hostile %zu: differs=%d sections=%s\n", i, o.differs,
                  o.sections);
    assert_int_equal(o.differs, 1);
    free(a);
    free(b);
  }
  /* Truncated at every length: never reads past the end. */
  uint8_t *a = make_elf();
  for (size_t n = 0; n < IMG; n += 7) {
    uint8_t *t = malloc(n ? n : 1);
    memcpy(t, a, n);
    outcome o;
    compare(t, n, a, IMG, 0, &o);
    assert_int_equal(o.differs, 1);
    free(t);
  }
  free(a);
}

/* --- the string rules ---------------------------------------------------- */

typedef struct text_row {
  const char *a, *b;
  unsigned cls;
} text_row;

static const text_row text_rows[] = {
    {"built Nov 22 2026 10:00:00", "built Nov 23 2026 11:01:02",
     FWVET_EQC_TIMESTAMPS},
    {"Sep  9 2001", "Nov 14 2023", FWVET_EQC_TIMESTAMPS},
    {"at 2026-11-22T10:00:00Z", "at 2027-01-05T23:59:59Z",
     FWVET_EQC_TIMESTAMPS},
    {"epoch 1700000000", "epoch 1700003600", FWVET_EQC_TIMESTAMPS},
    {"Sun Nov 22 23:04:52 UTC 2026", "Mon Nov 23 01:00:00 UTC 2026",
     FWVET_EQC_TIMESTAMPS},
    {"/home/alice/src/a.c", "/home/bobby/src/a.c", FWVET_EQC_BUILD_PATHS},
    {"/tmp/build-1/x", "/tmp/build-2/x", FWVET_EQC_BUILD_PATHS},
    {"hello world", "hello wurld", 0},
    {"version 1.2.3", "version 1.2.4", 0},
    {"Nov 22 2026", "Nov 22 abcd", 0},
    {"limit 10", "limit 12", 0},
    {"/etc/passwd", "/etc/shadow", 0},
    {"10:00:00", "10:00:0x", 0},
};

static void test_text_rules(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof text_rows / sizeof *text_rows; i++) {
    const text_row *r = &text_rows[i];
    size_t n = strlen(r->a);
    assert_int_equal(n, strlen(r->b));
    size_t s = 0, e = n;
    while (s < n && r->a[s] == r->b[s])
      s++;
    while (e > s && r->a[e - 1] == r->b[e - 1])
      e--;
    size_t is = 0, ie = 0;
    unsigned cls = eq_text_rule((const uint8_t *)r->a, (const uint8_t *)r->b,
                                n, s, e, &is, &ie);
    print_message("'%s' vs '%s': %u\n", r->a, r->b, cls);
    assert_int_equal(cls, r->cls);
    if (cls)
      assert_true(is <= s && ie >= e && ie <= n);
  }
}

static void test_classes(void **state) {
  (void)state;
  unsigned m = 0;
  const char *bad = NULL;
  assert_int_equal(fwvet_equiv_class_parse("timestamps,build-paths", &m, &bad),
                   0);
  assert_int_equal(m, FWVET_EQC_TIMESTAMPS | FWVET_EQC_BUILD_PATHS);
  assert_int_equal(fwvet_equiv_class_parse("all", &m, &bad), 0);
  assert_int_equal(m, FWVET_EQC_ALL);
  assert_int_equal(fwvet_equiv_class_parse("debug,nope", &m, &bad), -1);
  assert_string_equal(bad, "nope");
  for (unsigned b = 1; b & FWVET_EQC_ALL; b <<= 1) {
    unsigned got = 0;
    assert_int_equal(
        fwvet_equiv_class_parse(fwvet_equiv_class_name(b), &got, &bad), 0);
    assert_int_equal(got, b);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rules),
      cmocka_unit_test(test_hostile),
      cmocka_unit_test(test_text_rules),
      cmocka_unit_test(test_classes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
