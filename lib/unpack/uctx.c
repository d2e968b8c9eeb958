/*
 * The reader context: what a format reader declares is staged here and
 * turned into nodes and findings only when the reader succeeds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"
#include "unpack/driver_int.h"

double fwvet_thread_cpu_seconds(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fwvet_uctx_begin(fwvet_uctx *u, fwvet_run *run, fwvet_node *parent,
                      fwvet_buf *buf, const uint8_t *data, size_t len,
                      uint64_t base, const char *segment) {
  memset(u, 0, sizeof *u);
  u->run = run;
  u->parent = parent;
  u->buf = buf;
  u->data = data;
  u->len = len;
  u->base = base;
  snprintf(u->segment, sizeof u->segment, "%s", segment);
  u->cpu_start = fwvet_thread_cpu_seconds();
}

static void staged_free(staged *s) {
  free(s->name);
  free(s->link);
  free(s->info);
  fwvet_buf_release(s->buf);
  if (s->free_arg)
    s->free_arg(s->load_arg);
}

void fwvet_uctx_discard(fwvet_uctx *u) {
  for (size_t i = 0; i < u->nst; i++)
    staged_free(&u->st[i]);
  for (size_t i = 0; i < u->nsf; i++) {
    free(u->sf[i].evidence);
    free(u->sf[i].message);
  }
  free(u->st);
  free(u->sf);
  free(u->info);
  fwvet_buf_release(u->content);
  u->st = NULL;
  u->sf = NULL;
  u->info = NULL;
  u->content = NULL;
  u->nst = u->capst = u->nsf = u->capsf = 0;
}

static char *dup_bytes(const char *p, size_t n) {
  char *s = malloc(n + 1);
  if (s) {
    if (n)
      memcpy(s, p, n);
    s[n] = '\0';
  }
  return s;
}

/* Stages an entry; takes ownership of `buf` and of the loader arg. */
static fwvet_status stage(fwvet_uctx *u, const fwvet_entry *e, fwvet_buf *buf,
                          const uint8_t *data, size_t len, fwvet_load_fn load,
                          void *arg, void (*free_arg)(void *)) {
  staged s = {0};
  if (u->nst >= u->run->opt.limits.max_nodes) {
    if (!u->nodes_limited) {
      u->nodes_limited = 1;
      fwvet_uctx_limit(u, "nodes", "more than %llu entries; the rest are "
                       "not listed", (unsigned long long)u->nst);
    }
    fwvet_buf_release(buf);
    if (free_arg)
      free_arg(arg);
    return FWVET_ELIMIT;
  }
  s.e = *e;
  s.buf = buf;
  s.data = data;
  s.len = len;
  s.load = load;
  s.load_arg = arg;
  s.free_arg = free_arg;
  if (e->name && !(s.name = dup_bytes(e->name, e->name_len)))
    goto nomem;
  if (e->link && !(s.link = dup_bytes(e->link, e->link_len)))
    goto nomem;
  if (e->info && !(s.info = strdup(e->info)))
    goto nomem;
  if (u->nst == u->capst) {
    size_t cap = u->capst ? u->capst * 2 : 16;
    staged *p = realloc(u->st, cap * sizeof *p);
    if (!p)
      goto nomem;
    u->st = p;
    u->capst = cap;
  }
  u->st[u->nst++] = s;
  return FWVET_OK;
nomem:
  staged_free(&s);
  return FWVET_ENOMEM;
}

fwvet_status fwvet_uctx_add(fwvet_uctx *u, const fwvet_entry *e) {
  return stage(u, e, NULL, NULL, 0, NULL, NULL, NULL);
}

fwvet_status fwvet_uctx_add_slice(fwvet_uctx *u, const fwvet_entry *e,
                                  const uint8_t *p, size_t len) {
  if (p < u->data || len > u->len || (size_t)(p - u->data) > u->len - len)
    return FWVET_EINVAL;
  return stage(u, e, fwvet_buf_retain(u->buf), p, len, NULL, NULL, NULL);
}

fwvet_status fwvet_uctx_add_owned(fwvet_uctx *u, const fwvet_entry *e,
                                  uint8_t *buf, size_t len) {
  fwvet_buf *b = fwvet_buf_wrap(buf, len);
  if (!b)
    return FWVET_ENOMEM;
  return stage(u, e, b, fwvet_buf_data(b), len, NULL, NULL, NULL);
}

fwvet_status fwvet_uctx_add_deferred(fwvet_uctx *u, const fwvet_entry *e,
                                     fwvet_load_fn load, void *arg,
                                     void (*free_arg)(void *arg)) {
  return stage(u, e, NULL, NULL, 0, load, arg, free_arg);
}

fwvet_status fwvet_uctx_set_content(fwvet_uctx *lu, uint8_t *buf,
                                    size_t len) {
  fwvet_buf *b = fwvet_buf_wrap(buf, len);
  if (!b)
    return FWVET_ENOMEM;
  fwvet_buf_release(lu->content);
  lu->content = b;
  return FWVET_OK;
}

fwvet_buf *fwvet_uctx_retain_input(fwvet_uctx *u) {
  return fwvet_buf_retain(u->buf);
}

__attribute__((format(printf, 1, 0))) static char *vformat(const char *fmt,
                                                         va_list ap) {
  char *s = NULL;
  if (vasprintf(&s, fmt, ap) < 0)
    return NULL;
  return s;
}

void fwvet_uctx_info(fwvet_uctx *u, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = vformat(fmt, ap);
  va_end(ap);
  if (s) {
    free(u->info);
    u->info = s;
  }
}

__attribute__((format(printf, 6, 0))) static void
stage_finding(fwvet_uctx *u, const char *rule, fwvet_severity sev,
              uint64_t offset, const char *evidence, const char *fmt,
              va_list ap) {
  char *msg = vformat(fmt, ap);
  char *ev = evidence ? strdup(evidence) : NULL;
  if (!msg || (evidence && !ev))
    goto fail;
  if (u->nsf == u->capsf) {
    size_t cap = u->capsf ? u->capsf * 2 : 8;
    staged_finding *p = realloc(u->sf, cap * sizeof *p);
    if (!p)
      goto fail;
    u->sf = p;
    u->capsf = cap;
  }
  u->sf[u->nsf++] = (staged_finding){rule, sev, offset, ev, msg};
  return;
fail:
  free(msg);
  free(ev);
}

void fwvet_uctx_corrupt(fwvet_uctx *u, uint64_t offset, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  stage_finding(u, "unpack.corrupt", FWVET_SEV_LOW, offset, NULL, fmt, ap);
  va_end(ap);
}

void fwvet_uctx_limit(fwvet_uctx *u, const char *which, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  stage_finding(u, "unpack.limit", FWVET_SEV_MEDIUM, FWVET_NO_OFFSET, which,
                fmt, ap);
  va_end(ap);
}

void fwvet_uctx_unsupported(fwvet_uctx *u, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  stage_finding(u, "unpack.unsupported", FWVET_SEV_INFO, FWVET_NO_OFFSET,
                NULL, fmt, ap);
  va_end(ap);
}

const fwvet_limits *fwvet_uctx_limits(const fwvet_uctx *u) {
  return &u->run->opt.limits;
}

#define SLACK (1u << 20)
/* A stream's ratio is judged against at least this much of the input the
 * reader was given (or all of it when less): a stream's start may be far
 * more compressible than the whole, e.g. the zero-filled first megabytes
 * of a compressed kernel (1.4 MB from 439 bytes), while a bomb's output
 * still stays within ratio x its size (+ SLACK). */
#define RATIO_FLOOR ((uint64_t)64 << 10)

static uint64_t ratio_base(const fwvet_uctx *u, uint64_t in_len) {
  uint64_t floor = u->len < RATIO_FLOOR ? u->len : RATIO_FLOOR;
  return in_len > floor ? in_len : floor;
}

static uint64_t by_ratio(const fwvet_limits *l, uint64_t in_len) {
  if (in_len > (UINT64_MAX - SLACK) / l->max_ratio)
    return UINT64_MAX;
  return in_len * l->max_ratio + SLACK;
}

static uint64_t total_left(fwvet_uctx *u) {
  uint64_t used = atomic_load(&u->run->total_bytes);
  uint64_t max = u->run->opt.limits.max_total_bytes;
  return used >= max ? 0 : max - used;
}

uint64_t fwvet_uctx_out_limit(fwvet_uctx *u, uint64_t in_len) {
  const fwvet_limits *l = &u->run->opt.limits;
  uint64_t cap = l->max_file_bytes;
  uint64_t r = by_ratio(l, ratio_base(u, in_len)), t = total_left(u);
  if (r < cap)
    cap = r;
  if (t < cap)
    cap = t;
  if (cap > SIZE_MAX)
    cap = SIZE_MAX;
  return cap;
}

const char *fwvet_uctx_out_limit_name(fwvet_uctx *u, uint64_t in_len) {
  const fwvet_limits *l = &u->run->opt.limits;
  uint64_t r = by_ratio(l, ratio_base(u, in_len)), t = total_left(u);
  if (t <= r && t <= l->max_file_bytes)
    return "total-bytes";
  if (r <= l->max_file_bytes)
    return "ratio";
  return "file-bytes";
}

int fwvet_uctx_timed_out(fwvet_uctx *u) {
  if (u->run->stop)
    return 1;
  return fwvet_thread_cpu_seconds() - u->cpu_start >
         u->run->opt.limits.max_stream_seconds;
}

/* Normalises an entry name into a relative path: empty and "." components
 * go; "..", a leading '/' and NUL bytes make it unsafe (kept visible, NUL
 * as "\0").  Returns NULL on out of memory; *out_unsafe names the reason. */
static char *normalise(const char *name, size_t n, const char **why) {
  char *out = malloc(2 * n + 1);
  size_t o = 0, i = 0;
  *why = NULL;
  if (!out)
    return NULL;
  if (n && name[0] == '/')
    *why = "is an absolute path";
  while (i < n) {
    size_t j = i;
    while (j < n && name[j] != '/')
      j++;
    size_t clen = j - i;
    if (clen == 0 || (clen == 1 && name[i] == '.')) {
      i = j + 1;
      continue;
    }
    if (clen == 2 && name[i] == '.' && name[i + 1] == '.')
      *why = "climbs out with '..'";
    if (o)
      out[o++] = '/';
    for (size_t k = i; k < j; k++) {
      if (name[k] == '\0') {
        out[o++] = '\\';
        out[o++] = '0';
        *why = "contains a NUL byte";
      } else {
        out[o++] = name[k];
      }
    }
    i = j + 1;
  }
  out[o] = '\0';
  return out;
}

static char *join(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 2);
  if (!s)
    return NULL;
  memcpy(s, a, la);
  s[la] = '/';
  memcpy(s + la + 1, b, lb + 1);
  return s;
}

static void record_findings(fwvet_uctx *u) {
  fwvet_vfs *vfs = u->run->vfs;
  for (size_t i = 0; i < u->nsf; i++) {
    staged_finding *f = &u->sf[i];
    char *msg = NULL;
    uint64_t off = FWVET_NO_OFFSET;
    if (u->loading) {
      if (f->offset != FWVET_NO_OFFSET &&
          asprintf(&msg, "%s (at 0x%llx of its container)", f->message,
                   (unsigned long long)f->offset) < 0)
        msg = NULL;
    } else if (f->offset != FWVET_NO_OFFSET) {
      off = u->base + f->offset;
    }
    fwvet_vfs_add_finding(vfs, f->rule, f->sev, u->parent->path,
                          u->parent->fspath, off, f->evidence,
                          msg ? msg : f->message);
    free(msg);
  }
}

void fwvet_uctx_commit_findings(fwvet_uctx *u) { record_findings(u); }

static fwvet_node *node_new(void) {
  fwvet_node *n = calloc(1, sizeof *n);
  return n;
}

/* Moves a staged entry into a node below `container`. */
/* `rel` is the normalised name (NULL for a stream's output), `why` says
 * what makes it unsafe, or NULL. */
static fwvet_status make_entry(fwvet_uctx *u, staged *s, fwvet_node *container,
                               const char *rel, const char *why,
                               fwvet_node **out) {
  fwvet_run *run = u->run;
  fwvet_node *n = node_new();
  if (!n)
    return FWVET_ENOMEM;
  n->kind = s->e.kind;
  n->mode = s->e.mode & 07777;
  n->uid = s->e.uid;
  n->gid = s->e.gid;
  n->mtime = s->e.mtime;
  n->dev_major = s->e.dev_major;
  n->dev_minor = s->e.dev_minor;
  n->flags = s->e.flags & ~FWVET_NODE_HAS_CHILDREN;
  n->info = s->info;
  s->info = NULL;
  n->link = s->link;
  s->link = NULL;
  if (container) {
    n->path = join(container->path, rel);
    n->fspath = join("", rel);
    n->parent = container;
    n->depth = container->depth;
    n->offset = u->base;
  } else {
    n->path = join(u->parent->path, u->segment);
    n->fspath = strdup("");
    n->parent = u->parent;
    n->depth = u->parent->depth + 1;
    n->offset = u->base;
    n->kind = FWVET_KIND_FILE;
    if (!n->mode)
      n->mode = 0644; /* decoded data: readable, like the file it came from */
  }
  if (!n->path || !n->fspath)
    goto nomem;
  n->type = fwvet_kind_name(n->kind);
  n->size = s->e.size;
  if (s->buf) {
    if (!fwvet_run_account(run, s->buf == u->buf ? 0 : s->len, n->path)) {
      n->flags |= FWVET_NODE_TRUNCATED;
    } else {
      n->buf = s->buf;
      s->buf = NULL;
      n->data = s->data;
      n->len = s->len;
    }
    if (n->size == 0 || !container)
      n->size = s->len;
    else if (s->len < n->size)
      n->flags |= FWVET_NODE_TRUNCATED;
  }
  n->load = s->load;
  n->load_arg = s->load_arg;
  n->free_arg = s->free_arg;
  s->free_arg = NULL;
  if (why) {
    n->flags |= FWVET_NODE_UNSAFE_NAME;
    char *msg = NULL;
    if (asprintf(&msg, "entry name '%s' %s; it is listed but never extracted",
                 rel, why) >= 0)
      fwvet_vfs_add_finding(run->vfs, "unpack.unsafe-path", FWVET_SEV_HIGH,
                            n->path, n->fspath, FWVET_NO_OFFSET, rel, msg);
    free(msg);
  }
  *out = n;
  return FWVET_OK;
nomem:
  fwvet_node_free(n);
  return FWVET_ENOMEM;
}

/* The names already seen in one container (open addressing, FNV-1a). */
typedef struct name_set {
  char **slots;
  size_t mask;
} name_set;

static int name_set_init(name_set *ns, size_t n) {
  size_t cap = 16;
  while (cap < 2 * n)
    cap *= 2;
  ns->slots = calloc(cap, sizeof *ns->slots);
  ns->mask = cap - 1;
  return ns->slots ? 0 : -1;
}

static void name_set_release(name_set *ns) {
  for (size_t i = 0; ns->slots && i <= ns->mask; i++)
    free(ns->slots[i]);
  free(ns->slots);
}

/* Adds `name`; returns 1 when it was there already.  Out of memory only
 * loses the duplicate check. */
static int name_set_add(name_set *ns, const char *name) {
  uint64_t h = 1469598103934665603ull;
  for (const char *p = name; *p; p++)
    h = (h ^ (unsigned char)*p) * 1099511628211ull;
  for (size_t i = (size_t)h & ns->mask;; i = (i + 1) & ns->mask) {
    if (!ns->slots[i]) {
      ns->slots[i] = strdup(name);
      return 0;
    }
    if (!strcmp(ns->slots[i], name))
      return 1;
  }
}

static void report_duplicate(fwvet_run *run, fwvet_node *n, const char *rel) {
  char *msg = NULL;
  n->flags |= FWVET_NODE_DUPLICATE;
  if (asprintf(&msg, "entry '%s' appears again in the same container; this "
                     "later copy is listed and analysed but never extracted",
               rel) < 0)
    return;
  fwvet_vfs_add_finding(run->vfs, "unpack.duplicate", FWVET_SEV_LOW, n->path,
                        n->fspath, FWVET_NO_OFFSET, rel, msg);
  free(msg);
}

static int is_stream(const fwvet_uctx *u) {
  return u->nst == 1 && u->st[0].name == NULL;
}

fwvet_status fwvet_uctx_commit(fwvet_uctx *u, size_t consumed,
                               fwvet_node **made) {
  fwvet_run *run = u->run;
  fwvet_status st = FWVET_OK;
  fwvet_node *top = NULL;
  *made = NULL;
  record_findings(u);
  if (is_stream(u)) {
    if (!fwvet_run_count_node(run, u->parent->path))
      goto out;
    if ((st = make_entry(u, &u->st[0], NULL, NULL, NULL, &top)))
      goto out;
    if (u->info && !top->info) {
      top->info = u->info;
      u->info = NULL;
    }
    if ((st = fwvet_vfs_add_node(run->vfs, top)))
      goto out;
    *made = top;
    st = fwvet_run_push(run, top);
    goto out;
  }
  if (!fwvet_run_count_node(run, u->parent->path))
    goto out;
  if (!(top = node_new()))
    return FWVET_ENOMEM;
  top->kind = FWVET_KIND_CONTAINER;
  top->path = join(u->parent->path, u->segment);
  top->fspath = strdup("/");
  top->parent = u->parent;
  top->depth = u->parent->depth + 1;
  top->offset = u->base;
  top->size = consumed;
  top->mode = 0755;
  top->info = u->info;
  u->info = NULL;
  if (!top->path || !top->fspath) {
    fwvet_node_free(top);
    return FWVET_ENOMEM;
  }
  char seg[48];
  snprintf(seg, sizeof seg, "%s", u->segment);
  char *at = strchr(seg, '@');
  if (at)
    *at = '\0';
  const fwvet_format *f = fwvet_format_find(seg);
  top->type = f ? f->name : "container";
  if ((st = fwvet_vfs_add_node(run->vfs, top)))
    goto out;
  *made = top;
  if ((st = fwvet_run_push(run, top)))
    goto out;
  name_set seen = {0};
  if (name_set_init(&seen, u->nst))
    return FWVET_ENOMEM;
  for (size_t i = 0; i < u->nst && !st; i++) {
    staged *s = &u->st[i];
    fwvet_node *n;
    const char *why = NULL;
    char *rel = s->name ? normalise(s->name, s->e.name_len, &why)
                        : strdup("data");
    if (!rel) {
      st = FWVET_ENOMEM;
      break;
    }
    if (rel[0] == '\0' || !fwvet_run_count_node(run, top->path)) {
      int root = rel[0] == '\0'; /* the container's own root */
      free(rel);
      if (root)
        continue;
      break;
    }
    int dup = name_set_add(&seen, rel);
    st = make_entry(u, s, top, rel, why, &n);
    if (!st && dup)
      report_duplicate(run, n, rel);
    free(rel);
    if (!st)
      st = fwvet_vfs_add_node(run->vfs, n);
    if (!st)
      st = fwvet_run_push(run, n);
  }
  name_set_release(&seen);
out:
  return st;
}
