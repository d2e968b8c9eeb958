/*
 * Directory input: every entry below a directory becomes a node (path
 * "<dirname>/<relative path>", fspath "/<relative path>"); files are mapped
 * lazily on the worker threads.  Symlinks are recorded, never followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "unpack/driver_int.h"

static fwvet_status load_file(fwvet_uctx *lu, void *arg) {
  const char *path = arg;
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  struct stat st;
  fwvet_status ret = FWVET_OK;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    fwvet_uctx_corrupt(lu, FWVET_NO_OFFSET, "cannot read '%s': %s", path,
                       fd < 0 ? strerror(errno) : "not a regular file");
    goto out;
  }
  fwvet_buf *b = fwvet_buf_map(fd, (size_t)st.st_size);
  if (!b) {
    fwvet_uctx_corrupt(lu, FWVET_NO_OFFSET, "cannot map '%s': %s", path,
                       strerror(errno));
    goto out;
  }
  lu->content = b;
  lu->content_mapped = 1;
out:
  if (fd >= 0)
    close(fd);
  return ret;
}

static fwvet_kind kind_of(mode_t m) {
  if (S_ISDIR(m))
    return FWVET_KIND_DIR;
  if (S_ISLNK(m))
    return FWVET_KIND_SYMLINK;
  if (S_ISCHR(m))
    return FWVET_KIND_CHARDEV;
  if (S_ISBLK(m))
    return FWVET_KIND_BLOCKDEV;
  if (S_ISFIFO(m))
    return FWVET_KIND_FIFO;
  if (S_ISSOCK(m))
    return FWVET_KIND_SOCKET;
  return FWVET_KIND_FILE;
}

typedef struct walk {
  fwvet_run *run;
  const char *root_name;
  fwvet_node *root;
  char abs[PATH_MAX];
} walk;

static fwvet_status add_entry(walk *w, const char *rel, const char *abs,
                              const struct stat *st) {
  fwvet_node *n = calloc(1, sizeof *n);
  if (!n)
    return FWVET_ENOMEM;
  n->kind = kind_of(st->st_mode);
  n->type = fwvet_kind_name(n->kind);
  n->mode = st->st_mode & 07777;
  n->uid = st->st_uid;
  n->gid = st->st_gid;
  n->mtime = st->st_mtime;
  n->parent = w->root;
  n->depth = 0;
  if (asprintf(&n->path, "%s/%s", w->root_name, rel) < 0)
    n->path = NULL;
  if (asprintf(&n->fspath, "/%s", rel) < 0)
    n->fspath = NULL;
  if (!n->path || !n->fspath)
    goto nomem;
  if (n->kind == FWVET_KIND_FILE) {
    n->size = (uint64_t)st->st_size;
    if (st->st_nlink > 1)
      n->flags |= FWVET_NODE_HARDLINK;
    n->load = load_file;
    n->free_arg = free;
    if (!(n->load_arg = strdup(abs)))
      goto nomem;
  } else if (n->kind == FWVET_KIND_SYMLINK) {
    char target[PATH_MAX];
    ssize_t r = readlink(abs, target, sizeof target - 1);
    if (r >= 0) {
      target[r] = '\0';
      if (!(n->link = strdup(target)))
        goto nomem;
    }
    n->size = (uint64_t)st->st_size;
  } else if (n->kind == FWVET_KIND_CHARDEV || n->kind == FWVET_KIND_BLOCKDEV) {
    n->dev_major = major(st->st_rdev);
    n->dev_minor = minor(st->st_rdev);
  }
  if (!fwvet_run_count_node(w->run, n->path)) {
    fwvet_node_free(n);
    return FWVET_ELIMIT;
  }
  fwvet_status s = fwvet_vfs_add_node(w->run->vfs, n);
  return s ? s : fwvet_run_push(w->run, n);
nomem:
  fwvet_node_free(n);
  return FWVET_ENOMEM;
}

static int name_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks `rel` (relative to the root; "" for the root) depth first. */
static fwvet_status walk_dir(walk *w, const char *rel, unsigned depth) {
  fwvet_status st = FWVET_OK;
  char **names = NULL;
  size_t n = 0, cap = 0;
  size_t alen = strlen(w->abs);
  DIR *d = opendir(w->abs);
  if (!d) {
    fwvet_vfs_add_finding(w->run->vfs, "unpack.corrupt", FWVET_SEV_LOW,
                          w->root_name, rel, FWVET_NO_OFFSET, NULL,
                          "cannot read directory");
    return FWVET_OK;
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **p = realloc(names, cap * sizeof *p);
      if (!p) {
        st = FWVET_ENOMEM;
        goto out;
      }
      names = p;
    }
    if (!(names[n] = strdup(de->d_name))) {
      st = FWVET_ENOMEM;
      goto out;
    }
    n++;
  }
  if (n)
    qsort(names, n, sizeof *names, name_cmp);
  for (size_t i = 0; i < n && !st; i++) {
    char sub[PATH_MAX];
    struct stat sb;
    if (snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", names[i]) >=
            (int)sizeof sub ||
        alen + 1 + strlen(names[i]) >= sizeof w->abs)
      continue;
    snprintf(w->abs + alen, sizeof w->abs - alen, "/%s", names[i]);
    if (lstat(w->abs, &sb) == 0) {
      st = add_entry(w, sub, w->abs, &sb);
      if (!st && S_ISDIR(sb.st_mode) && depth < 256)
        st = walk_dir(w, sub, depth + 1);
    }
    w->abs[alen] = '\0';
  }
out:
  closedir(d);
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return st == FWVET_ELIMIT ? FWVET_OK : st;
}

fwvet_status fwvet_dir_load(fwvet_run *run, const char *path) {
  walk w = {.run = run};
  size_t plen = strlen(path);
  while (plen > 1 && path[plen - 1] == '/')
    plen--;
  if (plen >= sizeof w.abs)
    return FWVET_EINVAL;
  memcpy(w.abs, path, plen);
  w.abs[plen] = '\0';
  const char *base = w.abs + plen;
  while (base > w.abs && base[-1] != '/')
    base--;
  char *name = strdup(*base && strcmp(base, ".") ? base : "input");
  if (!name)
    return FWVET_ENOMEM;
  fwvet_node *root = calloc(1, sizeof *root);
  if (!root) {
    free(name);
    return FWVET_ENOMEM;
  }
  struct stat sb;
  root->kind = FWVET_KIND_DIR;
  root->type = "dir";
  root->path = name;
  root->fspath = strdup("/");
  root->mode = stat(path, &sb) == 0 ? sb.st_mode & 07777 : 0755;
  if (!root->fspath) {
    fwvet_node_free(root);
    return FWVET_ENOMEM;
  }
  w.root_name = root->path;
  w.root = root;
  atomic_fetch_add(&run->nodes, 1);
  fwvet_status st = fwvet_vfs_add_node(run->vfs, root);
  if (!st)
    st = fwvet_run_push(run, root);
  if (!st)
    st = walk_dir(&w, "", 0);
  return st;
}
