/*
 * fwvet audit-src: the engineering table of a C/C++ source tree.  Every
 * C/C++ file is tokenized (clex.c) and direct calls of the family
 * functions are counted; #define bodies count like code (a call written
 * once in a macro counts once, however often the macro is expanded).
 * A call is `name (` not preceded by `.` or `->` (a member of the same
 * name is not the C library's) and not a declaration (`char *strcpy(`,
 * `void *memcpy(`: the previous token is a type name or `*` after one).
 * Two findings:
 *   engineering.unsafe-macro      a #define named like a safe function
 *                                 whose body uses an unsafe one
 *   engineering.unchecked-wrapper a function defined with a safe name
 *                                 whose body calls an unsafe one with no
 *                                 comparison next to any of its size
 *                                 (non-pointer) parameters (a heuristic,
 *                                 docs/rules.md)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/findings.h"
#include "engineering/clex.h"
#include "engineering/families.h"
#include "fwvet/audit.h"

#define MAX_FILE_BYTES (64u << 20)
#define MAX_TOKENS (16u << 20)
#define MAX_DEPTH 64
#define MAX_PARAMS 32

typedef struct src_file {
  char *path;
  fwvet_eng_count *fn;
  size_t nfn;
} src_file;

struct fwvet_audit {
  fwvet_families *fam;
  fwvet_eng_counter total;
  fwvet_eng_row *rows;
  size_t nrows;
  fwvet_eng_count *fn;
  size_t nfn;
  src_file *files;
  size_t nfiles, capfiles;
  fwvet_findings findings;
  const fwvet_finding **sorted;
};

typedef struct path_list {
  char **p;
  size_t n, cap;
} path_list;

static int is_source(const char *name) {
  static const char *const ext[] = {".c",   ".h",   ".cc",  ".cpp",
                                    ".cxx", ".hpp", ".hh",  ".inl"};
  const char *dot = strrchr(name, '.');
  if (!dot)
    return 0;
  for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
    if (!strcmp(dot, ext[i]))
      return 1;
  return 0;
}

/* Collects source files below `dir` (relative names under `rel`);
 * symbolic links are not followed, hidden files and directories are
 * skipped. */
static fwvet_status walk(const char *dir, const char *rel, int depth,
                         path_list *out) {
  if (depth > MAX_DEPTH)
    return FWVET_OK;
  DIR *d = opendir(dir);
  if (!d)
    return depth ? FWVET_OK : FWVET_EIO; /* unreadable subdirs: skipped */
  fwvet_status st = FWVET_OK;
  struct dirent *e;
  while (!st && (e = readdir(d))) {
    /* hidden entries too: .git, and quilt's .pc holding a pre-patch
     * copy of every patched file, would count those files twice */
    if (e->d_name[0] == '.')
      continue;
    char *full = NULL, *r = NULL;
    struct stat sb;
    if (asprintf(&full, "%s/%s", dir, e->d_name) < 0) {
      st = FWVET_ENOMEM;
      break;
    }
    if (asprintf(&r, "%s%s%s", rel, *rel ? "/" : "", e->d_name) < 0) {
      free(full);
      st = FWVET_ENOMEM;
      break;
    }
    if (lstat(full, &sb) == 0) {
      if (S_ISDIR(sb.st_mode)) {
        st = walk(full, r, depth + 1, out);
      } else if (S_ISREG(sb.st_mode) && is_source(e->d_name)) {
        if (out->n == out->cap) {
          size_t cap = out->cap ? out->cap * 2 : 256;
          char **p = realloc(out->p, cap * sizeof *p);
          if (!p)
            st = FWVET_ENOMEM;
          else {
            out->p = p;
            out->cap = cap;
          }
        }
        if (!st) {
          out->p[out->n++] = r;
          r = NULL;
        }
      }
    }
    free(full);
    free(r);
  }
  closedir(d);
  return st;
}

static int prev_is_decl_type(const clex_tok *t, size_t i) {
  static const char *const not_types[] = {"return", "else", "do", "case",
                                          "goto", "throw", "co_return"};
  if (i == 0)
    return 0;
  const clex_tok *p = &t[i - 1];
  while (clex_is(p, "*") || clex_is(p, "&")) {
    if (p == t)
      return 0;
    p--;
    if (p->kind != CLEX_IDENT && !clex_is(p, "*") && !clex_is(p, "&"))
      return 0;
  }
  if (p->kind != CLEX_IDENT || p->where != t[i].where)
    return 0;
  for (size_t k = 0; k < sizeof not_types / sizeof *not_types; k++)
    if (clex_is(p, not_types[k]))
      return 0;
  return 1;
}

/* The family function called at token i, or -1. */
static long call_at(const fwvet_families *fam, const clex_tok *t, size_t n,
                    size_t i) {
  if (t[i].kind != CLEX_IDENT || t[i].where == CLEX_DEFINE_NAME ||
      i + 1 >= n || !clex_is(&t[i + 1], "(") ||
      t[i + 1].define != t[i].define)
    return -1;
  if (i && t[i - 1].define == t[i].define &&
      (clex_is(&t[i - 1], ".") || clex_is(&t[i - 1], "->")))
    return -1;
  long k = fwvet_families_lookup(fam, t[i].p, t[i].len);
  if (k < 0 || prev_is_decl_type(t, i))
    return -1;
  return k;
}

static int is_comparison(const clex_tok *t) {
  return t->kind == CLEX_PUNCT &&
         (clex_is(t, "<") || clex_is(t, ">") || clex_is(t, "<=") ||
          clex_is(t, ">=") || clex_is(t, "==") || clex_is(t, "!="));
}

static size_t matching(const clex_tok *t, size_t n, size_t i,
                       const char *open, const char *close) {
  int depth = 0;
  for (; i < n; i++) {
    if (t[i].where)
      continue;
    if (clex_is(&t[i], open))
      depth++;
    else if (clex_is(&t[i], close) && --depth == 0)
      return i;
  }
  return n;
}

typedef struct file_ctx {
  fwvet_audit *a;
  const char *path;
  const clex_tok *t;
  size_t n;
} file_ctx;

static void report(file_ctx *c, const char *rule, const clex_tok *at,
                   const clex_tok *safe, const char *unsafe,
                   const char *what) {
  char ev[256], msg[512];
  snprintf(ev, sizeof ev, "%.*s -> %s", (int)safe->len, safe->p, unsafe);
  snprintf(msg, sizeof msg, "%s '%.*s' calls the unbounded '%s'%s", what,
           (int)safe->len, safe->p, unsafe,
           !strcmp(rule, "engineering.unsafe-macro")
               ? ", so every call through the safe name is unbounded"
               : " without comparing the destination size");
  fwvet_findings_add(&c->a->findings, rule, FWVET_SEV_MEDIUM, c->path,
                     c->path, FWVET_NO_OFFSET, at->line, ev, msg);
}

/* The first unsafe family function used in tokens [b, e) (a call, or for
 * macros any mention), or NULL. */
static const char *unsafe_in(file_ctx *c, size_t b, size_t e, int mention) {
  const fwvet_families *fam = c->a->fam;
  for (size_t i = b; i < e; i++) {
    long k = mention && c->t[i].kind == CLEX_IDENT
                 ? fwvet_families_lookup(fam, c->t[i].p, c->t[i].len)
                 : call_at(fam, c->t, c->n, i);
    if (k >= 0 && !fwvet_families_fn(fam, (size_t)k)->safe)
      return fwvet_families_fn(fam, (size_t)k)->name;
  }
  return NULL;
}

static void check_macros(file_ctx *c) {
  const clex_tok *t = c->t;
  for (size_t i = 0; i < c->n; i++) {
    if (t[i].where != CLEX_DEFINE_NAME)
      continue;
    long k = fwvet_families_lookup(c->a->fam, t[i].p, t[i].len);
    if (k < 0 || !fwvet_families_fn(c->a->fam, (size_t)k)->safe)
      continue;
    size_t e = i + 1;
    while (e < c->n && t[e].define == t[i].define)
      e++;
    const char *u = unsafe_in(c, i + 1, e, 1);
    if (u)
      report(c, "engineering.unsafe-macro", &t[i], &t[i], u, "macro");
  }
}

static int tok_eq(const clex_tok *a, const clex_tok *b) {
  return a->len == b->len && !memcmp(a->p, b->p, a->len);
}

/* Function definitions at file scope named like a safe function. */
static void check_wrappers(file_ctx *c) {
  const clex_tok *t = c->t;
  int depth = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (t[i].where)
      continue;
    if (clex_is(&t[i], "{"))
      depth++;
    else if (clex_is(&t[i], "}") && depth > 0)
      depth--;
    if (depth || t[i].kind != CLEX_IDENT || i + 1 >= c->n ||
        !clex_is(&t[i + 1], "("))
      continue;
    long k = fwvet_families_lookup(c->a->fam, t[i].p, t[i].len);
    if (k < 0 || !fwvet_families_fn(c->a->fam, (size_t)k)->safe)
      continue;
    size_t close = matching(t, c->n, i + 1, "(", ")");
    if (close + 1 >= c->n || !clex_is(&t[close + 1], "{"))
      continue; /* a declaration or a call */
    /* size parameters: the names of the non-pointer parameters */
    const clex_tok *params[MAX_PARAMS];
    size_t np = 0;
    int pd = 0, ptr = 0;
    for (size_t j = i + 2; j <= close && np < MAX_PARAMS; j++) {
      if (clex_is(&t[j], "(") || clex_is(&t[j], "[")) {
        ptr = 1; /* arrays and function pointers */
        pd++;
      } else if ((clex_is(&t[j], ")") || clex_is(&t[j], "]")) && pd > 0) {
        pd--;
      } else if (!pd && clex_is(&t[j], "*")) {
        ptr = 1;
      } else if (!pd && (clex_is(&t[j], ",") || j == close)) {
        if (!ptr && t[j - 1].kind == CLEX_IDENT)
          params[np++] = &t[j - 1];
        ptr = 0;
      }
      if (j == close)
        break;
    }
    size_t end = matching(t, c->n, close + 1, "{", "}");
    const char *u = unsafe_in(c, close + 2, end, 0);
    if (!u)
      goto next;
    for (size_t j = close + 2; j < end; j++) {
      if (!is_comparison(&t[j]))
        continue;
      /* the operand tokens on either side, past parentheses */
      size_t l = j, r = j;
      while (l > close + 2 && (clex_is(&t[l - 1], ")") ||
                               clex_is(&t[l - 1], "(")))
        l--;
      while (r + 1 < end && (clex_is(&t[r + 1], "(") ||
                             clex_is(&t[r + 1], ")")))
        r++;
      for (size_t p = 0; p < np; p++)
        if ((l > close + 2 && tok_eq(&t[l - 1], params[p])) ||
            (r + 1 < end && tok_eq(&t[r + 1], params[p])))
          goto next; /* a size is compared: checked */
    }
    report(c, "engineering.unchecked-wrapper", &t[i], &t[i], u, "function");
  next:
    /* skip the body: its braces are balanced, depth stays 0 */
    if (end < c->n)
      i = end;
  }
}

static fwvet_status read_file(const char *path, char **out, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FWVET_EIO;
  struct stat sb;
  fwvet_status st = FWVET_EIO;
  char *buf = NULL;
  if (fstat(fd, &sb) || sb.st_size < 0)
    goto out;
  if ((uint64_t)sb.st_size > MAX_FILE_BYTES) {
    st = FWVET_ELIMIT;
    goto out;
  }
  size_t n = (size_t)sb.st_size, got = 0;
  buf = malloc(n ? n : 1);
  if (!buf) {
    st = FWVET_ENOMEM;
    goto out;
  }
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  *out = buf;
  *len = got;
  buf = NULL;
  st = FWVET_OK;
out:
  free(buf);
  close(fd);
  return st;
}

static fwvet_status audit_file(fwvet_audit *a, const char *full,
                               const char *rel) {
  char *src = NULL;
  size_t len = 0, n = 0;
  clex_tok *t = NULL;
  fwvet_status st = read_file(full, &src, &len);
  if (st == FWVET_EIO || st == FWVET_ELIMIT)
    return FWVET_OK; /* unreadable or huge (generated) file: skipped */
  if (st)
    return st;
  fwvet_eng_counter c = {0};
  if ((st = clex_run(src, len, MAX_TOKENS, &t, &n)))
    goto out;
  if ((st = fwvet_eng_counter_init(&c, a->fam)))
    goto out;
  int any = 0;
  for (size_t i = 0; i < n; i++) {
    long k = call_at(a->fam, t, n, i);
    if (k >= 0) {
      c.n[k]++;
      any = 1;
    }
  }
  file_ctx fc = {a, rel, t, n};
  check_macros(&fc);
  check_wrappers(&fc);
  if (any) {
    if (a->nfiles == a->capfiles) {
      size_t cap = a->capfiles ? a->capfiles * 2 : 64;
      src_file *p = realloc(a->files, cap * sizeof *p);
      if (!p) {
        st = FWVET_ENOMEM;
        goto out;
      }
      a->files = p;
      a->capfiles = cap;
    }
    src_file *f = &a->files[a->nfiles];
    if (!(f->path = strdup(rel)) ||
        (st = fwvet_eng_functions(&c, &f->fn, &f->nfn))) {
      free(f->path);
      st = st ? st : FWVET_ENOMEM;
      goto out;
    }
    a->nfiles++;
    fwvet_eng_counter_merge(&a->total, &c);
  }
out:
  fwvet_eng_counter_release(&c);
  free(t);
  free(src);
  return st;
}

static int cmp_str(const void *x, const void *y) {
  return strcmp(*(char *const *)x, *(char *const *)y);
}

static int cmp_finding(const void *x, const void *y) {
  return fwvet_finding_cmp(*(const fwvet_finding *const *)x,
                           *(const fwvet_finding *const *)y);
}

fwvet_status fwvet_audit_src(const char *dir, const fwvet_audit_options *opt,
                             fwvet_audit **out, unsigned *badline) {
  fwvet_audit *a = calloc(1, sizeof *a);
  if (!a)
    return FWVET_ENOMEM;
  fwvet_findings_init(&a->findings);
  path_list pl = {0};
  fwvet_status st =
      fwvet_families_new(opt ? opt->families : NULL, &a->fam, badline);
  if (st || (st = fwvet_eng_counter_init(&a->total, a->fam)))
    goto out;
  struct stat sb;
  if (stat(dir, &sb) || !S_ISDIR(sb.st_mode)) {
    st = FWVET_EIO;
    goto out;
  }
  if ((st = walk(dir, "", 0, &pl)))
    goto out;
  if (pl.n)
    qsort(pl.p, pl.n, sizeof *pl.p, cmp_str);
  for (size_t i = 0; i < pl.n && !st; i++) {
    char *full = NULL;
    if (asprintf(&full, "%s/%s", dir, pl.p[i]) < 0) {
      st = FWVET_ENOMEM;
      break;
    }
    st = audit_file(a, full, pl.p[i]);
    free(full);
  }
  if (st || (st = fwvet_eng_rows(&a->total, "source", &a->rows, &a->nrows)) ||
      (st = fwvet_eng_functions(&a->total, &a->fn, &a->nfn)))
    goto out;
  size_t nf = a->findings.count;
  a->sorted = malloc((nf ? nf : 1) * sizeof *a->sorted);
  if (!a->sorted) {
    st = FWVET_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < nf; i++)
    a->sorted[i] = &a->findings.items[i];
  if (nf)
    qsort(a->sorted, nf, sizeof *a->sorted, cmp_finding);
out:
  for (size_t i = 0; i < pl.n; i++)
    free(pl.p[i]);
  free(pl.p);
  if (st) {
    fwvet_audit_destroy(a);
    return st;
  }
  *out = a;
  return FWVET_OK;
}

void fwvet_audit_destroy(fwvet_audit *a) {
  if (!a)
    return;
  for (size_t i = 0; i < a->nfiles; i++) {
    free(a->files[i].path);
    free(a->files[i].fn);
  }
  free(a->files);
  free(a->rows);
  free(a->fn);
  free(a->sorted);
  fwvet_findings_release(&a->findings);
  fwvet_eng_counter_release(&a->total);
  fwvet_families_free(a->fam);
  free(a);
}

const fwvet_eng_row *fwvet_audit_table(const fwvet_audit *a, size_t *n) {
  *n = a->nrows;
  return a->rows;
}

const fwvet_eng_count *fwvet_audit_functions(const fwvet_audit *a,
                                             size_t *n) {
  *n = a->nfn;
  return a->fn;
}

size_t fwvet_audit_file_count(const fwvet_audit *a) { return a->nfiles; }

const char *fwvet_audit_file_path(const fwvet_audit *a, size_t i) {
  return i < a->nfiles ? a->files[i].path : NULL;
}

const fwvet_eng_count *fwvet_audit_file_functions(const fwvet_audit *a,
                                                  size_t i, size_t *n) {
  if (i >= a->nfiles) {
    *n = 0;
    return NULL;
  }
  *n = a->files[i].nfn;
  return a->files[i].fn;
}

size_t fwvet_audit_finding_count(const fwvet_audit *a) {
  return a->findings.count;
}

const fwvet_finding *fwvet_audit_finding(const fwvet_audit *a, size_t i) {
  return i < a->findings.count ? a->sorted[i] : NULL;
}
