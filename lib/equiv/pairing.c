/*
 * fwvet_equiv_compare: unpack both sides, pair their nodes, judge every
 * pair.
 *
 * Order of judgement: leaves first (files by their bytes, links by their
 * targets, every entry by its mode), then containers from the deepest
 * out.  A container whose own bytes differ (a squashfs image, a gzip
 * file, a directory) is equivalent when everything inside it pairs up
 * identical or equivalent: its remaining bytes are metadata (superblocks,
 * inode tables, headers, compression, order) that only describe entries
 * which were compared one by one, and the rule is recorded as
 * "archive-metadata" over the container's bytes.  Bytes a container does
 * not account for (outside every carved child) are compared literally.
 */
#include <stdlib.h>
#include <string.h>

#include "equiv/side.h"

static int item_key_cmp(const void *x, const void *y, void *ud) {
  const eq_item *items = ud;
  size_t a = *(const size_t *)x, b = *(const size_t *)y;
  int c = strcmp(items[a].key, items[b].key);
  return c ? c : (a > b) - (a < b);
}

static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;
static const eq_item *sort_items;
static int sort_cmp(const void *x, const void *y) {
  return item_key_cmp(x, y, (void *)sort_items);
}

/* Indices of the items to pair, sorted by key; duplicates of a key get
 * "#2", "#3"... in tree order. */
static size_t *sorted(eq_side *s, size_t *count) {
  size_t *o = calloc(s->n ? s->n : 1, sizeof *o), k = 0;
  if (!o)
    return NULL;
  for (size_t i = 0; i < s->n; i++)
    if (!s->items[i].skip)
      o[k++] = i;
  pthread_mutex_lock(&sort_lock);
  sort_items = s->items;
  qsort(o, k, sizeof *o, sort_cmp);
  pthread_mutex_unlock(&sort_lock);
  const char *base = k ? s->items[o[0]].key : NULL;
  size_t run = 1, renamed = 0;
  for (size_t i = 1; i < k; i++) {
    eq_item *it = &s->items[o[i]];
    if (strcmp(it->key, base)) {
      base = it->key;
      run = 1;
      continue;
    }
    char *nk;
    if (asprintf(&nk, "%s#%zu", it->key, ++run) < 0) {
      free(o);
      return NULL;
    }
    free(it->key);
    it->key = nk;
    renamed++;
  }
  if (renamed) {
    pthread_mutex_lock(&sort_lock);
    sort_items = s->items;
    qsort(o, k, sizeof *o, sort_cmp);
    pthread_mutex_unlock(&sort_lock);
  }
  *count = k;
  return o;
}

static void judge_metadata(eq_pair *p, eq_item *r, eq_item *c,
                           unsigned *meta_diffs) {
  const fwvet_node *a = r->node, *b = c->node;
  fwvet_kind ka = fwvet_node_kind(a), kb = fwvet_node_kind(b);
  int top = r->container && c->container;
  if (ka != kb && !top) {
    eq_different(p);
    eq_reason(p, "kind differs: %s vs %s", fwvet_kind_name(ka),
              fwvet_kind_name(kb));
    return;
  }
  if (!top && fwvet_node_mode(a) != fwvet_node_mode(b)) {
    eq_different(p);
    eq_reason(p, "mode differs: %04o vs %04o", fwvet_node_mode(a),
              fwvet_node_mode(b));
  }
  const char *la = fwvet_node_link(a), *lb = fwvet_node_link(b);
  if ((la || lb) && (!la || !lb || strcmp(la, lb))) {
    eq_different(p);
    eq_reason(p, "link target differs: '%s' vs '%s'", la ? la : "",
              lb ? lb : "");
  }
  if ((ka == FWVET_KIND_CHARDEV || ka == FWVET_KIND_BLOCKDEV) &&
      (fwvet_node_dev_major(a) != fwvet_node_dev_major(b) ||
       fwvet_node_dev_minor(a) != fwvet_node_dev_minor(b))) {
    eq_different(p);
    eq_reason(p, "device number differs");
  }
  if (top || !*fwvet_node_fspath(a))
    return; /* containers and blobs have no entry metadata of their own */
  int mt = fwvet_node_mtime(a) != fwvet_node_mtime(b);
  int ow = fwvet_node_uid(a) != fwvet_node_uid(b) ||
           fwvet_node_gid(a) != fwvet_node_gid(b);
  /* Counted as differences only under --strict; otherwise told on the
   * container, since the entry's own bytes are still identical. */
  if (mt && (p->strict & FWVET_EQC_MTIMES))
    eq_ignore(p, FWVET_EQUIV_BOTH, 0, 0, FWVET_EQC_MTIMES, "mtime");
  if (ow && (p->strict & FWVET_EQC_OWNERS))
    eq_ignore(p, FWVET_EQUIV_BOTH, 0, 0, FWVET_EQC_OWNERS, "owner (uid/gid)");
  if (mt || ow)
    (*meta_diffs)++;
}

static int looks_elf(const eq_item *it) {
  return it->len >= 52 && !memcmp(it->data, "\177ELF", 4);
}

static void judge_bytes(eq_pair *p, eq_item *r, eq_item *c) {
  const char *ha = fwvet_node_sha256(r->node), *hb = fwvet_node_sha256(c->node);
  if (ha && hb && !strcmp(ha, hb))
    return;
  if (!ha && !hb && !fwvet_node_size(r->node) && !fwvet_node_size(c->node) &&
      !(fwvet_node_flags(r->node) & FWVET_NODE_TRUNCATED) &&
      !(fwvet_node_flags(c->node) & FWVET_NODE_TRUNCATED))
    return; /* both empty */
  if (!ha || !hb) {
    if (ha || hb || fwvet_node_kind(r->node) == FWVET_KIND_FILE) {
      eq_different(p);
      eq_reason(p, "content could not be decoded on %s",
                !ha && !hb ? "either side" : !ha ? "the reference side"
                                                 : "the candidate side");
    }
    return;
  }
  if (!r->data || !c->data) {
    eq_different(p);
    eq_reason(p, "content not compared: bytes not kept (memory limit)");
    return;
  }
  eq_bytes a = {r->data, r->len}, b = {c->data, c->len};
  if (looks_elf(r) && looks_elf(c) && eq_compare_elf(p, a, b) == 0)
    return;
  eq_compare_data(p, a, b);
}

/* Covered ranges of a container file: its carved children. */
typedef struct cover {
  uint64_t start, end;
} cover;

static int cover_cmp(const void *x, const void *y) {
  const cover *a = x, *b = y;
  return a->start < b->start ? -1 : a->start > b->start;
}

/* One past the last descendant of item `idx`: nodes are sorted by path,
 * so its descendants ("<path>/...") come after it, together. */
static size_t subtree_end(const eq_side *s, size_t idx) {
  const char *path = fwvet_node_path(s->items[idx].node);
  size_t n = strlen(path), i = idx + 1;
  for (; i < s->n; i++) {
    const char *q = fwvet_node_path(s->items[i].node);
    int c = strncmp(q, path, n);
    if (c == 0 && q[n] == '/')
      continue;
    if (c > 0 || (c == 0 && (unsigned char)q[n] > '/'))
      break; /* past every "<path>/..." */
  }
  return i;
}

/* The bytes of `it` outside its children, concatenated into *out (caller
 * frees); -1 when out of memory. */
static int gaps_of(const eq_side *s, size_t idx, uint8_t **out, size_t *len,
                   cover **where, size_t *nwhere) {
  const eq_item *it = &s->items[idx];
  size_t n = 0, end = subtree_end(s, idx);
  for (size_t i = idx + 1; i < end; i++)
    if (s->items[i].parent == idx)
      n++;
  cover *cv = calloc(n + 1, sizeof *cv);
  uint8_t *g = malloc(it->len + 1);
  if (!cv || !g) {
    free(cv);
    free(g);
    return -1;
  }
  size_t k = 0;
  for (size_t i = idx + 1; i < end; i++) {
    const eq_item *ch = &s->items[i];
    if (ch->parent != idx)
      continue;
    uint64_t off = fwvet_node_offset(ch->node);
    uint64_t stop = fwvet_node_kind(ch->node) == FWVET_KIND_CONTAINER
                       ? off + fwvet_node_size(ch->node)
                       : UINT64_MAX; /* a stream: extent not recorded */
    cv[k++] = (cover){off, stop};
  }
  qsort(cv, k, sizeof *cv, cover_cmp);
  for (size_t i = 0; i + 1 < k; i++)
    if (cv[i].end > cv[i + 1].start)
      cv[i].end = cv[i + 1].start;
  /* The gaps go into a second array: at most one more than the covers. */
  cover *gw = calloc(k + 1, sizeof *gw);
  if (!gw) {
    free(cv);
    free(g);
    return -1;
  }
  size_t o = 0, ng = 0;
  uint64_t at = 0;
  for (size_t i = 0; i <= k; i++) {
    uint64_t stop = i < k ? cv[i].start : it->len;
    if (stop > it->len)
      stop = it->len;
    if (stop > at) {
      memcpy(g + o, it->data + at, (size_t)(stop - at));
      o += (size_t)(stop - at);
      gw[ng++] = (cover){at, stop};
    }
    if (i < k && cv[i].end > at)
      at = cv[i].end;
  }
  free(cv);
  *out = g;
  *len = o;
  *where = gw;
  *nwhere = ng;
  return 0;
}

static int padding_only(const uint8_t *d, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (d[i] != 0 && d[i] != 0xff)
      return 0;
  return 1;
}

static void judge_container(eq_pair *p, eq_side *rs, size_t ri, eq_side *cs,
                            size_t ci) {
  eq_item *r = &rs->items[ri], *c = &cs->items[ci];
  if (r->bad || c->bad) {
    eq_different(p);
    eq_reason(p, "entries inside differ or are missing");
    return;
  }
  unsigned meta = r->meta_diffs > c->meta_diffs ? r->meta_diffs
                                                : c->meta_diffs;
  if (meta)
    eq_ignore(p, FWVET_EQUIV_BOTH, 0, 0, FWVET_EQC_MTIMES,
              "entries' mtimes or owners differ (ignored, see --strict "
              "mtimes,owners)");
  const char *ha = fwvet_node_sha256(r->node), *hb = fwvet_node_sha256(c->node);
  if (!ha || !hb || !strcmp(ha, hb))
    return;
  if (!r->data || !c->data) {
    eq_different(p);
    eq_reason(p, "content not compared: bytes not kept (memory limit)");
    return;
  }
  uint8_t *ga = NULL, *gb = NULL;
  cover *wa = NULL, *wb = NULL;
  size_t la = 0, lb = 0, na = 0, nb = 0;
  if (gaps_of(rs, ri, &ga, &la, &wa, &na) ||
      gaps_of(cs, ci, &gb, &lb, &wb, &nb)) {
    eq_different(p);
    goto out;
  }
  if (la != lb || memcmp(ga, gb, la)) {
    if (padding_only(ga, la) && padding_only(gb, lb)) {
      for (size_t i = 0; i < na; i++)
        eq_ignore(p, FWVET_EQUIV_REFERENCE, wa[i].start,
                  wa[i].end - wa[i].start, FWVET_EQC_PADDING,
                  "padding outside the containers");
      for (size_t i = 0; i < nb; i++)
        eq_ignore(p, FWVET_EQUIV_CANDIDATE, wb[i].start,
                  wb[i].end - wb[i].start, FWVET_EQC_PADDING,
                  "padding outside the containers");
    } else {
      eq_section *S = eq_section_get(p, "(outside containers)", 0, r->len, 0,
                                     c->len);
      (void)S;
      eq_reason(p, "bytes outside the recognised containers differ");
      goto out;
    }
  }
  int stream = 0;
  for (size_t i = ri + 1, e = subtree_end(rs, ri); i < e && !stream; i++)
    stream = rs->items[i].parent == ri &&
             fwvet_node_kind(rs->items[i].node) == FWVET_KIND_FILE;
  char *d = stream
      ? eq_printf(p->owner, "%s stream: header (mtime, name, flags) and "
                  "compressed encoding; the decoded bytes were compared",
                  fwvet_node_type(r->node))
      : eq_printf(p->owner, "%s: headers, inode and directory tables, "
                  "compression, timestamps and entry order; every entry "
                  "was compared on its own", fwvet_node_type(r->node));
  if (eq_ignore(p, FWVET_EQUIV_REFERENCE, 0, r->len, FWVET_EQC_ARCHIVE, d))
    eq_ignore(p, FWVET_EQUIV_CANDIDATE, 0, c->len, FWVET_EQC_ARCHIVE, d);
out:
  free(wa);
  free(wb);
  free(ga);
  free(gb);
}

static const char *class_reason(unsigned cls) {
  switch (cls) {
  case FWVET_EQC_BUILD_ID: return "GNU build-id note differs";
  case FWVET_EQC_COMMENT: return ".comment (toolchain identification) differs";
  case FWVET_EQC_DEBUGLINK: return ".gnu_debuglink differs";
  case FWVET_EQC_DEBUG:
    return "debug sections differ or are absent on one side";
  case FWVET_EQC_SYMBOLS:
    return "symbol table differs or is stripped on one side";
  case FWVET_EQC_SECTION_HEADERS: return "section headers differ";
  case FWVET_EQC_PADDING: return "padding differs";
  case FWVET_EQC_TIMESTAMPS: return "embedded build timestamps differ";
  case FWVET_EQC_BUILD_PATHS: return "embedded build paths differ";
  case FWVET_EQC_ARCHIVE: return "container or compression metadata differs";
  case FWVET_EQC_MTIMES:
    return "modification times or owners of entries differ";
  case FWVET_EQC_OWNERS: return "owners of entries differ";
  case FWVET_EQC_MODULE_SIG: return "appended module signature differs";
  }
  return "?";
}

static void finish_pair(eq_pair *p) {
  if (p->differs) {
    p->pub.verdict = FWVET_EQUIV_DIFFERENT;
  } else if (p->pub.classes) {
    p->pub.verdict = FWVET_EQUIV_EQUIVALENT;
    for (unsigned b = 1; b & FWVET_EQC_ALL; b <<= 1)
      if (p->pub.classes & b)
        eq_reason(p, "%s (%s)", class_reason(b), fwvet_equiv_class_name(b));
  } else {
    p->pub.verdict = FWVET_EQUIV_IDENTICAL;
  }
}

static void mark_bad(eq_side *s, size_t i) {
  while (i != SIZE_MAX && !s->items[i].bad) {
    s->items[i].bad = 1;
    i = s->items[i].parent;
  }
}

static void count_meta(eq_side *s, size_t i) {
  size_t par = s->items[i].parent;
  if (par != SIZE_MAX)
    s->items[par].meta_diffs++;
}

/* Pair `ri` with `ci` (items), appending to the result. */
int eq_add_pair(fwvet_equiv *eq, eq_side *rs, size_t ri, eq_side *cs,
                size_t ci, int by_content) {
  eq_pair *p = eq_pair_new(eq);
  if (!p)
    return -1;
  rs->items[ri].pair = eq->npairs - 1;
  cs->items[ci].pair = eq->npairs - 1;
  p->pub.fspath = eq_strdup(eq, rs->items[ri].key);
  p->pub.ref = eq_item_node(&rs->items[ri]);
  p->pub.cand = eq_item_node(&cs->items[ci]);
  p->pub.by_content = by_content;
  if (!p->pub.fspath)
    return -1;
  if (by_content)
    eq_reason(p, "paired by content: '%s' in the candidate",
              cs->items[ci].key);
  return 0;
}

static int pair_by_key(fwvet_equiv *eq, eq_side *rs, eq_side *cs,
                       size_t **left_r, size_t *nlr, size_t **left_c,
                       size_t *nlc) {
  size_t na, nb;
  size_t *a = sorted(rs, &na), *b = sorted(cs, &nb);
  size_t *lr = calloc(na + 1, sizeof *lr), *lc = calloc(nb + 1, sizeof *lc);
  int ret = -1;
  if (!a || !b || !lr || !lc)
    goto out;
  size_t i = 0, k = 0;
  *nlr = *nlc = 0;
  while (i < na || k < nb) {
    int c = i == na ? 1 : k == nb ? -1
                      : strcmp(rs->items[a[i]].key, cs->items[b[k]].key);
    if (c == 0) {
      if (eq_add_pair(eq, rs, a[i++], cs, b[k++], 0))
        goto out;
    } else if (c < 0) {
      lr[(*nlr)++] = a[i++];
    } else {
      lc[(*nlc)++] = b[k++];
    }
  }
  *left_r = lr;
  *left_c = lc;
  lr = lc = NULL;
  ret = 0;
out:
  free(a);
  free(b);
  free(lr);
  free(lc);
  return ret;
}

static const eq_side *lvl_side;
static int lvl_cmp(const void *x, const void *y) {
  const size_t *a = x, *b = y;
  unsigned la = lvl_side->items[*a].level, lb = lvl_side->items[*b].level;
  return la > lb ? -1 : la < lb;
}

/* Judges every pair: leaves, then containers deepest first. */
static int judge_all(fwvet_equiv *eq, eq_side *rs, eq_side *cs) {
  size_t *conts = calloc(rs->n + 1, sizeof *conts), nc = 0;
  if (!conts)
    return -1;
  /* Map each pair to its candidate item. */
  size_t *cand_of = calloc(eq->npairs + 1, sizeof *cand_of);
  size_t *ref_of = calloc(eq->npairs + 1, sizeof *ref_of);
  if (!cand_of || !ref_of) {
    free(conts);
    free(cand_of);
    free(ref_of);
    return -1;
  }
  for (size_t k = 0; k < cs->n; k++)
    if (cs->items[k].pair != SIZE_MAX)
      cand_of[cs->items[k].pair] = k;
  for (size_t k = 0; k < rs->n; k++)
    if (rs->items[k].pair != SIZE_MAX)
      ref_of[rs->items[k].pair] = k;
  for (size_t pi = 0; pi < eq->npairs; pi++) {
    eq_pair *p = &eq->pairs[pi];
    size_t ri = ref_of[pi], ci = cand_of[pi];
    eq_item *r = &rs->items[ri], *c = &cs->items[ci];
    unsigned meta = 0;
    judge_metadata(p, r, c, &meta);
    if (meta) {
      count_meta(rs, ri);
      count_meta(cs, ci);
    }
    if (r->container && c->container) {
      conts[nc++] = ri;
      continue;
    }
    judge_bytes(p, r, c);
    finish_pair(p);
    if (p->pub.verdict == FWVET_EQUIV_DIFFERENT) {
      mark_bad(rs, ri);
      mark_bad(cs, ci);
    }
  }
  pthread_mutex_lock(&sort_lock);
  lvl_side = rs;
  qsort(conts, nc, sizeof *conts, lvl_cmp);
  pthread_mutex_unlock(&sort_lock);
  for (size_t i = 0; i < nc; i++) {
    size_t ri = conts[i], pi = rs->items[ri].pair, ci = cand_of[pi];
    eq_pair *p = &eq->pairs[pi];
    if (!p->differs)
      judge_container(p, rs, ri, cs, ci);
    finish_pair(p);
    if (p->pub.verdict == FWVET_EQUIV_DIFFERENT) {
      mark_bad(rs, ri);
      mark_bad(cs, ci);
    }
  }
  free(conts);
  free(cand_of);
  free(ref_of);
  return 0;
}

/* Lists what is on one side only: the topmost node of each missing
 * subtree (its contents are implied). */
static int list_only(fwvet_equiv *eq, eq_side *s, fwvet_equiv_side side,
                     const size_t *left, size_t n) {
  for (size_t i = 0; i < n; i++) {
    eq_item *it = &s->items[left[i]];
    if (it->pair != SIZE_MAX)
      continue;
    mark_bad(s, left[i]);
    size_t par = it->parent;
    if (par != SIZE_MAX && s->items[par].pair == SIZE_MAX &&
        !s->items[par].skip)
      continue;
    fwvet_equiv_node node = eq_item_node(it);
    const char *key = eq_strdup(eq, it->key);
    if (!key || eq_only_add(eq, side, &node, key))
      return -1;
  }
  return 0;
}

fwvet_status fwvet_equiv_compare(const char *ref, const char *cand,
                                 const fwvet_equiv_options *opt,
                                 fwvet_equiv **out,
                                 fwvet_equiv_side *failed_side) {
  fwvet_equiv_options defaults;
  if (!opt) {
    fwvet_equiv_options_init(&defaults);
    opt = &defaults;
  }
  if (!ref || !cand || !out)
    return FWVET_EINVAL;
  fwvet_status st = FWVET_ENOMEM;
  eq_side rs, cs;
  memset(&rs, 0, sizeof rs);
  memset(&cs, 0, sizeof cs);
  size_t *lr = NULL, *lc = NULL, nlr = 0, nlc = 0;
  fwvet_equiv *eq = calloc(1, sizeof *eq);
  if (!eq)
    return FWVET_ENOMEM;
  eq->strict = opt->strict & FWVET_EQC_ALL;
  if ((st = eq_side_open(&rs, ref, opt))) {
    if (failed_side)
      *failed_side = FWVET_EQUIV_REFERENCE;
    goto out;
  }
  if ((st = eq_side_open(&cs, cand, opt))) {
    if (failed_side)
      *failed_side = FWVET_EQUIV_CANDIDATE;
    goto out;
  }
  st = FWVET_ENOMEM;
  if (eq_side_index(&rs) || eq_side_index(&cs))
    goto out;
  /* An image's outer layers (the image file, a compression wrapper) have
   * no counterpart in a directory: then only what is inside is compared. */
  int rdir = rs.n && fwvet_node_kind(rs.items[0].node) == FWVET_KIND_DIR;
  int cdir = cs.n && fwvet_node_kind(cs.items[0].node) == FWVET_KIND_DIR;
  if (!(rdir ^ cdir)) {
    for (size_t i = 0; i < rs.n; i++)
      rs.items[i].skip = 0;
    for (size_t i = 0; i < cs.n; i++)
      cs.items[i].skip = 0;
  }
  if (pair_by_key(eq, &rs, &cs, &lr, &nlr, &lc, &nlc) ||
      eq_pair_by_content(eq, &rs, &cs, lr, nlr, lc, nlc) ||
      list_only(eq, &rs, FWVET_EQUIV_REFERENCE, lr, nlr) ||
      list_only(eq, &cs, FWVET_EQUIV_CANDIDATE, lc, nlc) ||
      judge_all(eq, &rs, &cs))
    goto out;
  if (rdir ^ cdir) {
    /* Say what was left out, on the pair of the filesystem roots. */
    eq_side *img = rdir ? &cs : &rs;
    for (size_t i = 0; i < eq->npairs; i++) {
      if (strcmp(eq->pairs[i].pub.fspath, "/"))
        continue;
      for (size_t k = 0; k < img->n; k++)
        if (img->items[k].skip)
          eq_reason(&eq->pairs[i], "outer layer of the %s not compared "
                    "(the other input is a directory): %s",
                    rdir ? "candidate" : "reference",
                    fwvet_node_path(img->items[k].node));
      break;
    }
  }
  eq_finish(eq);
  eq->vfs[0] = rs.vfs;
  eq->vfs[1] = cs.vfs;
  rs.vfs = cs.vfs = NULL;
  *out = eq;
  eq = NULL;
  st = FWVET_OK;
out:
  free(lr);
  free(lc);
  fwvet_vfs_destroy(rs.vfs);
  fwvet_vfs_destroy(cs.vfs);
  eq_side_release(&rs);
  eq_side_release(&cs);
  fwvet_equiv_destroy(eq);
  return st;
}
