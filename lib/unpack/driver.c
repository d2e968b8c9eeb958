/*
 * The unpack driver: a pool of worker threads takes nodes from a queue,
 * loads their bytes, hashes and types them, carves every supported
 * container out of them (queueing what the readers find), and hands each
 * node to the caller's visitor before letting its bytes go.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/progress_counters.h"
#include "unpack/driver_int.h"
#include "unpack/elf.h"

void fwvet_limits_default(fwvet_limits *lim) {
  lim->max_depth = 16;
  lim->max_total_bytes = 4ull << 30;
  lim->max_file_bytes = 1ull << 30;
  lim->max_ratio = 1000;
  lim->max_nodes = 1000000;
  lim->max_stream_seconds = 60;
}

void fwvet_open_options_init(fwvet_open_options *opt) {
  memset(opt, 0, sizeof *opt);
  fwvet_limits_default(&opt->limits);
}

static void fill_defaults(fwvet_limits *l) {
  fwvet_limits d;
  fwvet_limits_default(&d);
  if (!l->max_depth)
    l->max_depth = d.max_depth;
  if (!l->max_total_bytes)
    l->max_total_bytes = d.max_total_bytes;
  if (!l->max_file_bytes)
    l->max_file_bytes = d.max_file_bytes;
  if (!l->max_ratio)
    l->max_ratio = d.max_ratio;
  if (!l->max_nodes)
    l->max_nodes = d.max_nodes;
  if (!(l->max_stream_seconds > 0))
    l->max_stream_seconds = d.max_stream_seconds;
}

void fwvet_run_fatal(fwvet_run *run, fwvet_status st) {
  pthread_mutex_lock(&run->qlock);
  if (!run->fatal)
    run->fatal = st;
  run->stop = 1;
  pthread_cond_broadcast(&run->qcond);
  pthread_mutex_unlock(&run->qlock);
}

fwvet_status fwvet_run_push(fwvet_run *run, fwvet_node *n) {
  fwvet_status st = FWVET_OK;
  pthread_mutex_lock(&run->qlock);
  if (run->qlen == run->qcap) {
    size_t cap = run->qcap ? run->qcap * 2 : 256;
    fwvet_node **q = realloc(run->queue, cap * sizeof *q);
    if (!q) {
      st = FWVET_ENOMEM;
      goto out;
    }
    run->queue = q;
    run->qcap = cap;
  }
  run->queue[run->qlen++] = n;
  if (run->opt.progress)
    fwvet_progress_add(run->opt.progress, 1, 0, 0);
  pthread_cond_signal(&run->qcond);
out:
  pthread_mutex_unlock(&run->qlock);
  return st;
}

static void limit_finding(fwvet_run *run, const char *which, const char *path,
                          const char *what, unsigned long long value) {
  char msg[256];
  snprintf(msg, sizeof msg, "limit '%s' reached: no more than %llu %s",
           which, value, what);
  fwvet_vfs_add_finding(run->vfs, "unpack.limit", FWVET_SEV_MEDIUM, path, NULL,
                        FWVET_NO_OFFSET, which, msg);
}

int fwvet_run_count_node(fwvet_run *run, const char *where) {
  if (atomic_fetch_add(&run->nodes, 1) < run->opt.limits.max_nodes)
    return 1;
  if (!atomic_exchange(&run->nodes_reported, 1))
    limit_finding(run, "nodes", where,
                  "nodes are unpacked; the rest of this input is not listed",
                  (unsigned long long)run->opt.limits.max_nodes);
  return 0;
}

int fwvet_run_account(fwvet_run *run, uint64_t bytes, const char *where) {
  uint64_t before = atomic_fetch_add(&run->total_bytes, bytes);
  if (before + bytes <= run->opt.limits.max_total_bytes)
    return 1;
  atomic_fetch_sub(&run->total_bytes, bytes);
  if (!atomic_exchange(&run->total_reported, 1))
    limit_finding(run, "total-bytes", where,
                  "decoded bytes are kept; this and later content is not "
                  "analysed",
                  (unsigned long long)run->opt.limits.max_total_bytes);
  return 0;
}

/* --- carving ----------------------------------------------------------- */

typedef struct magic_ref {
  const fwvet_format *fmt;
  const fwvet_magic *magic;
} magic_ref;

/* Every magic of the registry, grouped by first byte (a counting sort):
 * the candidates for byte b are refs[start[b] .. start[b + 1]).  Built
 * once; static, so nothing to allocate or free. */
#define MAX_MAGICS 256
static struct {
  pthread_once_t once;
  magic_ref refs[MAX_MAGICS];
  size_t start[257];
} table = {PTHREAD_ONCE_INIT, {{0}}, {0}};

static void table_build(void) {
  size_t count[256] = {0}, fill[256], total = 0;
  for (size_t i = 0; fwvet_formats[i]; i++)
    for (size_t m = 0; m < 5 && fwvet_formats[i]->magic[m].bytes; m++)
      count[(uint8_t)fwvet_formats[i]->magic[m].bytes[0]]++;
  for (int b = 0; b < 256; b++) {
    table.start[b] = fill[b] = total;
    total += count[b];
  }
  table.start[256] = total;
  for (size_t i = 0; fwvet_formats[i]; i++) {
    const fwvet_format *f = fwvet_formats[i];
    for (size_t m = 0; m < 5 && f->magic[m].bytes; m++) {
      size_t k = fill[(uint8_t)f->magic[m].bytes[0]]++;
      if (k < MAX_MAGICS) /* the registry is far smaller */
        table.refs[k] = (magic_ref){f, &f->magic[m]};
    }
  }
}

static void segment_name(char *out, size_t cap, const fwvet_format *f,
                         uint64_t off) {
  if (off == 0)
    snprintf(out, cap, "%s", f->name);
  else
    snprintf(out, cap, "%s@0x%llx", f->name, (unsigned long long)off);
}

/* Tries `f` at `off`; on success commits and returns the consumed size. */
static fwvet_status try_format(fwvet_run *run, fwvet_node *n,
                               const fwvet_format *f, uint64_t off,
                               int probe_only, size_t *consumed) {
  fwvet_uctx u;
  char seg[48];
  size_t used = 0;
  *consumed = 0;
  segment_name(seg, sizeof seg, f, off);
  fwvet_uctx_begin(&u, run, n, n->buf, n->data + off, n->len - off, off, seg);
  fwvet_status st = f->unpack(&u, u.data, u.len, &used);
  if (st == FWVET_OK && (used == 0 || used > u.len))
    st = FWVET_ENOTFOUND; /* a reader bug; never trust it */
  if (st == FWVET_OK && probe_only) {
    fwvet_uctx_discard(&u);
    char msg[256];
    snprintf(msg, sizeof msg,
             "limit 'depth' reached: %s at offset 0x%llx is not unpacked "
             "(more than %u nested containers)",
             f->name, (unsigned long long)off, run->opt.limits.max_depth);
    fwvet_vfs_add_finding(run->vfs, "unpack.limit", FWVET_SEV_MEDIUM, n->path,
                          n->fspath, off, "depth", msg);
    *consumed = used;
    return FWVET_OK;
  }
  if (st == FWVET_OK) {
    /* Set before the children are queued: other threads read them. */
    n->flags |= FWVET_NODE_HAS_CHILDREN;
    if (off == 0 && (used == n->len || !strcmp(n->type, "data")))
      n->type = f->name;
    fwvet_node *made;
    st = fwvet_uctx_commit(&u, used, &made);
    *consumed = used;
  }
  fwvet_uctx_discard(&u);
  /* Only running out of memory stops the run; anything else a reader
   * returns means "not this format here". */
  return st == FWVET_ENOMEM ? st : FWVET_OK;
}

static fwvet_status carve(fwvet_run *run, fwvet_node *n, int probe_only) {
  const uint8_t *d = n->data;
  size_t len = n->len, pos = 0;
  pthread_once(&table.once, table_build);

  if (run->root_format && !n->parent) {
    size_t used;
    fwvet_status st = try_format(run, n, run->root_format, 0, probe_only,
                                 &used);
    if (st)
      return st;
    pos = used;
  }
  if (pos == 0 && !strcmp(n->type, "elf")) {
    pos = fwvet_elf_extent(d, len);
    if (pos == 0)
      pos = len;
  }
  for (size_t p = pos; p < len; p++) {
    size_t first = table.start[d[p]], end = table.start[d[p] + 1];
    for (size_t i = first; i < end && i < MAX_MAGICS; i++) {
      const magic_ref *r = &table.refs[i];
      const fwvet_magic *m = r->magic;
      if (p < pos + m->at || m->len > len - p ||
          memcmp(d + p, m->bytes, m->len) != 0)
        continue;
      uint64_t start = p - m->at;
      if ((r->fmt->flags & FWVET_FMT_AT_START) && start != 0)
        continue;
      if (run->root_format == r->fmt && !n->parent && start == 0)
        continue; /* already tried */
      size_t used;
      fwvet_status st = try_format(run, n, r->fmt, start, probe_only, &used);
      if (st)
        return st;
      if (used) {
        pos = start + used;
        p = pos - 1; /* the loop's p++ resumes at pos */
        if (probe_only)
          return FWVET_OK;
        break;
      }
    }
    if (run->stop)
      break;
  }
  return FWVET_OK;
}

/* --- processing a node ---------------------------------------------------- */

static void load_node(fwvet_run *run, fwvet_node *n) {
  fwvet_uctx lu;
  fwvet_uctx_begin(&lu, run, n, NULL, NULL, 0, 0, "");
  lu.loading = 1;
  fwvet_status st = n->load(&lu, n->load_arg);
  if (n->free_arg)
    n->free_arg(n->load_arg);
  n->load = NULL;
  n->free_arg = NULL;
  n->load_arg = NULL;
  fwvet_uctx_commit_findings(&lu);
  if (st == FWVET_ENOMEM)
    fwvet_run_fatal(run, st);
  if (lu.content) {
    size_t len = fwvet_buf_len(lu.content);
    if (fwvet_run_account(run, lu.content_mapped ? 0 : len, n->path)) {
      n->buf = lu.content;
      lu.content = NULL;
      n->data = fwvet_buf_data(n->buf);
      n->len = len;
    }
  }
  if (!n->buf || n->len < n->size)
    n->flags |= FWVET_NODE_TRUNCATED;
  if (n->buf && n->len > n->size)
    n->size = n->len;
  fwvet_uctx_discard(&lu);
}

static void process(fwvet_run *run, fwvet_node *n) {
  if (n->load)
    load_node(run, n);
  if (n->buf) {
    if (!n->sha256[0])
      fwvet_sha256_hex(n->data, n->len, n->sha256);
    if (n->kind == FWVET_KIND_FILE) {
      n->type = fwvet_classify(n->data, n->len);
      if (n->len) {
        fwvet_status st = carve(run, n, n->depth >= run->opt.limits.max_depth);
        if (st)
          fwvet_run_fatal(run, st);
      }
    }
  }
  if (run->opt.visit && !run->stop &&
      run->opt.visit(run->opt.visit_ud, n, n->data, n->len))
    fwvet_run_fatal(run, FWVET_ECANCELLED);
  if (run->opt.progress)
    fwvet_progress_add(run->opt.progress, 0, 1, n->len);
  fwvet_buf_release(n->buf);
  n->buf = NULL;
  n->data = NULL;
  n->len = 0;
}

static void *worker(void *arg) {
  fwvet_run *run = arg;
  pthread_mutex_lock(&run->qlock);
  for (;;) {
    while (!run->stop && run->qlen == 0 && run->active > 0)
      pthread_cond_wait(&run->qcond, &run->qlock);
    if (run->stop || run->qlen == 0)
      break;
    fwvet_node *n = run->queue[--run->qlen];
    run->active++;
    pthread_mutex_unlock(&run->qlock);
    process(run, n);
    pthread_mutex_lock(&run->qlock);
    run->active--;
    if (run->active == 0 && run->qlen == 0)
      pthread_cond_broadcast(&run->qcond);
  }
  pthread_cond_broadcast(&run->qcond);
  pthread_mutex_unlock(&run->qlock);
  return NULL;
}

static unsigned default_jobs(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (unsigned)n : 1;
}

static fwvet_status run_pool(fwvet_run *run) {
  unsigned jobs = run->opt.jobs ? run->opt.jobs : default_jobs();
  if (jobs > 256)
    jobs = 256;
  pthread_t tids[256];
  unsigned started = 0;
  for (; started < jobs; started++)
    if (pthread_create(&tids[started], NULL, worker, run) != 0)
      break;
  if (started == 0)
    worker(run);
  for (unsigned i = 0; i < started; i++)
    pthread_join(tids[i], NULL);
  /* Nodes left queued after a stop still own loader args. */
  run->qlen = 0;
  return run->fatal;
}

static fwvet_status run_init(fwvet_run *run, const char *input_path,
                             const fwvet_open_options *opt) {
  memset(run, 0, sizeof *run);
  if (opt)
    run->opt = *opt;
  else
    fwvet_open_options_init(&run->opt);
  fill_defaults(&run->opt.limits);
  run->vfs = fwvet_vfs_new(input_path);
  if (!run->vfs)
    return FWVET_ENOMEM;
  pthread_mutex_init(&run->qlock, NULL);
  pthread_cond_init(&run->qcond, NULL);
  return FWVET_OK;
}

static fwvet_status run_finish(fwvet_run *run, fwvet_vfs **out) {
  fwvet_status st = run_pool(run);
  pthread_mutex_destroy(&run->qlock);
  pthread_cond_destroy(&run->qcond);
  free(run->queue);
  if (st) {
    fwvet_vfs_destroy(run->vfs);
    return st;
  }
  fwvet_vfs_finish(run->vfs);
  *out = run->vfs;
  return FWVET_OK;
}

static const char *base_name(const char *path) {
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/')
    n--;
  const char *s = path + n;
  while (s > path && s[-1] != '/')
    s--;
  return s;
}

/* The root node of a file input, holding `buf` (ownership passes). */
static fwvet_status add_root(fwvet_run *run, const char *name, fwvet_buf *buf) {
  fwvet_node *n = calloc(1, sizeof *n);
  if (!n) {
    fwvet_buf_release(buf);
    return FWVET_ENOMEM;
  }
  size_t nlen = strcspn(name, "/");
  if (nlen == 0)
    name = "input", nlen = 5;
  n->path = strndup(name, nlen);
  n->fspath = strdup("");
  n->kind = FWVET_KIND_FILE;
  n->type = "data";
  n->mode = 0644;
  n->buf = buf;
  n->data = fwvet_buf_data(buf);
  n->len = fwvet_buf_len(buf);
  n->size = n->len;
  if (!n->path || !n->fspath) {
    fwvet_node_free(n);
    return FWVET_ENOMEM;
  }
  run->vfs->input_size = n->len;
  fwvet_sha256_hex(n->data, n->len, n->sha256);
  memcpy(run->vfs->input_sha256, n->sha256, sizeof n->sha256);
  atomic_fetch_add(&run->nodes, 1);
  fwvet_status st = fwvet_vfs_add_node(run->vfs, n);
  return st ? st : fwvet_run_push(run, n);
}

static fwvet_status open_buf(const char *input_path, const char *name,
                             fwvet_buf *buf, const fwvet_format *fmt,
                             const fwvet_open_options *opt, fwvet_vfs **out) {
  fwvet_run run;
  fwvet_status st = run_init(&run, input_path, opt);
  if (st) {
    fwvet_buf_release(buf);
    return st;
  }
  run.root_format = fmt;
  st = add_root(&run, name, buf);
  if (st)
    fwvet_run_fatal(&run, st);
  return run_finish(&run, out);
}

fwvet_status fwvet_vfs_open_memory(const char *name, const uint8_t *data,
                                   size_t len, const fwvet_open_options *opt,
                                   fwvet_vfs **out) {
  fwvet_buf *b = fwvet_buf_borrow(data, len);
  if (!b)
    return FWVET_ENOMEM;
  return open_buf(name, name, b, NULL, opt, out);
}

fwvet_status fwvet_vfs_open_format(const char *format, const char *name,
                                   const uint8_t *data, size_t len,
                                   const fwvet_open_options *opt,
                                   fwvet_vfs **out) {
  const fwvet_format *f = fwvet_format_find(format);
  if (!f)
    return FWVET_EINVAL;
  fwvet_buf *b = fwvet_buf_borrow(data, len);
  if (!b)
    return FWVET_ENOMEM;
  return open_buf(name, name, b, f, opt, out);
}

/* Reads a non-regular input (a pipe) into memory, up to `max` bytes. */
static fwvet_buf *read_all(int fd, uint64_t max) {
  size_t cap = 1 << 16, len = 0;
  uint8_t *p = malloc(cap);
  while (p) {
    ssize_t r = read(fd, p + len, cap - len);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      break;
    if (r == 0)
      return fwvet_buf_wrap(p, len);
    len += (size_t)r;
    if (len == cap) {
      if (cap >= max) {
        errno = EFBIG;
        break;
      }
      uint8_t *np = realloc(p, cap * 2);
      if (!np)
        break;
      p = np;
      cap *= 2;
    }
  }
  free(p);
  return NULL;
}

fwvet_status fwvet_vfs_open(const char *path, const fwvet_open_options *opt,
                            fwvet_vfs **out) {
  struct stat st;
  if (stat(path, &st) != 0)
    return FWVET_EIO;
  if (S_ISDIR(st.st_mode)) {
    fwvet_run run;
    fwvet_status s = run_init(&run, path, opt);
    if (s)
      return s;
    s = fwvet_dir_load(&run, path);
    if (s)
      fwvet_run_fatal(&run, s);
    return run_finish(&run, out);
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FWVET_EIO;
  fwvet_buf *b;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    b = fwvet_buf_map(fd, (size_t)st.st_size);
  } else {
    fwvet_limits l = opt ? opt->limits : (fwvet_limits){0};
    fill_defaults(&l);
    b = read_all(fd, l.max_total_bytes);
  }
  int saved = errno;
  close(fd);
  if (!b) {
    errno = saved;
    return FWVET_EIO;
  }
  return open_buf(path, base_name(path), b, NULL, opt, out);
}
