/* JSON building blocks: nodes, findings, tool and input objects. */
#include "report/json_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwvet/fwvet.h"

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s) {
  unsigned char c = s[0];
  size_t n;
  uint32_t cp;
  if (c < 0x80)
    return 1;
  if ((c & 0xe0) == 0xc0)
    n = 2, cp = c & 0x1f;
  else if ((c & 0xf0) == 0xe0)
    n = 3, cp = c & 0x0f;
  else if ((c & 0xf8) == 0xf0)
    n = 4, cp = c & 0x07;
  else
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

json_t *fwvet_json_str(const char *s) {
  if (!s)
    return json_null();
  const unsigned char *p = (const unsigned char *)s;
  size_t len = strlen(s), bad = 0;
  for (size_t i = 0; i < len;) {
    size_t n = utf8_len(p + i);
    if (!n) {
      bad++;
      i++;
    } else {
      i += n;
    }
  }
  if (!bad)
    return json_stringn(s, len);
  char *out = malloc(len + 3 * bad + 1);
  if (!out)
    return NULL;
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    size_t n = utf8_len(p + i);
    if (!n) {
      snprintf(out + o, 5, "\\x%02x", p[i]);
      o += 4;
      i++;
    } else {
      memcpy(out + o, p + i, n);
      o += n;
      i += n;
    }
  }
  json_t *j = json_stringn(out, o);
  free(out);
  return j;
}

int fwvet_json_push(json_t *arr, json_t *obj) {
  if (!obj)
    return -1;
  return json_array_append_new(arr, obj);
}

int fwvet_json_set(json_t *o, const char *key, json_t *v) {
  if (!v)
    return -1;
  return json_object_set_new(o, key, v);
}

json_t *fwvet_json_node(const fwvet_node *n) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  int bad = 0;
  bad |= fwvet_json_set(o, "path", fwvet_json_str(fwvet_node_path(n)));
  bad |= fwvet_json_set(o, "fspath", fwvet_json_str(fwvet_node_fspath(n)));
  bad |= fwvet_json_set(o, "kind",
                        json_string(fwvet_kind_name(fwvet_node_kind(n))));
  bad |= fwvet_json_set(o, "type", json_string(fwvet_node_type(n)));
  bad |= fwvet_json_set(o, "size", json_integer((json_int_t)fwvet_node_size(n)));
  bad |= fwvet_json_set(o, "mode", json_integer(fwvet_node_mode(n)));
  bad |= fwvet_json_set(o, "uid", json_integer(fwvet_node_uid(n)));
  bad |= fwvet_json_set(o, "gid", json_integer(fwvet_node_gid(n)));
  bad |= fwvet_json_set(o, "mtime", json_integer(fwvet_node_mtime(n)));
  bad |= fwvet_json_set(o, "link", fwvet_json_str(fwvet_node_link(n)));
  bad |= fwvet_json_set(o, "sha256", fwvet_json_str(fwvet_node_sha256(n)));
  bad |= fwvet_json_set(o, "offset",
                        json_integer((json_int_t)fwvet_node_offset(n)));
  bad |= fwvet_json_set(o, "depth", json_integer(fwvet_node_depth(n)));
  fwvet_kind k = fwvet_node_kind(n);
  if (k == FWVET_KIND_CHARDEV || k == FWVET_KIND_BLOCKDEV)
    bad |= fwvet_json_set(o, "device",
                          json_pack("{s:I,s:I}", "major",
                                    (json_int_t)fwvet_node_dev_major(n),
                                    "minor",
                                    (json_int_t)fwvet_node_dev_minor(n)));
  if (fwvet_node_info(n))
    bad |= fwvet_json_set(o, "info", fwvet_json_str(fwvet_node_info(n)));
  json_t *flags = json_array();
  unsigned f = fwvet_node_flags(n);
  if (f & FWVET_NODE_TRUNCATED)
    bad |= fwvet_json_push(flags, json_string("truncated"));
  if (f & FWVET_NODE_UNSAFE_NAME)
    bad |= fwvet_json_push(flags, json_string("unsafe-name"));
  if (f & FWVET_NODE_HAS_CHILDREN)
    bad |= fwvet_json_push(flags, json_string("has-children"));
  if (f & FWVET_NODE_HARDLINK)
    bad |= fwvet_json_push(flags, json_string("hardlink"));
  if (f & FWVET_NODE_DUPLICATE)
    bad |= fwvet_json_push(flags, json_string("duplicate"));
  bad |= fwvet_json_set(o, "flags", flags);
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

json_t *fwvet_json_finding(const fwvet_finding *f) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  int bad = 0;
  bad |= fwvet_json_set(o, "rule", json_string(f->rule));
  bad |= fwvet_json_set(o, "severity",
                        json_string(fwvet_severity_name(f->severity)));
  bad |= fwvet_json_set(o, "path", fwvet_json_str(f->path));
  bad |= fwvet_json_set(o, "fspath", fwvet_json_str(f->fspath));
  if (f->line)
    bad |= fwvet_json_set(o, "line", json_integer(f->line));
  if (f->offset != FWVET_NO_OFFSET)
    bad |= fwvet_json_set(o, "offset", json_integer((json_int_t)f->offset));
  bad |= fwvet_json_set(o, "message", fwvet_json_str(f->message));
  if (f->evidence)
    bad |= fwvet_json_set(o, "evidence", fwvet_json_str(f->evidence));
  bad |= fwvet_json_set(o, "fingerprint", json_string(f->fingerprint));
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

json_t *fwvet_json_elf(const fwvet_elf_info *e) {
  json_t *imports = json_array();
  for (size_t i = 0; imports && i < e->nimports; i++)
    if (fwvet_json_push(imports, fwvet_json_str(e->imports[i]))) {
      json_decref(imports);
      return NULL;
    }
  return json_pack(
      "{s:o,s:s,s:s,s:o,s:b,s:b,s:b,s:b,s:b,s:s,s:b,s:i,s:i,s:o,s:o,s:o*}",
      "machine", fwvet_json_str(e->machine), "class",
      e->bits == 64 ? "ELF64" : "ELF32", "endian",
      e->big_endian ? "big" : "little", "type", fwvet_json_str(e->elf_type),
      "static", e->is_static, "stripped", e->stripped, "gnu_stack",
      e->has_gnu_stack, "nx", e->nx, "pie", e->pie, "relro",
      fwvet_relro_name(e->relro), "canary", e->canary, "fortified",
      (int)e->fortified, "fortifiable", (int)e->fortifiable, "rpath",
      fwvet_json_str(e->rpath), "runpath", fwvet_json_str(e->runpath),
      "imports", imports);
}

json_t *fwvet_json_tool(void) {
  return json_pack("{s:s,s:s}", "name", "fwvet", "version", fwvet_version());
}

json_t *fwvet_json_input(const fwvet_vfs *vfs) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  if (fwvet_json_set(o, "path", fwvet_json_str(fwvet_vfs_input_path(vfs))) ||
      fwvet_json_set(o, "size",
                     json_integer((json_int_t)fwvet_vfs_input_size(vfs))) ||
      fwvet_json_set(o, "sha256",
                     *fwvet_vfs_input_sha256(vfs)
                         ? json_string(fwvet_vfs_input_sha256(vfs))
                         : json_null())) {
    json_decref(o);
    return NULL;
  }
  return o;
}

fwvet_status fwvet_json_write(json_t *root, FILE *out) {
  if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                           JSON_REAL_PRECISION(10)) != 0 ||
      fputc('\n', out) == EOF)
    return FWVET_EIO;
  return FWVET_OK;
}
