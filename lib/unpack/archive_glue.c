/*
 * libarchive glue shared by the archive readers (see archive_glue.h).
 *
 * libarchive reads the candidate's bytes in place through our callbacks
 * (one block: the whole range), so the data blocks of stored members point
 * into the input and can be handed on without a copy.
 */
#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <wchar.h>

#include "unpack/archive_glue.h"
#include "unpack/archive_links.h"

#define GROW_MIN (64u << 10)

typedef struct mem_src {
  const uint8_t *data;
  size_t len, pos;
} mem_src;

typedef struct reader {
  fwvet_uctx *u;
  const fwvet_archive_format *fmt;
  struct archive *a;
  const uint8_t *data;
  size_t len;
  /* Decoded bytes this archive may still produce: by the ratio limit, and
   * by the total budget (the driver counts staged entries only when they
   * are committed, so each reader keeps its own tally meanwhile). */
  uint64_t ratio_left, total_left;
  int have_ratio;
  int fatal;           /* libarchive cannot go on */
  int stop;            /* a limit was hit: stop reading entries */
  const char *limited; /* an archive-wide limit already reported */
  fwvet_links links;
  size_t encrypted; /* entries whose data is encrypted */
  char *first_encrypted;
} reader;

/* The content of one entry as it is read. */
typedef struct content {
  const uint8_t *slice; /* while the content is one run of the input */
  uint8_t *buf;         /* once it is not: an owned copy */
  size_t len, cap;
  int truncated;
} content;

static la_ssize_t src_read(struct archive *a, void *ud, const void **buf) {
  mem_src *s = ud;
  size_t n = s->len - s->pos;
  *buf = s->data + s->pos;
  s->pos = s->len;
  return (la_ssize_t)n;
}

static la_int64_t src_skip(struct archive *a, void *ud, la_int64_t req) {
  mem_src *s = ud;
  if (req <= 0)
    return 0;
  size_t n = s->len - s->pos;
  if ((uint64_t)req < n)
    n = (size_t)req;
  s->pos += n;
  return (la_int64_t)n;
}

static la_int64_t src_seek(struct archive *a, void *ud, la_int64_t off,
                           int whence) {
  mem_src *s = ud;
  la_int64_t base = whence == SEEK_SET   ? 0
                    : whence == SEEK_CUR ? (la_int64_t)s->pos
                                         : (la_int64_t)s->len;
  if (off < -base || off > (la_int64_t)s->len - base)
    return ARCHIVE_FATAL;
  s->pos = (size_t)(base + off);
  return (la_int64_t)s->pos;
}

/* UTF-8 of a wide string, for names libarchive holds only that way. */
static char *wide_to_utf8(const wchar_t *w) {
  size_t n = wcslen(w);
  if (n > (SIZE_MAX - 1) / 4)
    return NULL;
  char *out = malloc(n * 4 + 1), *o = out;
  if (!out)
    return NULL;
  for (; *w; w++) {
    uint32_t c = (uint32_t)*w;
    if (c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
      c = 0xfffd;
    if (c < 0x80) {
      *o++ = (char)c;
    } else if (c < 0x800) {
      *o++ = (char)(0xc0 | c >> 6);
      *o++ = (char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      *o++ = (char)(0xe0 | c >> 12);
      *o++ = (char)(0x80 | ((c >> 6) & 0x3f));
      *o++ = (char)(0x80 | (c & 0x3f));
    } else {
      *o++ = (char)(0xf0 | c >> 18);
      *o++ = (char)(0x80 | ((c >> 12) & 0x3f));
      *o++ = (char)(0x80 | ((c >> 6) & 0x3f));
      *o++ = (char)(0x80 | (c & 0x3f));
    }
  }
  *o = '\0';
  return out;
}

/* A name as stored: the raw bytes when libarchive has them, else UTF-8.
 * *tmp receives anything allocated (free it). */
static const char *pick_name(const char *mbs, const char *utf8,
                             const wchar_t *w, char **tmp) {
  *tmp = NULL;
  if (mbs)
    return mbs;
  if (utf8)
    return utf8;
  if (w)
    return *tmp = wide_to_utf8(w);
  return NULL;
}

/* libarchive's reason for the last failure; some readers give none when
 * the bytes simply run out. */
static const char *entry_msg(reader *r, const char *otherwise) {
  const char *m = archive_error_string(r->a);
  return m ? m : otherwise;
}

static uint64_t position(reader *r) {
  la_int64_t p = archive_filter_bytes(r->a, -1);
  return p < 0 ? 0 : (uint64_t)p > r->len ? r->len : (uint64_t)p;
}

static int inside_input(const reader *r, const uint8_t *p, size_t n) {
  uintptr_t a = (uintptr_t)p, b = (uintptr_t)r->data;
  return a >= b && n <= r->len && a - b <= r->len - n;
}

/* Moves the content into an owned buffer of at least `need` bytes. */
static int content_grow(content *c, size_t need, size_t limit) {
  if (need <= c->cap && c->buf)
    return 0;
  size_t ncap = c->cap ? c->cap : GROW_MIN;
  while (ncap < need)
    ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
  if (ncap > limit)
    ncap = limit > need ? limit : need;
  uint8_t *nb = realloc(c->buf, ncap ? ncap : 1);
  if (!nb)
    return -1;
  if (!c->buf && c->len)
    memcpy(nb, c->slice, c->len);
  c->buf = nb;
  c->cap = ncap;
  c->slice = NULL;
  return 0;
}

/* How many decoded bytes the next entry may have, and which limit says
 * so. */
static uint64_t entry_cap(reader *r, const char **which) {
  uint64_t cap = fwvet_uctx_out_limit(r->u, r->len);
  *which = fwvet_uctx_out_limit_name(r->u, r->len);
  if (r->have_ratio && r->ratio_left < cap) {
    cap = r->ratio_left;
    *which = "ratio";
  }
  if (r->total_left < cap) {
    cap = r->total_left;
    *which = "total-bytes";
  }
  return cap > SIZE_MAX ? SIZE_MAX : cap;
}

/*
 * Reads the current entry's data.  Blocks that are one run of the input
 * stay a slice; anything else (decoded data, sparse holes) is copied into
 * a buffer capped by the limits.  Returns FWVET_ENOMEM or FWVET_OK; damage
 * and limits are findings and mark the content truncated.
 */
static fwvet_status read_content(reader *r, const char *name, content *c) {
  const char *which;
  uint64_t cap = entry_cap(r, &which);
  for (;;) {
    const void *p;
    size_t n;
    la_int64_t off;
    int rc = archive_read_data_block(r->a, &p, &n, &off);
    if (rc == ARCHIVE_EOF)
      return FWVET_OK;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      fwvet_uctx_corrupt(r->u, position(r), "%s: '%s': %s", r->fmt->name, name,
                         entry_msg(r, "data cut short"));
      c->truncated = 1;
      r->fatal = rc == ARCHIVE_FATAL;
      return FWVET_OK;
    }
    if (rc == ARCHIVE_WARN)
      fwvet_uctx_corrupt(r->u, position(r), "%s: '%s': %s", r->fmt->name, name,
                         entry_msg(r, "data cut short"));
    if (fwvet_uctx_timed_out(r->u)) {
      fwvet_uctx_limit(r->u, "seconds", "%s: '%s': time limit reached",
                       r->fmt->name, name);
      c->truncated = 1;
      r->stop = 1;
      return FWVET_OK;
    }
    if (n == 0)
      continue;
    if (off < 0 || (uint64_t)off < c->len) {
      fwvet_uctx_corrupt(r->u, position(r),
                         "%s: '%s': data blocks out of order", r->fmt->name,
                         name);
      c->truncated = 1;
      return FWVET_OK;
    }
    int contiguous = (uint64_t)off == c->len && !c->buf &&
                     inside_input(r, p, n) &&
                     (!c->slice || (const uint8_t *)p == c->slice + c->len);
    if (contiguous) {
      if (!c->slice)
        c->slice = p;
      c->len += n;
      continue;
    }
    if ((uint64_t)off >= cap || n > cap - (uint64_t)off) {
      /* Once the archive's budget is spent every later file hits it:
       * one finding says so. */
      if (!r->limited || strcmp(which, "file-bytes") == 0)
        fwvet_uctx_limit(r->u, which,
                         "%s: '%s': content past %llu bytes dropped",
                         r->fmt->name, name, (unsigned long long)cap);
      if (strcmp(which, "file-bytes") != 0)
        r->limited = which;
      c->truncated = 1;
      if ((uint64_t)off >= cap)
        return FWVET_OK;
      n = (size_t)(cap - (uint64_t)off);
    }
    size_t end = (size_t)off + n;
    if (content_grow(c, end, (size_t)cap))
      return FWVET_ENOMEM;
    memset(c->buf + c->len, 0, (size_t)off - c->len); /* a sparse hole */
    memcpy(c->buf + (size_t)off, p, n);
    c->len = end;
    if (c->truncated)
      return FWVET_OK;
  }
}

static fwvet_kind kind_of(unsigned type) {
  switch (type) {
  case AE_IFDIR:
    return FWVET_KIND_DIR;
  case AE_IFLNK:
    return FWVET_KIND_SYMLINK;
  case AE_IFCHR:
    return FWVET_KIND_CHARDEV;
  case AE_IFBLK:
    return FWVET_KIND_BLOCKDEV;
  case AE_IFIFO:
    return FWVET_KIND_FIFO;
  case AE_IFSOCK:
    return FWVET_KIND_SOCKET;
  default:
    return FWVET_KIND_FILE;
  }
}

static uint32_t clamp_u32(la_int64_t v) {
  return v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void device_numbers(const reader *r, struct archive_entry *ae,
                           fwvet_entry *e) {
  uint64_t rdev = (uint64_t)archive_entry_rdev(ae);
  if (r->fmt->rdev_hi_lo && rdev >> 32) {
    e->dev_major = (uint32_t)(rdev >> 32);
    e->dev_minor = (uint32_t)rdev;
  } else if (r->fmt->rdev_hi_lo) {
    /* No high part: the writer packed its own dev_t into the low one. */
    e->dev_major = major((dev_t)rdev);
    e->dev_minor = minor((dev_t)rdev);
  } else {
    e->dev_major = (uint32_t)archive_entry_rdevmajor(ae);
    e->dev_minor = (uint32_t)archive_entry_rdevminor(ae);
  }
}

/* Declares one entry, with its content for files. */
static fwvet_status add_entry(reader *r, struct archive_entry *ae) {
  fwvet_status st = FWVET_OK;
  char *tmp_name = NULL, *tmp_link = NULL;
  content c = {0};
  const char *name =
      pick_name(archive_entry_pathname(ae), archive_entry_pathname_utf8(ae),
                archive_entry_pathname_w(ae), &tmp_name);
  if (!name) {
    fwvet_uctx_corrupt(r->u, position(r), "%s: entry without a name",
                       r->fmt->name);
    goto out;
  }
  fwvet_entry e = {0};
  e.name = name;
  e.name_len = strlen(name);
  e.kind = kind_of(archive_entry_filetype(ae));
  e.mode = (uint32_t)archive_entry_perm(ae) & 07777;
  e.uid = clamp_u32(archive_entry_uid(ae));
  e.gid = clamp_u32(archive_entry_gid(ae));
  e.mtime = archive_entry_mtime_is_set(ae) ? archive_entry_mtime(ae) : 0;
  e.size = archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0
               ? (uint64_t)archive_entry_size(ae)
               : 0;
  const char *hardlink = archive_entry_hardlink(ae);
  if (!hardlink)
    hardlink = archive_entry_hardlink_utf8(ae);
  if (hardlink) {
    e.kind = FWVET_KIND_FILE;
    e.flags |= FWVET_NODE_HARDLINK;
  }

  if (e.kind != FWVET_KIND_FILE)
    e.size = 0; /* a directory's extent in iso9660 is not its size */
  switch (e.kind) {
  case FWVET_KIND_SYMLINK:
    e.link =
        pick_name(archive_entry_symlink(ae), archive_entry_symlink_utf8(ae),
                  archive_entry_symlink_w(ae), &tmp_link);
    e.link_len = e.link ? strlen(e.link) : 0;
    e.size = e.link_len;
    st = fwvet_uctx_add(r->u, &e);
    goto out;
  case FWVET_KIND_CHARDEV:
  case FWVET_KIND_BLOCKDEV:
    device_numbers(r, ae, &e);
    st = fwvet_uctx_add(r->u, &e);
    goto out;
  case FWVET_KIND_FILE:
    break;
  default:
    st = fwvet_uctx_add(r->u, &e);
    goto out;
  }

  if (archive_entry_is_data_encrypted(ae)) {
    if (!r->encrypted++ && !(r->first_encrypted = strdup(name))) {
      st = FWVET_ENOMEM;
      goto out;
    }
    e.flags |= FWVET_NODE_TRUNCATED;
    st = fwvet_uctx_add(r->u, &e);
    goto out;
  }
  st = read_content(r, name, &c);
  if (st)
    goto out;
  if (c.len == 0 && hardlink &&
      fwvet_links_get(&r->links, hardlink, &c.slice, &c.len))
    e.size = c.len;
  if (c.truncated)
    e.flags |= FWVET_NODE_TRUNCATED;
  if (c.len == 0 && !c.truncated && archive_entry_nlink(ae) > 1 &&
      fwvet_links_can_wait(&r->links)) {
    st = fwvet_links_wait(&r->links, &e, hardlink);
    goto out;
  }
  const uint8_t *shared = c.buf ? NULL : c.slice ? c.slice : r->data;
  if (!hardlink || c.len > 0) {
    /* A hard link carrying the data stands for its target too. */
    st = fwvet_links_put(&r->links, hardlink ? hardlink : name, shared, c.len);
    if (!st && hardlink)
      st = fwvet_links_resolve(&r->links, r->u, hardlink, &e, shared, c.len);
    if (st)
      goto out;
  }
  if (c.buf) {
    if (r->have_ratio)
      r->ratio_left -= c.len < r->ratio_left ? c.len : r->ratio_left;
    r->total_left -= c.len < r->total_left ? c.len : r->total_left;
    st = fwvet_uctx_add_owned(r->u, &e, c.buf, c.len);
    c.buf = NULL;
  } else {
    st = fwvet_uctx_add_slice(r->u, &e, c.slice ? c.slice : r->data, c.len);
  }
out:
  free(c.buf);
  free(tmp_name);
  free(tmp_link);
  return st;
}

typedef enum read_end {
  READ_END,     /* the archive's end marker (or the end of the bytes) */
  READ_DAMAGED, /* a header libarchive could not read */
  READ_LIMIT,   /* a limit stopped the reading */
} read_end;

/* Reads entries until the end, damage, or a limit.  *entries counts the
 * entries declared, *damage_at is where an unreadable header started. */
static fwvet_status read_entries(reader *r, read_end *how, size_t *entries,
                                 uint64_t *damage_at) {
  struct archive_entry *ae;
  *entries = 0;
  for (;;) {
    if (r->fatal) {
      *how = READ_DAMAGED;
      *damage_at = position(r);
      return FWVET_OK;
    }
    if (r->stop) {
      *how = READ_LIMIT;
      return FWVET_OK;
    }
    if (fwvet_uctx_timed_out(r->u)) {
      fwvet_uctx_limit(r->u, "seconds", "%s: time limit reached", r->fmt->name);
      *how = READ_LIMIT;
      return FWVET_OK;
    }
    uint64_t before = position(r);
    int rc = archive_read_next_header(r->a, &ae);
    if (rc == ARCHIVE_EOF) {
      *how = READ_END;
      return FWVET_OK;
    }
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      /* The first header unreadable: not this format (the caller
       * decides); later: damage, and what was read stays. */
      if (*entries > 0)
        fwvet_uctx_corrupt(r->u, before, "%s: %s", r->fmt->name,
                           entry_msg(r, "unreadable entry header"));
      *how = READ_DAMAGED;
      *damage_at = before;
      return FWVET_OK;
    }
    if (rc == ARCHIVE_WARN)
      fwvet_uctx_corrupt(r->u, before, "%s: %s", r->fmt->name,
                         entry_msg(r, "unreadable entry header"));
    fwvet_status st = add_entry(r, ae);
    if (st == FWVET_ELIMIT) { /* the node limit; already reported */
      *how = READ_LIMIT;
      return FWVET_OK;
    }
    if (st)
      return st;
    (*entries)++;
  }
}

static fwvet_status run(reader *r, const fwvet_archive_hint *hint,
                        size_t *consumed) {
  mem_src src = {r->data, r->len, 0};
  if (hint->feed && hint->feed < src.len)
    src.len = (size_t)hint->feed;
  fwvet_status st = FWVET_ENOMEM;
  r->a = archive_read_new();
  if (!r->a)
    return FWVET_ENOMEM;
  if (r->fmt->enable(r->a) != ARCHIVE_OK ||
      archive_read_set_read_callback(r->a, src_read) ||
      archive_read_set_skip_callback(r->a, src_skip) ||
      archive_read_set_seek_callback(r->a, src_seek) ||
      archive_read_set_callback_data(r->a, &src))
    goto out;
  read_end how = READ_DAMAGED;
  size_t entries = 0;
  uint64_t end = 0;
  int opened = archive_read_open1(r->a) == ARCHIVE_OK;
  if (opened) {
    st = read_entries(r, &how, &entries, &end);
    if (st)
      goto out;
  }
  if (how == READ_DAMAGED && entries == 0) {
    st = FWVET_ENOTFOUND;
    if (!hint->size)
      goto out;
    /* The probe found a well-formed archive that libarchive cannot read
     * (an encrypted 7z header, an unsupported variant): say so. */
    /* (Only once open: libarchive's format pointer dangles otherwise.) */
    if (opened && archive_read_has_encrypted_entries(r->a) > 0)
      fwvet_uctx_unsupported(r->u, "%s: cannot read the encrypted archive: %s",
                             r->fmt->name,
                             entry_msg(r, "unreadable entry header"));
    else
      fwvet_uctx_corrupt(r->u, 0, "%s: cannot read the first entry: %s",
                         r->fmt->name, entry_msg(r, "unreadable entry header"));
  }
  if (r->encrypted == 1)
    fwvet_uctx_unsupported(r->u, "%s: '%s' is encrypted", r->fmt->name,
                           r->first_encrypted);
  else if (r->encrypted)
    fwvet_uctx_unsupported(r->u, "%s: %zu entries are encrypted, '%s' first",
                           r->fmt->name, r->encrypted, r->first_encrypted);
  if (hint->size) {
    end = r->len;
  } else if (how != READ_DAMAGED) {
    end = position(r);
    uint64_t a = hint->align ? hint->align : 1;
    if (how == READ_END && a > 1)
      end = (end + a - 1) / a * a;
  }
  if (end > r->len)
    end = r->len;
  *consumed = end ? (size_t)end : 1;
  st = FWVET_OK;
out:
  archive_read_free(r->a);
  return st;
}

fwvet_status fwvet_archive_unpack(fwvet_uctx *u,
                                  const fwvet_archive_format *fmt,
                                  const uint8_t *data, size_t len,
                                  size_t *consumed) {
  fwvet_archive_hint hint = {0};
  fwvet_status st;
  if (fmt->probe && (st = fmt->probe(u, data, len, &hint)) != FWVET_OK)
    return st;
  if (hint.size > len)
    fwvet_uctx_corrupt(u, len,
                       "%s: archive truncated: %zu of %llu bytes present",
                       fmt->name, len, (unsigned long long)hint.size);
  else if (hint.size)
    len = (size_t)hint.size;
  if (hint.unreadable) {
    *consumed = len;
    return FWVET_OK;
  }

  reader r = {0};
  r.u = u;
  r.fmt = fmt;
  r.data = data;
  r.len = len;
  const fwvet_limits *lim = fwvet_uctx_limits(u);
  r.total_left =
      lim && lim->max_total_bytes ? lim->max_total_bytes : UINT64_MAX;
  if (lim && lim->max_ratio) {
    r.have_ratio = 1;
    r.ratio_left = len > (UINT64_MAX - (1u << 20)) / lim->max_ratio
                       ? UINT64_MAX
                       : len * lim->max_ratio + (1u << 20);
  }

  /* Names in archives are mostly UTF-8; read them under a UTF-8 locale
   * of this thread only, so libarchive passes them through unchanged. */
  locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
  locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
  st = run(&r, &hint, consumed);
  if (utf8) {
    uselocale(old);
    freelocale(utf8);
  }
  if (st == FWVET_OK &&
      fwvet_links_resolve(&r.links, u, NULL, NULL, NULL, 0) == FWVET_ENOMEM)
    st = FWVET_ENOMEM;
  fwvet_links_release(&r.links);
  free(r.first_encrypted);
  return st;
}
