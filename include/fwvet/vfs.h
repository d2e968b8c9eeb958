/* fwvet — the virtual file tree: everything found inside an input. */
#ifndef FWVET_VFS_H
#define FWVET_VFS_H

#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fwvet_vfs fwvet_vfs;   /* opaque; see fwvet_vfs_open() */
typedef struct fwvet_node fwvet_node; /* opaque; owned by its vfs */

typedef enum fwvet_kind {
  FWVET_KIND_FILE = 0,  /* regular file or a decoded blob */
  FWVET_KIND_DIR,
  FWVET_KIND_SYMLINK,
  FWVET_KIND_CHARDEV,   /* recorded, never created */
  FWVET_KIND_BLOCKDEV,
  FWVET_KIND_FIFO,
  FWVET_KIND_SOCKET,
  FWVET_KIND_CONTAINER, /* a filesystem or archive found at an offset */
} fwvet_kind;

/* "file", "dir", "symlink", ... ; never NULL. */
const char *fwvet_kind_name(fwvet_kind kind);

/*
 * Limits.  Every one is reported with an `unpack.limit` finding naming the
 * limit and the node when it is hit, and the run goes on with the rest.
 * Zero in any field means "use the default" (fwvet_limits_default()).
 */
typedef struct fwvet_limits {
  unsigned max_depth;          /* container nesting, default 16 */
  uint64_t max_total_bytes;    /* all decoded bytes together, default 4 GiB */
  uint64_t max_file_bytes;     /* one decoded file or stream, default 1 GiB */
  uint64_t max_ratio;          /* output:input per stream, default 1000 */
  uint64_t max_nodes;          /* nodes in the tree, default 1,000,000 */
  double max_stream_seconds;   /* CPU seconds per stream, default 60 */
} fwvet_limits;

/* Fills `lim` with the defaults above. */
void fwvet_limits_default(fwvet_limits *lim);

/*
 * Called once per node, on a worker thread, while the node's bytes are in
 * memory (`data`/`len`, NULL/0 for nodes without content).  Calls may run
 * concurrently; the callback does its own locking.  The bytes are released
 * after it returns.  A non-zero return stops the run (FWVET_ECANCELLED).
 */
typedef int (*fwvet_visit_fn)(void *ud, const fwvet_node *node,
                              const uint8_t *data, size_t len);

/*
 * How far a run has got, for a progress display: counters the worker
 * threads update and any thread may read at any time (atomics, no lock).
 * Created and owned by the caller; one object may serve several runs in
 * turn, and then counts them all.
 */
typedef struct fwvet_progress fwvet_progress;
typedef struct fwvet_progress_counts {
  uint64_t nodes_found; /* nodes unpacked (queued) so far */
  uint64_t nodes_done;  /* nodes loaded, carved and analysed */
  uint64_t bytes_done;  /* content bytes of those nodes */
} fwvet_progress_counts;

fwvet_progress *fwvet_progress_create(void); /* NULL on out of memory */
void fwvet_progress_destroy(fwvet_progress *p); /* NULL is a no-op */
/* A snapshot; each counter is exact, the three are not taken at once. */
void fwvet_progress_read(const fwvet_progress *p, fwvet_progress_counts *out);

typedef struct fwvet_open_options {
  fwvet_limits limits;
  unsigned jobs;            /* worker threads; 0 = number of cores */
  fwvet_visit_fn visit;     /* optional */
  void *visit_ud;
  fwvet_progress *progress; /* optional; must outlive the run */
} fwvet_open_options;

/* Zeroes `opt` and fills in default limits. */
void fwvet_open_options_init(fwvet_open_options *opt);

/*
 * Opens `path` (an image file or a directory), unpacks it recursively and
 * returns the tree in *out (write-only on success).  The caller owns *out
 * and frees it with fwvet_vfs_destroy().  Problems inside the input are
 * findings, not errors: this fails only when `path` cannot be read at all
 * (FWVET_EIO, errno describes why), on FWVET_ENOMEM, or when cancelled.
 * `opt` may be NULL for defaults.
 */
fwvet_status fwvet_vfs_open(const char *path, const fwvet_open_options *opt,
                            fwvet_vfs **out);

/* Same, for bytes in memory; `name` becomes the root path segment.  The
 * bytes are copied only where they must be decoded; they must stay valid
 * until this call returns. */
fwvet_status fwvet_vfs_open_memory(const char *name, const uint8_t *data,
                                   size_t len, const fwvet_open_options *opt,
                                   fwvet_vfs **out);

void fwvet_vfs_destroy(fwvet_vfs *vfs); /* NULL is a no-op */

/* Nodes, sorted by path (byte order), root first. */
size_t fwvet_vfs_count(const fwvet_vfs *vfs);
const fwvet_node *fwvet_vfs_node(const fwvet_vfs *vfs, size_t i);
/* Finds a node by exact provenance path; NULL when absent. */
const fwvet_node *fwvet_vfs_find(const fwvet_vfs *vfs, const char *path);

/* Findings raised while unpacking (unpack.*), in a stable order. */
size_t fwvet_vfs_finding_count(const fwvet_vfs *vfs);
const fwvet_finding *fwvet_vfs_finding(const fwvet_vfs *vfs, size_t i);

/* The input as given: its path, size, and sha256 (64 hex chars). */
const char *fwvet_vfs_input_path(const fwvet_vfs *vfs);
uint64_t fwvet_vfs_input_size(const fwvet_vfs *vfs);
const char *fwvet_vfs_input_sha256(const fwvet_vfs *vfs);

/* Node accessors.  Strings are owned by the vfs; never NULL unless said. */
const char *fwvet_node_path(const fwvet_node *n);   /* provenance */
const char *fwvet_node_fspath(const fwvet_node *n); /* "" for blobs */
fwvet_kind fwvet_node_kind(const fwvet_node *n);
const char *fwvet_node_type(const fwvet_node *n);   /* "elf", "gzip", ... */
uint64_t fwvet_node_size(const fwvet_node *n);
uint32_t fwvet_node_mode(const fwvet_node *n);      /* permission bits 07777 */
uint32_t fwvet_node_uid(const fwvet_node *n);
uint32_t fwvet_node_gid(const fwvet_node *n);
int64_t fwvet_node_mtime(const fwvet_node *n);
const char *fwvet_node_link(const fwvet_node *n);   /* symlink target or NULL */
/* Device numbers of char/block device nodes. */
uint32_t fwvet_node_dev_major(const fwvet_node *n);
uint32_t fwvet_node_dev_minor(const fwvet_node *n);
/* sha256 as 64 hex chars, or NULL when the node has no content or its
 * content could not be decoded. */
const char *fwvet_node_sha256(const fwvet_node *n);
/* Offset of this node's segment inside its parent node (carved data). */
uint64_t fwvet_node_offset(const fwvet_node *n);
const fwvet_node *fwvet_node_parent(const fwvet_node *n); /* NULL: root */
unsigned fwvet_node_depth(const fwvet_node *n);  /* containers above it */
/* Human-readable description of a container or decoded stream (e.g. the
 * uImage header), or NULL. */
const char *fwvet_node_info(const fwvet_node *n);

/* Node flags. */
enum {
  FWVET_NODE_TRUNCATED = 1 << 0, /* content incomplete (limit or damage) */
  FWVET_NODE_UNSAFE_NAME = 1 << 1, /* name has "..", is absolute, or NUL */
  FWVET_NODE_HAS_CHILDREN = 1 << 2,
  FWVET_NODE_HARDLINK = 1 << 3,  /* another entry shares this inode */
  FWVET_NODE_DUPLICATE = 1 << 4, /* a later entry with an earlier's name */
};
unsigned fwvet_node_flags(const fwvet_node *n);

#ifdef __cplusplus
}
#endif
#endif
