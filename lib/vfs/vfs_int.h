/* The tree's internals, shared by the unpack driver and the vfs (internal). */
#ifndef FWVET_VFS_INT_H
#define FWVET_VFS_INT_H

#include <pthread.h>

#include "core/buf.h"
#include "core/findings.h"
#include "fwvet/vfs.h"
#include "unpack/format.h"

struct fwvet_node {
  char *path;
  char *fspath;
  char *link;
  char *info;
  const char *type; /* static string */
  fwvet_kind kind;
  uint64_t size;
  uint64_t offset;
  uint32_t mode, uid, gid, dev_major, dev_minor;
  int64_t mtime;
  unsigned flags;
  unsigned depth;
  uint64_t seq; /* order of addition: breaks ties between equal paths */
  fwvet_node *parent;
  char sha256[65]; /* "" when unknown */

  /* Content, held only until the node has been processed. */
  fwvet_buf *buf;
  const uint8_t *data;
  size_t len;
  fwvet_load_fn load;
  void *load_arg;
  void (*free_arg)(void *);
};

struct fwvet_vfs {
  pthread_mutex_t lock;
  fwvet_node **nodes;
  size_t count, cap;
  fwvet_findings findings;
  char *input_path;
  uint64_t input_size;
  char input_sha256[65];
};

fwvet_vfs *fwvet_vfs_new(const char *input_path);
/* Appends `n` (ownership passes to the vfs, even on failure).  Locks. */
fwvet_status fwvet_vfs_add_node(fwvet_vfs *vfs, fwvet_node *n);
void fwvet_node_free(fwvet_node *n);
/* Records an unpack finding (see fwvet_findings_add). */
fwvet_status fwvet_vfs_add_finding(fwvet_vfs *vfs, const char *rule,
                                   fwvet_severity sev, const char *path,
                                   const char *fspath, uint64_t offset,
                                   const char *evidence, const char *message);
/* Sorts nodes and findings into their documented stable order. */
void fwvet_vfs_finish(fwvet_vfs *vfs);

/* Type of content by its first bytes ("elf", "text", "data", ...). */
const char *fwvet_classify(const uint8_t *data, size_t len);

#endif
