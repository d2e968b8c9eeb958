/*
 * Writing nodes to disk under one directory, never outside it.  Every
 * path is resolved from the directory's descriptor one component at a
 * time with O_NOFOLLOW, so no symlink, whether it was there before or
 * the image put it there, is ever followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwvet/fwvet.h"

typedef struct deferred_link {
  const fwvet_node *node;
  char *path;
} deferred_link;

struct fwvet_extractor {
  int dirfd;
  deferred_link *links;
  size_t nlinks, caplinks;
  pthread_mutex_t lock;
  fwvet_extract_report_fn report;
  void *ud;
  fwvet_extract_stats stats;
};

fwvet_status fwvet_extractor_create(const char *dir,
                                    fwvet_extract_report_fn report, void *ud,
                                    fwvet_extractor **out) {
  if (mkdir(dir, 0755) != 0 && errno != EEXIST)
    return FWVET_EIO;
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return FWVET_EIO;
  fwvet_extractor *ex = calloc(1, sizeof *ex);
  if (!ex) {
    close(fd);
    return FWVET_ENOMEM;
  }
  ex->dirfd = fd;
  ex->report = report;
  ex->ud = ud;
  pthread_mutex_init(&ex->lock, NULL);
  *out = ex;
  return FWVET_OK;
}

void fwvet_extractor_destroy(fwvet_extractor *ex) {
  if (!ex)
    return;
  for (size_t i = 0; i < ex->nlinks; i++)
    free(ex->links[i].path);
  free(ex->links);
  close(ex->dirfd);
  pthread_mutex_destroy(&ex->lock);
  free(ex);
}

void fwvet_extractor_stats(const fwvet_extractor *ex,
                           fwvet_extract_stats *stats) {
  pthread_mutex_lock((pthread_mutex_t *)&ex->lock);
  *stats = ex->stats;
  pthread_mutex_unlock((pthread_mutex_t *)&ex->lock);
}

static void refuse(fwvet_extractor *ex, const fwvet_node *n, fwvet_status why,
                   const char *detail, int skipped) {
  pthread_mutex_lock(&ex->lock);
  if (skipped)
    ex->stats.skipped++;
  else
    ex->stats.refused++;
  if (ex->report)
    ex->report(ex->ud, n, why, detail);
  pthread_mutex_unlock(&ex->lock);
}

/* The on-disk path of `n` relative to the extraction directory: its
 * provenance path without the root segment, with ".extracted" after every
 * file whose carved children lie below.  NULL for the root, or when any
 * node on the way has an unsafe name. */
static char *disk_path(const fwvet_node *n, const char **why) {
  const fwvet_node *chain[256];
  size_t depth = 0;
  for (const fwvet_node *a = n; a; a = fwvet_node_parent(a)) {
    if (fwvet_node_flags(a) & FWVET_NODE_UNSAFE_NAME) {
      *why = "unsafe name (absolute, '..' or NUL)";
      return NULL;
    }
    if (depth == sizeof chain / sizeof *chain) {
      *why = "nested too deeply";
      return NULL;
    }
    chain[depth++] = a;
  }
  if (depth < 2) {
    *why = NULL;
    return NULL;
  }
  size_t cap = strlen(fwvet_node_path(n)) + 11 * depth + 1;
  char *out = malloc(cap);
  if (!out) {
    *why = "out of memory";
    return NULL;
  }
  size_t o = 0;
  for (size_t i = depth - 1; i-- > 0;) {
    const char *prev = fwvet_node_path(chain[i + 1]);
    const char *cur = fwvet_node_path(chain[i]);
    size_t plen = strlen(prev);
    if (strncmp(cur, prev, plen) != 0 || cur[plen] != '/') {
      free(out);
      *why = "inconsistent provenance path";
      return NULL;
    }
    o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? "/" : "",
                          cur + plen + 1);
    if (i > 0 && fwvet_node_kind(chain[i]) == FWVET_KIND_FILE)
      o += (size_t)snprintf(out + o, cap - o, ".extracted");
  }
  return out;
}

/* Every component must be a plain name. */
static int safe_components(const char *p) {
  while (*p) {
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == 0 || n > 255 || (n == 1 && p[0] == '.') ||
        (n == 2 && p[0] == '.' && p[1] == '.'))
      return 0;
    p += n;
    if (*p == '/')
      p++;
    else
      break;
  }
  return 1;
}

/* Opens (creating as needed) every directory of `path` but the last
 * component; returns the descriptor of its parent and points *leaf at the
 * last component.  Never follows a symlink. */
static int open_parent(int root, char *path, char **leaf, const char **why) {
  int fd = dup(root);
  char *p = path;
  for (;;) {
    char *slash = strchr(p, '/');
    if (!slash)
      break;
    *slash = '\0';
    if (mkdirat(fd, p, 0755) != 0 && errno != EEXIST) {
      *why = strerror(errno);
      goto fail;
    }
    int nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (nfd < 0) {
      *why = (errno == ELOOP || errno == ENOTDIR)
                 ? "a symlink or file is in the way"
                 : strerror(errno);
      goto fail;
    }
    close(fd);
    fd = nfd;
    *slash = '/';
    p = slash + 1;
  }
  *leaf = p;
  return fd;
fail:
  if (fd >= 0)
    close(fd);
  return -1;
}

static int write_all(int fd, const uint8_t *p, size_t len) {
  while (len) {
    ssize_t w = write(fd, p, len > (1u << 30) ? (1u << 30) : len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

/* These return 0 or an errno value, with *why set. */
static int make_dir(int pfd, const char *leaf, uint32_t mode,
                    const char **why) {
  if (mkdirat(pfd, leaf, 0700) != 0 && errno != EEXIST) {
    int err = errno;
    *why = strerror(err);
    return err;
  }
  int fd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    *why = "a symlink or file is in the way";
    return ENOTDIR;
  }
  fchmod(fd, (mode & 0777) | 0700);
  close(fd);
  return 0;
}

static int make_file(int pfd, const char *leaf, uint32_t mode,
                     const uint8_t *data, size_t len, const char **why) {
  int fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                                 O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    *why = err == EEXIST ? "exists; not overwritten" : strerror(err);
    return err;
  }
  int err = write_all(fd, data, len) ? errno : 0;
  fchmod(fd, mode & 0777);
  if (close(fd) != 0 && !err)
    err = errno;
  if (err)
    *why = strerror(err);
  return err;
}

/* Creates `n` at `path` (already checked) below the directory. */
static void write_node(fwvet_extractor *ex, const fwvet_node *n,
                       char *path, const uint8_t *data, size_t len) {
  const char *why = NULL;
  fwvet_kind kind = fwvet_node_kind(n);
  char *leaf;
  int pfd = open_parent(ex->dirfd, path, &leaf, &why);
  if (pfd < 0) {
    refuse(ex, n, FWVET_EUNSAFE, why, 0);
    return;
  }
  int err = 0;
  if (kind == FWVET_KIND_DIR || kind == FWVET_KIND_CONTAINER) {
    err = make_dir(pfd, leaf, kind == FWVET_KIND_DIR ? fwvet_node_mode(n)
                                                     : 0755, &why);
  } else if (kind == FWVET_KIND_SYMLINK) {
    if (symlinkat(fwvet_node_link(n) ? fwvet_node_link(n) : "", pfd, leaf)) {
      err = errno;
      why = err == EEXIST ? "exists; not overwritten" : strerror(err);
    }
  } else {
    err = make_file(pfd, leaf, fwvet_node_mode(n), data, len, &why);
  }
  close(pfd);
  if (err) {
    refuse(ex, n, err == EEXIST ? FWVET_EEXIST : FWVET_EIO, why, 0);
    return;
  }
  pthread_mutex_lock(&ex->lock);
  if (kind == FWVET_KIND_DIR || kind == FWVET_KIND_CONTAINER)
    ex->stats.dirs++;
  else if (kind == FWVET_KIND_SYMLINK)
    ex->stats.symlinks++;
  else {
    ex->stats.files++;
    ex->stats.bytes += len;
  }
  pthread_mutex_unlock(&ex->lock);
}

static int cmp_links(const void *a, const void *b) {
  const deferred_link *x = a, *y = b;
  return strcmp(fwvet_node_path(x->node), fwvet_node_path(y->node));
}

void fwvet_extractor_finish(fwvet_extractor *ex) {
  if (ex->nlinks)
    qsort(ex->links, ex->nlinks, sizeof *ex->links, cmp_links);
  for (size_t i = 0; i < ex->nlinks; i++) {
    write_node(ex, ex->links[i].node, ex->links[i].path, NULL, 0);
    free(ex->links[i].path);
  }
  free(ex->links);
  ex->links = NULL;
  ex->nlinks = ex->caplinks = 0;
}

int fwvet_extractor_visit(void *ud, const fwvet_node *n, const uint8_t *data,
                          size_t len) {
  fwvet_extractor *ex = ud;
  const char *why = NULL;
  fwvet_kind kind = fwvet_node_kind(n);
  char *path = disk_path(n, &why);
  if (!path) {
    if (why)
      refuse(ex, n, FWVET_EUNSAFE, why, 0);
    return 0;
  }
  if (fwvet_node_flags(n) & FWVET_NODE_DUPLICATE) {
    refuse(ex, n, FWVET_EEXIST, "duplicate entry; the first one is kept", 0);
    goto out;
  }
  if (!safe_components(path)) {
    refuse(ex, n, FWVET_EUNSAFE, "unsafe path component", 0);
    goto out;
  }
  if (kind == FWVET_KIND_CHARDEV || kind == FWVET_KIND_BLOCKDEV ||
      kind == FWVET_KIND_FIFO || kind == FWVET_KIND_SOCKET) {
    refuse(ex, n, FWVET_EUNSUPPORTED, "devices, fifos and sockets are "
           "recorded, not created", 1);
    goto out;
  }
  if (kind == FWVET_KIND_FILE && !data && fwvet_node_size(n) > 0) {
    refuse(ex, n, FWVET_ECORRUPT, "content could not be decoded", 0);
    goto out;
  }
  if (kind == FWVET_KIND_SYMLINK) {
    /* Symlinks are made last (fwvet_extractor_finish), so whether a path
     * through one is refused never depends on thread timing. */
    pthread_mutex_lock(&ex->lock);
    if (ex->nlinks == ex->caplinks) {
      size_t cap = ex->caplinks ? ex->caplinks * 2 : 64;
      deferred_link *p = realloc(ex->links, cap * sizeof *p);
      if (!p) {
        pthread_mutex_unlock(&ex->lock);
        refuse(ex, n, FWVET_ENOMEM, "out of memory", 0);
        goto out;
      }
      ex->links = p;
      ex->caplinks = cap;
    }
    ex->links[ex->nlinks++] = (deferred_link){n, path};
    pthread_mutex_unlock(&ex->lock);
    return 0;
  }
  write_node(ex, n, path, data, len);
out:
  free(path);
  return 0;
}
