/* fwvet — binary equivalence: is the candidate what the reference is? */
#ifndef FWVET_EQUIV_H
#define FWVET_EQUIV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"
#include "vfs.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Both inputs (image, directory or single file) are unpacked; their nodes
 * are paired by logical path (fspath, prefixed by the file that holds a
 * nested filesystem), the leftovers by content; every pair gets a verdict.
 * Differences that cannot change behaviour are ignored only by the named
 * classes below, and every ignored byte range is recorded with its class
 * (docs/equiv.md describes each rule).
 */

typedef enum fwvet_equiv_verdict {
  FWVET_EQUIV_IDENTICAL = 0, /* same bytes */
  FWVET_EQUIV_EQUIVALENT,    /* differ only in ignored classes */
  FWVET_EQUIV_DIFFERENT,
} fwvet_equiv_verdict;

/* "identical", "equivalent", "different". */
const char *fwvet_equiv_verdict_name(fwvet_equiv_verdict v);

/* Normalisation classes, as bits (for --strict). */
enum {
  FWVET_EQC_BUILD_ID = 1u << 0,      /* ELF GNU build-id note payload */
  FWVET_EQC_COMMENT = 1u << 1,       /* ELF .comment */
  FWVET_EQC_DEBUGLINK = 1u << 2,     /* .gnu_debuglink, .gnu_debugaltlink */
  FWVET_EQC_DEBUG = 1u << 3,         /* .debug_*, .zdebug_* and relocs */
  FWVET_EQC_SYMBOLS = 1u << 4,       /* .symtab/.strtab of an executable */
  FWVET_EQC_SECTION_HEADERS = 1u << 5, /* section header table, .shstrtab */
  FWVET_EQC_PADDING = 1u << 6,       /* unreferenced zero fill */
  FWVET_EQC_TIMESTAMPS = 1u << 7,    /* build dates in read-only data */
  FWVET_EQC_BUILD_PATHS = 1u << 8,   /* build directories in read-only data */
  FWVET_EQC_ARCHIVE = 1u << 9,       /* container and compression metadata */
  FWVET_EQC_MTIMES = 1u << 10,       /* entries' modification times */
  FWVET_EQC_OWNERS = 1u << 11,       /* entries' uid/gid */
  FWVET_EQC_MODULE_SIG = 1u << 12,   /* signature appended to a .ko */
  FWVET_EQC_ALL = (1u << 13) - 1,
};

/* Name of one class bit ("build-id", "timestamps", ...); "?" otherwise. */
const char *fwvet_equiv_class_name(unsigned cls);
/* Parses "timestamps,build-paths" (or "all") into a mask; on an unknown
 * name returns -1 and points *bad at it (inside `list`). */
int fwvet_equiv_class_parse(const char *list, unsigned *mask,
                            const char **bad);

typedef enum fwvet_equiv_side {
  FWVET_EQUIV_REFERENCE = 0,
  FWVET_EQUIV_CANDIDATE,
  FWVET_EQUIV_BOTH,
} fwvet_equiv_side;

/* A byte range of one side's node (offsets into its bytes), ignored by a
 * class (`cls` one FWVET_EQC_* bit) or, in a section, found different
 * (`cls` 0).  Metadata items (mtimes, owners) have `length` 0. */
typedef struct fwvet_equiv_range {
  fwvet_equiv_side side;
  uint64_t offset, length;
  unsigned cls;
  const char *detail; /* what the range is, e.g. ".debug_info"; or NULL */
} fwvet_equiv_range;

/* Where a "different" pair differs: an ELF section or segment (or "data"
 * for a file that is not ELF). */
typedef struct fwvet_equiv_section {
  const char *name;
  uint64_t ref_offset, ref_size;   /* in the reference's bytes */
  uint64_t cand_offset, cand_size;
  const fwvet_equiv_range *ranges; /* differing ranges (first few) */
  size_t nranges;
  const char *const *functions;    /* symbols whose bytes differ */
  size_t nfunctions;
  /* First differing instruction, "0x401136: mov eax, 1", or NULL. */
  const char *ref_insn, *cand_insn;
} fwvet_equiv_section;

/* One side of a pair.  Strings are owned by the result. */
typedef struct fwvet_equiv_node {
  const char *path;   /* provenance path */
  const char *sha256; /* NULL without content */
  uint64_t size;
  const char *type;   /* "elf", "squashfs", "dir", ... */
  fwvet_kind kind;
} fwvet_equiv_node;

typedef struct fwvet_equiv_pair {
  const char *fspath; /* logical path, the pairing key */
  fwvet_equiv_node ref, cand;
  fwvet_equiv_verdict verdict;
  int by_content;     /* paired by content: renamed or moved */
  const char *const *reasons; /* one line each */
  size_t nreasons;
  const fwvet_equiv_range *ignored; /* every range not compared */
  size_t nignored;
  unsigned classes;   /* FWVET_EQC_* bits that were used */
  const fwvet_equiv_section *sections;
  size_t nsections;
} fwvet_equiv_pair;

typedef struct fwvet_equiv_options {
  fwvet_open_options open; /* unpacking limits and jobs, for both sides */
  unsigned strict;         /* FWVET_EQC_* bits that count as differences */
  /* Bytes of each side kept in memory for comparison (default 2 GiB); a
   * differing pair whose bytes were not kept is "different" with a reason
   * saying so, never assumed equivalent. */
  uint64_t max_kept_bytes;
} fwvet_equiv_options;

void fwvet_equiv_options_init(fwvet_equiv_options *opt);

typedef struct fwvet_equiv fwvet_equiv; /* the result; opaque */

/*
 * Unpacks `ref` and `cand` (paths to images, directories or files),
 * pairs and classifies; *out (written on success only) is owned by the
 * caller, freed with fwvet_equiv_destroy().  Fails as fwvet_vfs_open does;
 * *failed_side says which input could not be read.
 */
fwvet_status fwvet_equiv_compare(const char *ref, const char *cand,
                                 const fwvet_equiv_options *opt,
                                 fwvet_equiv **out,
                                 fwvet_equiv_side *failed_side);
void fwvet_equiv_destroy(fwvet_equiv *eq); /* NULL is a no-op */

/* Equivalent only when every pair is identical or equivalent, none was
 * paired by content (a renamed or moved file), and no node is on one side
 * only; FWVET_EQUIV_DIFFERENT otherwise. */
fwvet_equiv_verdict fwvet_equiv_overall(const fwvet_equiv *eq);

size_t fwvet_equiv_pair_count(const fwvet_equiv *eq);
const fwvet_equiv_pair *fwvet_equiv_pair_at(const fwvet_equiv *eq, size_t i);
/* Nodes found on one side only (`side` REFERENCE or CANDIDATE): the
 * topmost node of each missing subtree, and its logical path. */
size_t fwvet_equiv_only_count(const fwvet_equiv *eq, fwvet_equiv_side side);
const fwvet_equiv_node *fwvet_equiv_only_at(const fwvet_equiv *eq,
                                            fwvet_equiv_side side, size_t i);
const char *fwvet_equiv_only_fspath(const fwvet_equiv *eq,
                                    fwvet_equiv_side side, size_t i);
/* The unpacked trees (their input, unpack findings); owned by `eq`. */
const fwvet_vfs *fwvet_equiv_vfs(const fwvet_equiv *eq,
                                 fwvet_equiv_side side);
/* Classes that were asked to count as differences. */
unsigned fwvet_equiv_strict(const fwvet_equiv *eq);

typedef enum fwvet_equiv_format {
  FWVET_EQUIV_TEXT = 0,
  FWVET_EQUIV_JSON,
  FWVET_EQUIV_SARIF,
} fwvet_equiv_format;

/*
 * Writes the result: text (summary, then each pair that is not identical;
 * with `explain`, every ignored range), the equiv JSON contract, or SARIF
 * 2.1.0.  FWVET_EIO when writing to `out` fails.
 */
fwvet_status fwvet_report_equiv(const fwvet_equiv *eq,
                                fwvet_equiv_format format, int explain,
                                FILE *out);

#ifdef __cplusplus
}
#endif
#endif
