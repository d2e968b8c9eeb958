/*
 * The component signature database: parsing data/signatures.txt (see
 * sigdb.h; the format is documented at the top of data/signatures.txt).
 *
 * Each pattern is compiled twice: as a POSIX regular expression anchored
 * at a match's end, here, which finds where it starts and captures the
 * version; and into one Hyperscan database per kind (strings, file
 * names) that finds where signatures end (compile.c).  Hyperscan has no
 * captures; a match is rare enough that the second step costs nothing
 * measurable.
 */
#include "sig/sigdb_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures.h" /* generated from data/signatures.txt */

#define MAX_FILE (16u << 20) /* a --signatures file */

void fwvet_sig_seterr(char *err, size_t cap, const char *fmt, ...) {
  if (!err || !cap)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, cap, fmt, ap);
  va_end(ap);
}

static int grow(void **v, size_t *cap, size_t need, size_t size) {
  if (need <= *cap)
    return 0;
  size_t n = *cap ? *cap * 2 : 16;
  while (n < need)
    n *= 2;
  void *p = realloc(*v, n * size);
  if (!p)
    return -1;
  *v = p;
  *cap = n;
  return 0;
}

static void prod_free(fwvet_sigprod *p) {
  free(p->name);
  free(p->vendor);
  free(p->product);
  free(p->purl);
  for (size_t i = 0; i < p->npackages; i++)
    free(p->packages[i]);
  free(p->packages);
  for (size_t i = 0; i < p->nlinked; i++)
    free(p->linked[i]);
  free(p->linked);
}

void fwvet_sigdb_free(fwvet_sigdb *db) {
  if (!db)
    return;
  for (size_t i = 0; i < db->nprods; i++)
    prod_free(&db->prods[i]);
  free(db->prods);
  for (size_t i = 0; i < db->npats; i++) {
    free(db->pats[i].expr);
    if (db->pats[i].compiled)
      regfree(&db->pats[i].re);
  }
  free(db->pats);
  for (size_t i = 0; i < db->nscratch; i++)
    hs_free_scratch(db->scratch[i]);
  free(db->scratch);
  hs_free_database(db->hs_strings);
  hs_free_database(db->hs_names);
  pthread_mutex_destroy(&db->lock);
  free(db);
}

size_t fwvet_sigdb_count(const fwvet_sigdb *db) { return db->nprods; }

const fwvet_sigprod *fwvet_sigdb_product(const fwvet_sigdb *db, size_t i) {
  return i < db->nprods ? &db->prods[i] : NULL;
}

size_t fwvet_sigdb_pattern_count(const fwvet_sigdb *db) { return db->npats; }

long fwvet_sigdb_package(const fwvet_sigdb *db, const char *pkgname) {
  for (size_t i = 0; i < db->nprods; i++)
    for (size_t j = 0; j < db->prods[i].npackages; j++)
      if (!strcmp(db->prods[i].packages[j], pkgname))
        return (long)i;
  return -1;
}

/* --- parsing ------------------------------------------------------------ */

static fwvet_sigdb *db_new(void) {
  fwvet_sigdb *db = calloc(1, sizeof *db);
  if (db)
    pthread_mutex_init(&db->lock, NULL);
  return db;
}

static int valid_name(const char *s) {
  if (!*s)
    return 0;
  for (; *s; s++)
    if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
          strchr("-_.+", *s)))
      return 0;
  return 1;
}

static int valid_cpe_part(const char *s, size_t n) {
  if (n == 0)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!(isalnum((unsigned char)s[i]) || strchr("-_.+~!", s[i])))
      return 0;
  return 1;
}

#define MAX_EXPR 512   /* characters of one pattern */
#define MAX_REPEAT 255 /* bound of one {m,n} */
#define MAX_COST 20000 /* pattern size with repeats expanded */
#define MAX_NEST 32    /* nested groups */

/* Skips a bracket expression ("[]a]", "[^]a]", "[[:digit:]]") starting at
 * `p`; returns its last character, or NULL when it is not closed. */
static const char *bracket_end(const char *p) {
  const char *e = p + 1;
  if (*e == '^')
    e++;
  if (*e == ']')
    e++;
  while (*e && *e != ']') {
    const char *c = e[0] == '[' && e[1] == ':' ? strstr(e + 2, ":]") : NULL;
    e = c ? c + 2 : e + 1;
  }
  return *e ? e : NULL;
}

/*
 * Keeps `expr` inside the dialect both engines read the same way, and
 * small.  A quantifier right after another ("a++", "a*?") means something
 * else to Hyperscan and makes POSIX regcomp() blow up; so do nested
 * repeats, which regcomp() expands: the size with every repeat expanded
 * (a{3} counts 3, a+ 2) is bounded.
 */
static int check_expr(const char *expr, char *why, size_t cap) {
  if (!*expr) {
    fwvet_sig_seterr(why, cap, "empty pattern");
    return -1;
  }
  if (strlen(expr) > MAX_EXPR) {
    fwvet_sig_seterr(why, cap, "pattern longer than %d characters", MAX_EXPR);
    return -1;
  }
  unsigned long total[MAX_NEST + 1] = {0}, last[MAX_NEST + 1] = {0};
  int depth = 0, quantified = 0;
  for (const char *p = expr; *p; p++) {
    unsigned long factor = 0; /* a quantifier's, 0 for an atom */
    if (p[0] == '\\' && p[1] && strchr("dDwWsSbBAzZQEx0123456789", p[1])) {
      fwvet_sig_seterr(why, cap, "'\\%c' is not in the pattern dialect", p[1]);
      return -1;
    } else if (p[0] == '(' && p[1] == '?') {
      fwvet_sig_seterr(why, cap, "'(?' is not in the pattern dialect");
      return -1;
    } else if (p[0] == '(') {
      if (depth == MAX_NEST) {
        fwvet_sig_seterr(why, cap, "groups nested deeper than %d", MAX_NEST);
        return -1;
      }
      depth++;
      total[depth] = last[depth] = 0;
      quantified = 0;
      continue;
    } else if (p[0] == ')' && depth > 0) {
      unsigned long c = total[depth--];
      total[depth] += c;
      last[depth] = c;
      quantified = 0;
      continue;
    } else if (p[0] == '|') {
      last[depth] = 0;
      quantified = 0;
      continue;
    } else if (strchr("*+?", p[0])) {
      factor = p[0] == '+' ? 2 : 1;
    } else if (p[0] == '{') {
      char *e;
      unsigned long lo = strtoul(p + 1, &e, 10), hi = lo;
      if (*e == ',')
        hi = e[1] == '}' ? lo + 1 : strtoul(e + 1, &e, 10);
      if (lo > MAX_REPEAT || hi > MAX_REPEAT) {
        fwvet_sig_seterr(why, cap, "a repeat bound above %d", MAX_REPEAT);
        return -1;
      }
      factor = hi > lo ? hi : lo;
      if (factor == 0)
        factor = 1;
      const char *close = strchr(p, '}');
      if (close)
        p = close;
    } else {
      if (p[0] == '\\' && p[1])
        p++;
      else if (p[0] == '[' && !(p = bracket_end(p)))
        break; /* not closed: regcomp() says so */
      total[depth] += 1;
      last[depth] = 1;
      quantified = 0;
      continue;
    }
    if (quantified) {
      fwvet_sig_seterr(why, cap, "a quantifier after a quantifier");
      return -1;
    }
    quantified = 1;
    total[depth] += last[depth] * (factor - 1);
    last[depth] *= factor;
    if (total[depth] > MAX_COST) {
      fwvet_sig_seterr(why, cap,
                       "pattern too large once its repeats are expanded");
      return -1;
    }
  }
  return 0;
}

static fwvet_status add_pattern(fwvet_sigdb *db, size_t prod, int is_name,
                                const char *expr, const char *where, char *err,
                                size_t errcap) {
  char why[160];
  if (check_expr(expr, why, sizeof why)) {
    fwvet_sig_seterr(err, errcap, "%s: %s", where, why);
    return FWVET_EINVAL;
  }
  if (grow((void **)&db->pats, &db->cappats, db->npats + 1, sizeof *db->pats))
    return FWVET_ENOMEM;
  fwvet_sigpat *p = &db->pats[db->npats];
  memset(p, 0, sizeof *p);
  p->product = prod;
  p->is_name = is_name;
  p->expr = strdup(expr);
  if (!p->expr)
    return FWVET_ENOMEM;
  /* The POSIX side: the whole pattern is group 1, so the author's first
   * group (the version) is group 2; anchored at the end Hyperscan found. */
  size_t n = strlen(expr) + 8;
  char *anch = malloc(n);
  if (!anch) {
    free(p->expr);
    return FWVET_ENOMEM;
  }
  snprintf(anch, n, "%s(%s)$", is_name ? "^" : "", expr);
  int rc = regcomp(&p->re, anch, REG_EXTENDED);
  free(anch);
  if (rc) {
    regerror(rc, &p->re, why, sizeof why);
    fwvet_sig_seterr(err, errcap, "%s: invalid pattern: %s", where, why);
    free(p->expr);
    return FWVET_EINVAL;
  }
  p->compiled = 1;
  p->has_version = p->re.re_nsub >= 2;
  db->npats++;
  return FWVET_OK;
}

static char *next_word(char **s) {
  char *p = *s;
  while (*p == ' ' || *p == '\t')
    p++;
  if (!*p)
    return NULL;
  char *w = p;
  while (*p && *p != ' ' && *p != '\t')
    p++;
  if (*p)
    *p++ = '\0';
  *s = p;
  return w;
}

static fwvet_status parse_line(fwvet_sigdb *db, char *line, long *cur,
                               const char *where, char *err, size_t errcap) {
  char *rest = line;
  char *kw = next_word(&rest);
  if (!kw || kw[0] == '#')
    return FWVET_OK;
  while (*rest == ' ' || *rest == '\t')
    rest++;
  if (!strcmp(kw, "product")) {
    char *name = next_word(&rest);
    if (!name || next_word(&rest) || !valid_name(name)) {
      fwvet_sig_seterr(err, errcap, "%s: 'product' needs one lower-case name",
                       where);
      return FWVET_EINVAL;
    }
    for (size_t i = 0; i < db->nprods; i++)
      if (!strcmp(db->prods[i].name, name)) {
        fwvet_sig_seterr(err, errcap, "%s: product '%s' is defined twice",
                         where, name);
        return FWVET_EINVAL;
      }
    if (grow((void **)&db->prods, &db->capprods, db->nprods + 1,
             sizeof *db->prods))
      return FWVET_ENOMEM;
    fwvet_sigprod *p = &db->prods[db->nprods];
    memset(p, 0, sizeof *p);
    if (!(p->name = strdup(name)))
      return FWVET_ENOMEM;
    *cur = (long)db->nprods++;
    return FWVET_OK;
  }
  if (*cur < 0) {
    fwvet_sig_seterr(err, errcap, "%s: '%s' before the first 'product'", where,
                     kw);
    return FWVET_EINVAL;
  }
  fwvet_sigprod *p = &db->prods[*cur];
  if (!strcmp(kw, "cpe")) {
    char *v = next_word(&rest);
    char part = 'a';
    if (v && strchr("aoh", v[0]) && v[0] && v[1] == ':' && strchr(v + 2, ':')) {
      part = v[0];
      v += 2;
    }
    char *colon = v ? strchr(v, ':') : NULL;
    if (!v || next_word(&rest) || !colon || p->vendor ||
        !valid_cpe_part(v, (size_t)(colon - v)) ||
        !valid_cpe_part(colon + 1, strlen(colon + 1))) {
      fwvet_sig_seterr(err, errcap, "%s: 'cpe' needs one [PART:]VENDOR:PRODUCT",
                       where);
      return FWVET_EINVAL;
    }
    p->part = part;
    p->vendor = strndup(v, (size_t)(colon - v));
    p->product = strdup(colon + 1);
    return p->vendor && p->product ? FWVET_OK : FWVET_ENOMEM;
  }
  if (!strcmp(kw, "purl")) {
    char *v = next_word(&rest);
    if (!v || next_word(&rest) || strncmp(v, "pkg:", 4) || p->purl ||
        strchr(v, '@')) {
      fwvet_sig_seterr(err, errcap, "%s: 'purl' needs one pkg:TYPE/NAME",
                       where);
      return FWVET_EINVAL;
    }
    p->purl = strdup(v);
    return p->purl ? FWVET_OK : FWVET_ENOMEM;
  }
  if (!strcmp(kw, "package") || !strcmp(kw, "linked")) {
    int pkg = kw[0] == 'p';
    char ***list = pkg ? &p->packages : &p->linked;
    size_t *n = pkg ? &p->npackages : &p->nlinked;
    size_t *cap = pkg ? &p->cappackages : &p->caplinked;
    char *v;
    int any = 0;
    while ((v = next_word(&rest))) {
      if (grow((void **)list, cap, *n + 1, sizeof **list) ||
          !((*list)[*n] = strdup(v)))
        return FWVET_ENOMEM;
      (*n)++;
      any = 1;
    }
    if (!any) {
      fwvet_sig_seterr(err, errcap, "%s: '%s' needs names", where, kw);
      return FWVET_EINVAL;
    }
    return FWVET_OK;
  }
  if (!strcmp(kw, "string") || !strcmp(kw, "file"))
    return add_pattern(db, (size_t)*cur, kw[0] == 'f', rest, where, err,
                       errcap);
  fwvet_sig_seterr(err, errcap, "%s: unknown keyword '%s'", where, kw);
  return FWVET_EINVAL;
}

fwvet_status fwvet_sigdb_add(fwvet_sigdb **dbp, const char *text, size_t len,
                             const char *origin, char *err, size_t errcap) {
  fwvet_sigdb *db = *dbp ? *dbp : db_new();
  if (!db)
    return FWVET_ENOMEM;
  db->builtin_only = 0;
  if (db->hs_strings || db->hs_names) {
    fwvet_sig_seterr(err, errcap, "%s: the database is already compiled",
                     origin);
    if (!*dbp)
      fwvet_sigdb_free(db);
    return FWVET_EINVAL;
  }
  size_t first_prod = db->nprods, first_pat = db->npats;
  fwvet_status st = FWVET_OK;
  long cur = -1;
  unsigned lineno = 0;
  char *line = NULL;
  for (size_t pos = 0; pos < len && !st;) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t raw = nl ? (size_t)(nl - (text + pos)) : len - pos, n = raw;
    lineno++;
    if (memchr(text + pos, '\0', n)) {
      fwvet_sig_seterr(err, errcap, "%s:%u: NUL byte in line", origin, lineno);
      st = FWVET_EINVAL;
      break;
    }
    free(line);
    if (!(line = strndup(text + pos, n))) {
      st = FWVET_ENOMEM;
      break;
    }
    while (n &&
           (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
      line[--n] = '\0';
    char where[300];
    snprintf(where, sizeof where, "%s:%u", origin, lineno);
    st = parse_line(db, line, &cur, where, err, errcap);
    pos += raw + (nl ? 1 : 0);
  }
  free(line);
  for (size_t i = first_prod; !st && i < db->nprods; i++) {
    fwvet_sigprod *p = &db->prods[i];
    if (!p->vendor) {
      fwvet_sig_seterr(err, errcap, "%s: product '%s' has no 'cpe' line",
                       origin, p->name);
      st = FWVET_EINVAL;
    } else if (!p->purl) {
      size_t n = strlen(p->name) + 16;
      if (!(p->purl = malloc(n)))
        st = FWVET_ENOMEM;
      else
        snprintf(p->purl, n, "pkg:generic/%s", p->name);
    }
  }
  if (st) {
    /* Leave the database as it was before this text. */
    for (size_t i = first_pat; i < db->npats; i++) {
      free(db->pats[i].expr);
      regfree(&db->pats[i].re);
    }
    db->npats = first_pat;
    for (size_t i = first_prod; i < db->nprods; i++)
      prod_free(&db->prods[i]);
    db->nprods = first_prod;
    if (!*dbp)
      fwvet_sigdb_free(db);
    return st;
  }
  *dbp = db;
  return FWVET_OK;
}

fwvet_status fwvet_sigdb_add_builtin(fwvet_sigdb **db, char *err,
                                     size_t errcap) {
  int fresh = *db == NULL;
  fwvet_status st =
      fwvet_sigdb_add(db, (const char *)builtin_signatures,
                      builtin_signatures_len, "signatures.txt", err, errcap);
  if (!st)
    (*db)->builtin_only = fresh;
  return st;
}

fwvet_status fwvet_sigdb_add_file(fwvet_sigdb **db, const char *path, char *err,
                                  size_t errcap) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fwvet_sig_seterr(err, errcap, "%s: %s", path, strerror(errno));
    return FWVET_EIO;
  }
  char *text = NULL;
  size_t len = 0, cap = 0;
  fwvet_status st = FWVET_OK;
  for (;;) {
    if (len == cap) {
      if (cap >= MAX_FILE) {
        fwvet_sig_seterr(err, errcap, "%s: larger than %u MiB", path,
                         MAX_FILE >> 20);
        st = FWVET_ELIMIT;
        break;
      }
      cap = cap ? cap * 2 : 65536;
      char *p = realloc(text, cap);
      if (!p) {
        st = FWVET_ENOMEM;
        break;
      }
      text = p;
    }
    size_t n = fread(text + len, 1, cap - len, f);
    len += n;
    if (n == 0) {
      if (ferror(f)) {
        fwvet_sig_seterr(err, errcap, "%s: %s", path, strerror(errno));
        st = FWVET_EIO;
      }
      break;
    }
  }
  fclose(f);
  if (!st)
    st = fwvet_sigdb_add(db, text ? text : "", len, path, err, errcap);
  free(text);
  return st;
}

fwvet_status fwvet_signatures_check(const char *path, char *err,
                                    size_t errcap) {
  /* Parsed after the built-in products (no name defined twice), and its
   * own patterns compiled alone: the scan compiles everything together
   * anyway, and the built-in patterns are known to compile. */
  fwvet_sigdb *all = NULL, *own = NULL;
  fwvet_status st = fwvet_sigdb_add_builtin(&all, err, errcap);
  if (!st)
    st = fwvet_sigdb_add_file(&all, path, err, errcap);
  if (!st)
    st = fwvet_sigdb_add_file(&own, path, err, errcap);
  if (!st)
    st = fwvet_sigdb_compile(own, err, errcap);
  fwvet_sigdb_free(all);
  fwvet_sigdb_free(own);
  return st;
}
