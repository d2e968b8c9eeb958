/*
 * The inventory: what the components analyser found, merged once the
 * tree is complete.
 *
 * 1. Matches inside a carved child's extent are dropped: the child is
 *    examined as a node of its own, so its text would count twice.
 * 2. A version string in a program importing the product's functions is
 *    a mention, not a copy.  In one file, a version string beats a file
 *    name and a versionless match of the same product (libssl.so.1.1
 *    holding "OpenSSL 1.1.1n").
 * 3. Evidence with the same product and version is one component; each
 *    file holding it (by content or name) is one copy; package records
 *    are locations but not copies.
 */
#include "analyse/inventory.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eol.h" /* generated from data/eol.txt */
#include "fwvet/vulndb.h"

void fwvet_comp_ev_release(fwvet_comp_ev *ev) {
  free(ev->name);
  free(ev->version);
  free(ev->package_version);
  free(ev->evidence);
}

static int isalnum_ascii(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

static const char *ev_name(const fwvet_sigdb *db, const fwvet_comp_ev *e) {
  return e->product >= 0 ? fwvet_sigdb_product(db, (size_t)e->product)->name
                         : e->name;
}

static int vcmp(const char *a, const char *b) {
  if (!a || !b)
    return a ? -1 : b ? 1 : 0; /* unknown versions last */
  return fwvet_version_compare(a, b);
}

/* --- 1. carved children -------------------------------------------------- */

typedef struct extent {
  const fwvet_node *parent;
  uint64_t start, end;
} extent;

static int cmp_extent(const void *a, const void *b) {
  const extent *x = a, *y = b;
  if (x->parent != y->parent)
    return x->parent < y->parent ? -1 : 1;
  return x->start < y->start ? -1 : x->start > y->start;
}

static fwvet_status drop_in_children(const fwvet_vfs *vfs, fwvet_comp_ev *ev,
                                     size_t nev) {
  int any = 0;
  for (size_t i = 0; i < nev && !any; i++)
    any = ev[i].kind == FWVET_EVIDENCE_STRING &&
          (fwvet_node_flags(ev[i].node) & FWVET_NODE_HAS_CHILDREN);
  if (!any)
    return FWVET_OK;
  size_t n = fwvet_vfs_count(vfs), k = 0;
  extent *x = malloc((n ? n : 1) * sizeof *x);
  if (!x)
    return FWVET_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    const fwvet_node *c = fwvet_vfs_node(vfs, i), *p = fwvet_node_parent(c);
    if (p && (fwvet_node_flags(p) & FWVET_NODE_HAS_CHILDREN)) {
      uint64_t s = fwvet_node_offset(c), sz = fwvet_node_size(c);
      x[k++] = (extent){p, s, sz > UINT64_MAX - s ? UINT64_MAX : s + sz};
    }
  }
  qsort(x, k, sizeof *x, cmp_extent);
  for (size_t i = 0; i < nev; i++) {
    fwvet_comp_ev *e = &ev[i];
    if (e->kind != FWVET_EVIDENCE_STRING ||
        !(fwvet_node_flags(e->node) & FWVET_NODE_HAS_CHILDREN))
      continue;
    for (size_t j = 0; j < k; j++)
      if (x[j].parent == e->node && e->offset >= x[j].start &&
          e->offset < x[j].end)
        e->dropped = 1;
  }
  free(x);
  return FWVET_OK;
}

/* --- 2. the best evidence per file -------------------------------------- */

/* A version string in a program that imports the product's functions is
 * the product's header text compiled into a program linked against it
 * (OPENSSL_VERSION_TEXT in hostapd), not a copy. */
static void drop_linked(const fwvet_sigdb *db, fwvet_comp_ev *ev, size_t nev,
                        fwvet_elf_lookup elf_of, void *ctx) {
  for (size_t i = 0; elf_of && i < nev; i++) {
    fwvet_comp_ev *e = &ev[i];
    if (e->dropped || e->kind != FWVET_EVIDENCE_STRING || e->product < 0)
      continue;
    const fwvet_sigprod *p = fwvet_sigdb_product(db, (size_t)e->product);
    if (!p->nlinked)
      continue;
    const fwvet_elf_info *info = elf_of(ctx, e->node);
    for (size_t k = 0; info && k < info->nimports && !e->dropped; k++)
      for (size_t l = 0; l < p->nlinked; l++)
        if (!strcmp(info->imports[k], p->linked[l])) {
          e->dropped = 1;
          break;
        }
  }
}


static int cmp_ev(const void *a, const void *b, void *db) {
  const fwvet_comp_ev *x = a, *y = b;
  int c = strcmp(ev_name(db, x), ev_name(db, y));
  if (c)
    return c;
  if ((c = vcmp(x->version, y->version)))
    return c;
  /* "4.14" and "4.14.0" compare equal but are different strings: keep
   * each string's evidence together. */
  if (x->version && y->version && (c = strcmp(x->version, y->version)))
    return c;
  if ((c = fwvet_path_cmp(fwvet_node_path(x->node),
                          fwvet_node_path(y->node))))
    return c;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int cmp_node(const void *a, const void *b, void *db) {
  const fwvet_comp_ev *x = a, *y = b;
  if (x->node != y->node)
    return x->node < y->node ? -1 : 1;
  return strcmp(ev_name(db, x), ev_name(db, y));
}

/* Within one file and product: a version string supersedes a file name
 * and a versionless match; a versioned file name a versionless match. */
static void drop_weaker(const fwvet_sigdb *db, fwvet_comp_ev *ev,
                        size_t nev) {
  if (nev) /* qsort on a NULL array is undefined */
    qsort_r(ev, nev, sizeof *ev, cmp_node, (void *)db);
  for (size_t i = 0; i < nev;) {
    size_t j = i + 1;
    while (j < nev && cmp_node(&ev[i], &ev[j], (void *)db) == 0)
      j++;
    int vstring = 0, vname = 0;
    for (size_t m = i; m < j; m++)
      if (!ev[m].dropped && ev[m].version) {
        vstring |= ev[m].kind == FWVET_EVIDENCE_STRING;
        vname |= ev[m].kind == FWVET_EVIDENCE_FILENAME;
      }
    for (size_t m = i; m < j; m++) {
      fwvet_comp_ev *e = &ev[m];
      if (e->kind == FWVET_EVIDENCE_PACKAGE)
        continue;
      if ((vstring && (e->kind == FWVET_EVIDENCE_FILENAME || !e->version)) ||
          (vname && !e->version))
        e->dropped = 1;
    }
    i = j;
  }
}

/* --- 3. components ------------------------------------------------------ */

/* CPE 2.3 formatted-string value: quote what is not alphanumeric. */
static void cpe_value(char *out, size_t cap, const char *v) {
  size_t o = 0;
  for (; *v && o + 3 < cap; v++) {
    if (!(isalnum_ascii(*v) || *v == '.' || *v == '_' || *v == '-'))
      out[o++] = '\\';
    out[o++] = *v;
  }
  out[o] = '\0';
}

/* Package URL version: percent-encode what is not unreserved. */
static void purl_value(char *out, size_t cap, const char *v) {
  size_t o = 0;
  for (; *v && o + 4 < cap; v++) {
    if (isalnum_ascii(*v) || strchr(".-_~", *v))
      out[o++] = *v;
    else
      o += (size_t)snprintf(out + o, cap - o, "%%%02X", (unsigned char)*v);
  }
  out[o] = '\0';
}

static char *dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dupf(const char *fmt, ...) {
  char *s = NULL;
  va_list ap;
  va_start(ap, fmt);
  int r = vasprintf(&s, fmt, ap);
  va_end(ap);
  return r < 0 ? NULL : s;
}

static void comp_free(fwvet_component *c) {
  free((char *)c->name);
  free((char *)c->version);
  free((char *)c->package_version);
  free((char *)c->vendor);
  free((char *)c->product);
  free((char *)c->cpe);
  free((char *)c->purl);
  free((fwvet_location *)c->locations);
}

/* Fills `c` from the evidence ev[0..n), all of one product and version. */
static fwvet_status make_component(const fwvet_sigdb *db, fwvet_comp_ev *ev,
                                   size_t n, fwvet_component *c) {
  const fwvet_comp_ev *e0 = &ev[0];
  const fwvet_sigprod *p =
      e0->product >= 0 ? fwvet_sigdb_product(db, (size_t)e0->product) : NULL;
  memset(c, 0, sizeof *c);
  fwvet_location *loc = calloc(n, sizeof *loc);
  c->locations = loc;
  c->name = strdup(ev_name(db, e0));
  if (!loc || !c->name)
    return FWVET_ENOMEM;
  int strong = 0, named = 0;
  const fwvet_node *last = NULL;
  for (size_t i = 0; i < n; i++) {
    const fwvet_comp_ev *e = &ev[i];
    loc[i] = (fwvet_location){fwvet_node_path(e->node),
                              fwvet_node_fspath(e->node),
                              fwvet_node_sha256(e->node), e->offset, e->kind,
                              e->evidence};
    if (e->kind != FWVET_EVIDENCE_PACKAGE && e->node != last) {
      c->copies++; /* ev is sorted by path: one count per file */
      last = e->node;
    }
    if (e->version && e->kind != FWVET_EVIDENCE_FILENAME)
      strong = 1;
    if (e->version && e->kind == FWVET_EVIDENCE_FILENAME)
      named = 1;
    if (!c->package_version && e->package_version &&
        !(c->package_version = strdup(e->package_version)))
      return FWVET_ENOMEM;
  }
  c->nlocations = n;
  c->confidence = strong ? "high" : named ? "medium" : "low";
  char v[256] = "";
  if (e0->version) {
    if (!(c->version = strdup(e0->version)))
      return FWVET_ENOMEM;
  }
  if (p) {
    cpe_value(v, sizeof v, e0->version ? e0->version : "*");
    if (!e0->version)
      snprintf(v, sizeof v, "*");
    c->vendor = strdup(p->vendor);
    c->product = strdup(p->product);
    c->cpe = dupf("cpe:2.3:%c:%s:%s:%s:*:*:*:*:*:*:*", p->part, p->vendor,
                  p->product, v);
    if (!c->vendor || !c->product || !c->cpe)
      return FWVET_ENOMEM;
  }
  purl_value(v, sizeof v, e0->version ? e0->version : "");
  if (p)
    c->purl = e0->version ? dupf("%s@%s", p->purl, v) : strdup(p->purl);
  else
    c->purl = e0->version ? dupf("pkg:generic/%s@%s", c->name, v)
                          : dupf("pkg:generic/%s", c->name);
  return c->purl ? FWVET_OK : FWVET_ENOMEM;
}

static fwvet_status build_components(fwvet_inventory *inv,
                                     const fwvet_sigdb *db, fwvet_comp_ev *ev,
                                     size_t nev) {
  /* Kept evidence first, grouped by name and version. */
  size_t k = 0;
  for (size_t i = 0; i < nev; i++)
    if (!ev[i].dropped) {
      fwvet_comp_ev t = ev[k];
      ev[k++] = ev[i];
      ev[i] = t;
    }
  if (k)
    qsort_r(ev, k, sizeof *ev, cmp_ev, (void *)db);
  inv->comps = calloc(k ? k : 1, sizeof *inv->comps);
  if (!inv->comps)
    return FWVET_ENOMEM;
  for (size_t i = 0; i < k;) {
    size_t j = i + 1;
    while (j < k && !strcmp(ev_name(db, &ev[j]), ev_name(db, &ev[i])) &&
           vcmp(ev[j].version, ev[i].version) == 0 &&
           !(ev[j].version && ev[i].version &&
             strcmp(ev[j].version, ev[i].version)))
      j++;
    fwvet_status st = make_component(db, ev + i, j - i,
                                     &inv->comps[inv->ncomps++]);
    if (st)
      return st;
    i = j;
  }
  return FWVET_OK;
}

/* --- census ------------------------------------------------------------- */

static fwvet_status build_census(fwvet_inventory *inv) {
  inv->census = calloc(inv->ncomps ? inv->ncomps : 1, sizeof *inv->census);
  if (!inv->census)
    return FWVET_ENOMEM;
  /* Components are sorted by name, then version. */
  for (size_t i = 0; i < inv->ncomps;) {
    size_t j = i, nv = 0;
    for (; j < inv->ncomps && !strcmp(inv->comps[j].name, inv->comps[i].name);
         j++)
      nv += inv->comps[j].copies > 0;
    if (nv) {
      fwvet_census_version *v = calloc(nv, sizeof *v);
      if (!v)
        return FWVET_ENOMEM;
      fwvet_census_row *r = &inv->census[inv->ncensus++];
      r->name = inv->comps[i].name;
      r->versions = v;
      for (size_t m = i; m < j; m++) {
        const fwvet_component *c = &inv->comps[m];
        if (!c->copies)
          continue;
        v[r->nversions].version = c->version ? c->version : "unknown";
        v[r->nversions++].copies = c->copies;
        r->copies += c->copies;
      }
    }
    i = j;
  }
  return FWVET_OK;
}

/* --- vulnerabilities ---------------------------------------------------- */

/* Evidence of a distribution build, whose fixes may be backported. */
static int distro_build(const fwvet_component *c) {
  char up[256];
  if (c->package_version &&
      fwvet_version_upstream(c->package_version, up, sizeof up))
    return 1;
  static const char *const marks[] = {"Debian", "Ubuntu", "+deb", "ubuntu",
                                      "Red Hat", ".el7", ".el8", ".el9"};
  for (size_t i = 0; i < c->nlocations; i++)
    for (size_t m = 0; m < sizeof marks / sizeof *marks; m++)
      if (strstr(c->locations[i].evidence, marks[m]))
        return 1;
  return 0;
}

typedef struct vctx {
  fwvet_inventory *inv;
  size_t comp, cap;
  int distro;
  fwvet_status st;
} vctx;

static int on_vuln(void *ud, const fwvet_vuln_match *m) {
  vctx *x = ud;
  fwvet_inventory *inv = x->inv;
  if (inv->nvulns == x->cap) {
    size_t n = x->cap ? x->cap * 2 : 32;
    fwvet_vulnerability *p = realloc(inv->vulns, n * sizeof *p);
    if (!p) {
      x->st = FWVET_ENOMEM;
      return 1;
    }
    inv->vulns = p;
    x->cap = n;
  }
  fwvet_vulnerability *v = &inv->vulns[inv->nvulns];
  memset(v, 0, sizeof *v);
  v->component = x->comp;
  v->cvss = m->cvss;
  v->distro_may_fix = x->distro;
  v->id = strdup(m->id);
  v->severity = strdup(m->severity ? m->severity : "unknown");
  v->source = strdup(m->source);
  v->cvss_version = m->cvss_version ? strdup(m->cvss_version) : NULL;
  v->summary = m->summary ? strdup(m->summary) : NULL;
  v->match = m->match ? strdup(m->match) : NULL;
  inv->nvulns++;
  if (!v->id || !v->severity || !v->source ||
      (m->cvss_version && !v->cvss_version) || (m->summary && !v->summary) ||
      (m->match && !v->match)) {
    x->st = FWVET_ENOMEM;
    return 1;
  }
  return 0;
}

static fwvet_status match_vulns(fwvet_inventory *inv, const char *path) {
  fwvet_vulndb *vdb = NULL;
  fwvet_status st = fwvet_vulndb_open(path, 0, &vdb);
  if (st)
    return st;
  vctx x = {inv, 0, 0, 0, FWVET_OK};
  for (size_t i = 0; i < inv->ncomps && !st; i++) {
    const fwvet_component *c = &inv->comps[i];
    if (!c->version)
      continue;
    fwvet_vuln_query q = {c->vendor, c->product, c->name, c->version};
    x.comp = i;
    x.distro = distro_build(c);
    st = fwvet_vulndb_match(vdb, &q, on_vuln, &x);
    if (x.st)
      st = x.st;
  }
  fwvet_vulndb_close(vdb);
  return st;
}

/* --- end of life -------------------------------------------------------- */

static int in_series(const char *version, const char *series) {
  size_t n = strlen(series);
  return !strncmp(version, series, n) &&
         !(version[n] >= '0' && version[n] <= '9');
}

/* The series of `c` that ended, from data/eol.txt: fills `series`,
 * `date` and `source`; 0 when none did. */
static int ended(const fwvet_component *c, const char *today, char *series,
                 char *date, char *source) {
  const char *t = (const char *)builtin_eol, *end = t + builtin_eol_len;
  while (t < end) {
    const char *nl = memchr(t, '\n', (size_t)(end - t));
    size_t n = nl ? (size_t)(nl - t) : (size_t)(end - t);
    char line[512], prod[64], ser[64], d[16], src[400];
    if (n < sizeof line && t[0] != '#') {
      memcpy(line, t, n);
      line[n] = '\0';
      if (sscanf(line, "%63s %63s %15s %399s", prod, ser, d, src) == 4 &&
          !strcmp(prod, c->name) && in_series(c->version, ser) &&
          strcmp(d, today) < 0) {
        memcpy(series, ser, sizeof ser);
        memcpy(date, d, sizeof d);
        memcpy(source, src, sizeof src);
        return 1;
      }
    }
    t += n + 1;
  }
  return 0;
}

static fwvet_status eol_findings(const fwvet_inventory *inv,
                                 fwvet_findings *findings) {
  char today[16];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(today, sizeof today, "%Y-%m-%d", &tm);
  for (size_t i = 0; i < inv->ncomps; i++) {
    const fwvet_component *c = &inv->comps[i];
    char series[64], date[16], source[400], ev[160];
    if (!c->version || !ended(c, today, series, date, source))
      continue;
    snprintf(ev, sizeof ev, "%s %s", c->name, series);
    const char *prev = NULL;
    for (size_t j = 0; j < c->nlocations; j++) {
      const fwvet_location *l = &c->locations[j];
      /* One finding per file; package records only without copies. */
      if ((c->copies && l->kind == FWVET_EVIDENCE_PACKAGE) ||
          (prev && !strcmp(prev, l->path)))
        continue;
      prev = l->path;
      char *msg = dupf("%s %s is on the %s series, whose upstream support "
                       "ended on %s (%s): security fixes are no longer "
                       "published for it",
                       c->name, c->version, series, date, source);
      if (!msg)
        return FWVET_ENOMEM;
      fwvet_status st = fwvet_findings_add(
          findings, "component.eol", FWVET_SEV_MEDIUM, l->path, l->fspath,
          l->offset, 0, ev, msg);
      free(msg);
      if (st)
        return st;
    }
  }
  return FWVET_OK;
}

/* --- the whole ----------------------------------------------------------- */

fwvet_status fwvet_inventory_build(fwvet_inventory *inv, const fwvet_vfs *vfs,
                                   const fwvet_sigdb *db, fwvet_comp_ev *ev,
                                   size_t nev, const char *vulndb,
                                   fwvet_elf_lookup elf_of, void *elf_ctx,
                                   fwvet_findings *findings) {
  memset(inv, 0, sizeof *inv);
  fwvet_status st = drop_in_children(vfs, ev, nev);
  if (st)
    return st;
  drop_linked(db, ev, nev, elf_of, elf_ctx);
  drop_weaker(db, ev, nev);
  if ((st = build_components(inv, db, ev, nev)) || (st = build_census(inv)) ||
      (st = eol_findings(inv, findings)))
    return st;
  if (vulndb)
    st = match_vulns(inv, vulndb);
  return st;
}

void fwvet_inventory_release(fwvet_inventory *inv) {
  for (size_t i = 0; i < inv->ncomps; i++)
    comp_free(&inv->comps[i]);
  free(inv->comps);
  for (size_t i = 0; i < inv->ncensus; i++)
    free((fwvet_census_version *)inv->census[i].versions);
  free(inv->census);
  for (size_t i = 0; i < inv->nvulns; i++) {
    fwvet_vulnerability *v = &inv->vulns[i];
    free((char *)v->id);
    free((char *)v->severity);
    free((char *)v->source);
    free((char *)v->cvss_version);
    free((char *)v->summary);
    free((char *)v->match);
  }
  free(inv->vulns);
  memset(inv, 0, sizeof *inv);
}
