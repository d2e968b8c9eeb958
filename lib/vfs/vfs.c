/* The virtual file tree: storage, order, look-up, accessors. */
#include "vfs/vfs_int.h"

#include <stdlib.h>
#include <string.h>


fwvet_vfs *fwvet_vfs_new(const char *input_path) {
  fwvet_vfs *v = calloc(1, sizeof *v);
  if (!v)
    return NULL;
  v->input_path = strdup(input_path);
  if (!v->input_path) {
    free(v);
    return NULL;
  }
  pthread_mutex_init(&v->lock, NULL);
  fwvet_findings_init(&v->findings);
  return v;
}

void fwvet_node_free(fwvet_node *n) {
  if (!n)
    return;
  free(n->path);
  free(n->fspath);
  free(n->link);
  free(n->info);
  fwvet_buf_release(n->buf);
  if (n->free_arg)
    n->free_arg(n->load_arg);
  free(n);
}

fwvet_status fwvet_vfs_add_node(fwvet_vfs *vfs, fwvet_node *n) {
  fwvet_status st = FWVET_OK;
  pthread_mutex_lock(&vfs->lock);
  if (vfs->count == vfs->cap) {
    size_t cap = vfs->cap ? vfs->cap * 2 : 256;
    fwvet_node **p = realloc(vfs->nodes, cap * sizeof *p);
    if (!p) {
      st = FWVET_ENOMEM;
      goto out;
    }
    vfs->nodes = p;
    vfs->cap = cap;
  }
  n->seq = vfs->count;
  vfs->nodes[vfs->count++] = n;
out:
  pthread_mutex_unlock(&vfs->lock);
  if (st)
    fwvet_node_free(n);
  return st;
}

fwvet_status fwvet_vfs_add_finding(fwvet_vfs *vfs, const char *rule,
                                   fwvet_severity sev, const char *path,
                                   const char *fspath, uint64_t offset,
                                   const char *evidence, const char *message) {
  return fwvet_findings_add(&vfs->findings, rule, sev, path, fspath, offset,
                            0, evidence, message);
}

static int node_cmp(const void *a, const void *b) {
  const fwvet_node *x = *(fwvet_node *const *)a;
  const fwvet_node *y = *(fwvet_node *const *)b;
  int c = fwvet_path_cmp(x->path, y->path);
  if (c)
    return c;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void fwvet_vfs_finish(fwvet_vfs *vfs) {
  if (vfs->count)
    qsort(vfs->nodes, vfs->count, sizeof *vfs->nodes, node_cmp);
  fwvet_findings_sort(&vfs->findings);
}

void fwvet_vfs_destroy(fwvet_vfs *vfs) {
  if (!vfs)
    return;
  for (size_t i = 0; i < vfs->count; i++)
    fwvet_node_free(vfs->nodes[i]);
  free(vfs->nodes);
  fwvet_findings_release(&vfs->findings);
  free(vfs->input_path);
  pthread_mutex_destroy(&vfs->lock);
  free(vfs);
}

size_t fwvet_vfs_count(const fwvet_vfs *vfs) { return vfs->count; }

const fwvet_node *fwvet_vfs_node(const fwvet_vfs *vfs, size_t i) {
  return i < vfs->count ? vfs->nodes[i] : NULL;
}

const fwvet_node *fwvet_vfs_find(const fwvet_vfs *vfs, const char *path) {
  size_t lo = 0, hi = vfs->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = fwvet_path_cmp(vfs->nodes[mid]->path, path);
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < vfs->count && strcmp(vfs->nodes[lo]->path, path) == 0)
    return vfs->nodes[lo];
  return NULL;
}

size_t fwvet_vfs_finding_count(const fwvet_vfs *vfs) {
  return vfs->findings.count;
}

const fwvet_finding *fwvet_vfs_finding(const fwvet_vfs *vfs, size_t i) {
  return i < vfs->findings.count ? &vfs->findings.items[i] : NULL;
}

const char *fwvet_vfs_input_path(const fwvet_vfs *vfs) {
  return vfs->input_path;
}
uint64_t fwvet_vfs_input_size(const fwvet_vfs *vfs) {
  return vfs->input_size;
}
const char *fwvet_vfs_input_sha256(const fwvet_vfs *vfs) {
  return vfs->input_sha256;
}

static const char *const kind_names[] = {
    "file", "dir", "symlink", "chardev", "blockdev", "fifo", "socket",
    "container"};

const char *fwvet_kind_name(fwvet_kind kind) {
  if ((unsigned)kind < sizeof kind_names / sizeof *kind_names)
    return kind_names[kind];
  return "unknown";
}

const char *fwvet_node_path(const fwvet_node *n) { return n->path; }
const char *fwvet_node_fspath(const fwvet_node *n) { return n->fspath; }
fwvet_kind fwvet_node_kind(const fwvet_node *n) { return n->kind; }
const char *fwvet_node_type(const fwvet_node *n) { return n->type; }
uint64_t fwvet_node_size(const fwvet_node *n) { return n->size; }
uint32_t fwvet_node_mode(const fwvet_node *n) { return n->mode; }
uint32_t fwvet_node_uid(const fwvet_node *n) { return n->uid; }
uint32_t fwvet_node_gid(const fwvet_node *n) { return n->gid; }
int64_t fwvet_node_mtime(const fwvet_node *n) { return n->mtime; }
const char *fwvet_node_link(const fwvet_node *n) { return n->link; }
uint32_t fwvet_node_dev_major(const fwvet_node *n) { return n->dev_major; }
uint32_t fwvet_node_dev_minor(const fwvet_node *n) { return n->dev_minor; }
const char *fwvet_node_sha256(const fwvet_node *n) {
  return n->sha256[0] ? n->sha256 : NULL;
}
uint64_t fwvet_node_offset(const fwvet_node *n) { return n->offset; }
const fwvet_node *fwvet_node_parent(const fwvet_node *n) { return n->parent; }
unsigned fwvet_node_depth(const fwvet_node *n) { return n->depth; }
const char *fwvet_node_info(const fwvet_node *n) { return n->info; }
unsigned fwvet_node_flags(const fwvet_node *n) { return n->flags; }
