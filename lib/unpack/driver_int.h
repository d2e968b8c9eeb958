/* Driver internals shared by driver.c, uctx.c and dir.c (internal). */
#ifndef FWVET_UNPACK_DRIVER_INT_H
#define FWVET_UNPACK_DRIVER_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "unpack/driver.h"
#include "unpack/format.h"
#include "vfs/vfs_int.h"

typedef struct fwvet_run {
  fwvet_vfs *vfs;
  fwvet_open_options opt;
  const fwvet_format *root_format; /* tried first at the root, or NULL */

  pthread_mutex_t qlock;
  pthread_cond_t qcond;
  fwvet_node **queue;
  size_t qlen, qcap;
  size_t active;
  int stop;
  fwvet_status fatal;

  atomic_uint_fast64_t total_bytes;
  atomic_uint_fast64_t nodes;
  atomic_int total_reported, nodes_reported;
} fwvet_run;

typedef struct staged {
  fwvet_entry e;          /* name and link point at owned copies */
  char *name, *link, *info;
  fwvet_buf *buf;         /* content, or NULL */
  const uint8_t *data;
  size_t len;
  fwvet_load_fn load;
  void *load_arg;
  void (*free_arg)(void *);
} staged;

typedef struct staged_finding {
  const char *rule;
  fwvet_severity sev;
  uint64_t offset;        /* relative to the reader's data */
  char *evidence, *message;
} staged_finding;

struct fwvet_uctx {
  fwvet_run *run;
  fwvet_node *parent;     /* node whose bytes are read (or loaded) */
  fwvet_buf *buf;         /* the parent's bytes */
  const uint8_t *data;    /* candidate start */
  size_t len;
  uint64_t base;          /* candidate offset in the parent */
  char segment[48];
  int loading;            /* a deferred loader: parent is the node itself */
  staged *st;
  size_t nst, capst;
  staged_finding *sf;
  size_t nsf, capsf;
  char *info;
  fwvet_buf *content;     /* set by a loader */
  int content_mapped;     /* content is a file mapping, not decoded */
  double cpu_start;
  int nodes_limited;
};

/* Queues a node for processing (takes no ownership: the vfs owns it). */
fwvet_status fwvet_run_push(fwvet_run *run, fwvet_node *n);
/* Counts a new node against the node limit; 0 when over it. */
int fwvet_run_count_node(fwvet_run *run, const char *where);
/* Accounts `bytes` decoded bytes; 0 when the total budget is exceeded. */
int fwvet_run_account(fwvet_run *run, uint64_t bytes, const char *where);
void fwvet_run_fatal(fwvet_run *run, fwvet_status st);

void fwvet_uctx_begin(fwvet_uctx *u, fwvet_run *run, fwvet_node *parent,
                      fwvet_buf *buf, const uint8_t *data, size_t len,
                      uint64_t base, const char *segment);
/* Discards everything staged. */
void fwvet_uctx_discard(fwvet_uctx *u);
/* Turns what was staged into nodes and findings; `consumed` bytes from
 * the candidate start.  Returns the container/stream node (or NULL). */
fwvet_status fwvet_uctx_commit(fwvet_uctx *u, size_t consumed,
                               fwvet_node **made);
/* Records staged findings of a loader (no entries). */
void fwvet_uctx_commit_findings(fwvet_uctx *u);
double fwvet_thread_cpu_seconds(void);

/* Directory input: adds the tree under `path` to the run, root first. */
fwvet_status fwvet_dir_load(fwvet_run *run, const char *path);

#endif
