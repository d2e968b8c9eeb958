/* The ls and scan reports, in text and JSON. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fwvet/fwvet.h"
#include "report/json_util.h"

int fwvet_report_format_parse(const char *name) {
  if (!strcmp(name, "text"))
    return FWVET_REPORT_TEXT;
  if (!strcmp(name, "json"))
    return FWVET_REPORT_JSON;
  if (!strcmp(name, "cyclonedx"))
    return FWVET_REPORT_CYCLONEDX;
  if (!strcmp(name, "sarif"))
    return FWVET_REPORT_SARIF;
  if (!strcmp(name, "html"))
    return FWVET_REPORT_HTML;
  return -1;
}

/* Findings come from a vfs (ls) or a scan (scan). */
typedef struct finding_src {
  const fwvet_vfs *vfs;
  const fwvet_scan *scan;
} finding_src;

static size_t src_count(finding_src s) {
  return s.scan ? fwvet_scan_finding_count(s.scan)
                : fwvet_vfs_finding_count(s.vfs);
}

static const fwvet_finding *src_at(finding_src s, size_t i) {
  return s.scan ? fwvet_scan_finding(s.scan, i) : fwvet_vfs_finding(s.vfs, i);
}

/* Writes `s` with control bytes escaped so one node stays on one line. */
static void put_escaped(FILE *out, const char *s) {
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x20 || c == 0x7f)
      fprintf(out, "\\x%02x", c);
    else
      fputc(c, out);
  }
}

static void mode_string(const fwvet_node *n, char out[11]) {
  static const char kinds[] = "-dlcbps?";
  fwvet_kind k = fwvet_node_kind(n);
  uint32_t m = fwvet_node_mode(n);
  out[0] = k == FWVET_KIND_CONTAINER ? 'C' : kinds[k];
  const char *rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; i++)
    out[1 + i] = (m & (0400u >> i)) ? rwx[i] : '-';
  if (m & S_ISUID)
    out[3] = (m & 0100) ? 's' : 'S';
  if (m & S_ISGID)
    out[6] = (m & 0010) ? 's' : 'S';
  if (m & S_ISVTX)
    out[9] = (m & 0001) ? 't' : 'T';
  out[10] = '\0';
}

/* `scan` may be NULL (ls): then there are no per-file analyser facts. */
static json_t *json_files(const fwvet_vfs *vfs, const fwvet_scan *scan) {
  json_t *files = json_array();
  for (size_t i = 0; files && i < fwvet_vfs_count(vfs); i++) {
    const fwvet_node *n = fwvet_vfs_node(vfs, i);
    json_t *o = fwvet_json_node(n);
    const fwvet_elf_info *e = scan ? fwvet_scan_elf(scan, n) : NULL;
    if ((e && fwvet_json_set(o, "elf", fwvet_json_elf(e))) ||
        fwvet_json_push(files, o)) {
      json_decref(files);
      return NULL;
    }
  }
  return files;
}

static json_t *json_findings(finding_src src, fwvet_severity min) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < src_count(src); i++) {
    const fwvet_finding *f = src_at(src, i);
    if (f->severity >= min && fwvet_json_push(arr, fwvet_json_finding(f))) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

static void text_findings(finding_src src, fwvet_severity min, int color,
                          FILE *out) {
  static const char *const colors[] = {"", "\033[36m", "\033[33m",
                                       "\033[31m", "\033[1;31m"};
  for (size_t i = 0; i < src_count(src); i++) {
    const fwvet_finding *f = src_at(src, i);
    if (f->severity < min)
      continue;
    fprintf(out, "%s%-8s%s %s  ", color ? colors[f->severity] : "",
            fwvet_severity_name(f->severity), color ? "\033[0m" : "",
            f->rule);
    put_escaped(out, f->path);
    if (f->offset != FWVET_NO_OFFSET)
      fprintf(out, " @0x%llx", (unsigned long long)f->offset);
    if (f->line)
      fprintf(out, ":%u", f->line);
    fputs("\n         ", out);
    put_escaped(out, f->message);
    fputc('\n', out);
  }
}

fwvet_status fwvet_report_ls(const fwvet_vfs *vfs,
                             const fwvet_report_options *opt, FILE *out) {
  if (opt->format == FWVET_REPORT_JSON) {
    json_t *root = json_object();
    fwvet_status st = FWVET_ENOMEM;
    if (root && !fwvet_json_set(root, "tool", fwvet_json_tool()) &&
        !fwvet_json_set(root, "input", fwvet_json_input(vfs)) &&
        !fwvet_json_set(root, "files", json_files(vfs, NULL)) &&
        !fwvet_json_set(root, "findings",
                        json_findings((finding_src){vfs, NULL}, 0)))
      st = fwvet_json_write(root, out);
    json_decref(root);
    return st;
  }
  for (size_t i = 0; i < fwvet_vfs_count(vfs); i++) {
    const fwvet_node *n = fwvet_vfs_node(vfs, i);
    char mode[11];
    mode_string(n, mode);
    fprintf(out, "%s %12llu %-10s ", mode,
            (unsigned long long)fwvet_node_size(n), fwvet_node_type(n));
    put_escaped(out, fwvet_node_path(n));
    if (fwvet_node_link(n)) {
      fputs(" -> ", out);
      put_escaped(out, fwvet_node_link(n));
    }
    fputc('\n', out);
  }
  if (fwvet_vfs_finding_count(vfs)) {
    fputs("\nfindings while unpacking:\n", out);
    text_findings((finding_src){vfs, NULL}, 0, opt->color, out);
  }
  return ferror(out) ? FWVET_EIO : FWVET_OK;
}

typedef struct counts {
  size_t kinds[8];
  uint64_t bytes;
  size_t sev[5];
} counts;

static void count(const fwvet_scan *scan, counts *c) {
  const fwvet_vfs *vfs = fwvet_scan_vfs(scan);
  memset(c, 0, sizeof *c);
  for (size_t i = 0; i < fwvet_vfs_count(vfs); i++) {
    const fwvet_node *n = fwvet_vfs_node(vfs, i);
    c->kinds[fwvet_node_kind(n)]++;
    if (fwvet_node_kind(n) == FWVET_KIND_FILE)
      c->bytes += fwvet_node_size(n);
  }
  for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++)
    c->sev[fwvet_scan_finding(scan, i)->severity]++;
}

static json_t *json_summary(const counts *c) {
  json_t *sev = json_object();
  for (int s = FWVET_SEV_CRITICAL; sev && s >= FWVET_SEV_INFO; s--)
    json_object_set_new(sev, fwvet_severity_name(s),
                        json_integer((json_int_t)c->sev[s]));
  json_t *kinds = json_object();
  for (int k = 0; kinds && k < 8; k++)
    json_object_set_new(kinds, fwvet_kind_name(k),
                        json_integer((json_int_t)c->kinds[k]));
  return json_pack("{s:o*,s:o*,s:I}", "findings", sev, "nodes", kinds,
                   "file_bytes", (json_int_t)c->bytes);
}

/* The summary, and which vulnerability database was used (null: none,
 * so "no vulnerabilities" means "not looked up"). */
static json_t *json_scan_summary(const fwvet_scan *scan, const counts *c) {
  json_t *o = json_summary(c);
  if (o)
    json_object_set_new(o, "vulndb", fwvet_json_str(fwvet_scan_vulndb(scan)));
  return o;
}

static fwvet_status scan_json(const fwvet_scan *scan,
                              const fwvet_report_options *opt, FILE *out) {
  const fwvet_vfs *vfs = fwvet_scan_vfs(scan);
  counts c;
  count(scan, &c);
  size_t nrows;
  const fwvet_eng_row *rows = fwvet_scan_engineering(scan, &nrows);
  size_t ncrows;
  const fwvet_eng_row *crows = fwvet_scan_engineering_calls(scan, &ncrows);
  json_t *root = json_object();
  fwvet_status st = FWVET_ENOMEM;
  if (root && !fwvet_json_set(root, "tool", fwvet_json_tool()) &&
      !fwvet_json_set(root, "input", fwvet_json_input(vfs)) &&
      !fwvet_json_set(root, "files", json_files(vfs, scan)) &&
      !fwvet_json_set(root, "components", fwvet_json_components(scan)) &&
      !fwvet_json_set(root, "census", fwvet_json_census(scan)) &&
      !fwvet_json_set(root, "vulnerabilities",
                      fwvet_json_vulnerabilities(scan)) &&
      !fwvet_json_set(root, "findings",
                      json_findings((finding_src){NULL, scan},
                                    opt->min_severity)) &&
      !fwvet_json_set(root, "engineering",
                      json_pack("{s:o*,s:o*}", "families",
                                fwvet_json_eng_table(rows, nrows),
                                "call_sites",
                                fwvet_json_eng_table(crows, ncrows))) &&
      !fwvet_json_set(root, "summary", json_scan_summary(scan, &c)))
    st = fwvet_json_write(root, out);
  json_decref(root);
  return st;
}

fwvet_status fwvet_report_scan(const fwvet_scan *scan,
                               const fwvet_report_options *opt, FILE *out) {
  if (opt->format == FWVET_REPORT_JSON)
    return scan_json(scan, opt, out);
  if (opt->format == FWVET_REPORT_CYCLONEDX)
    return fwvet_report_cyclonedx(scan, out);
  if (opt->format == FWVET_REPORT_SARIF)
    return fwvet_report_sarif(scan, opt, out);
  if (opt->format == FWVET_REPORT_HTML)
    return fwvet_report_html(scan, opt, out);
  const fwvet_vfs *vfs = fwvet_scan_vfs(scan);
  counts c;
  count(scan, &c);
  fputs("input    ", out);
  put_escaped(out, fwvet_vfs_input_path(vfs));
  fprintf(out, "\nsize     %llu bytes\nsha256   %s\n",
          (unsigned long long)fwvet_vfs_input_size(vfs),
          *fwvet_vfs_input_sha256(vfs) ? fwvet_vfs_input_sha256(vfs) : "-");
  fprintf(out,
          "unpacked %zu files (%llu bytes), %zu directories, %zu symlinks, "
          "%zu devices/fifos/sockets, %zu containers\n",
          c.kinds[FWVET_KIND_FILE], (unsigned long long)c.bytes,
          c.kinds[FWVET_KIND_DIR], c.kinds[FWVET_KIND_SYMLINK],
          c.kinds[FWVET_KIND_CHARDEV] + c.kinds[FWVET_KIND_BLOCKDEV] +
              c.kinds[FWVET_KIND_FIFO] + c.kinds[FWVET_KIND_SOCKET],
          c.kinds[FWVET_KIND_CONTAINER]);
  fprintf(out, "findings %zu critical, %zu high, %zu medium, %zu low, "
               "%zu info\n",
          c.sev[4], c.sev[3], c.sev[2], c.sev[1], c.sev[0]);
  fwvet_text_summary(scan, opt->color, out);
  fputs("\n-- details --\n", out);
  fwvet_text_components(scan, out);
  size_t nrows;
  const fwvet_eng_row *rows = fwvet_scan_engineering(scan, &nrows);
  fputs("\nengineering (binaries importing each family's functions):\n",
        out);
  fwvet_text_eng_table(rows, nrows, out);
  rows = fwvet_scan_engineering_calls(scan, &nrows);
  fputs("\nengineering (direct calls in x86-64 and AArch64 binaries):\n",
        out);
  fwvet_text_eng_table(rows, nrows, out);

  fputs("\ncontainers and streams:\n", out);
  for (size_t i = 0; i < fwvet_vfs_count(vfs); i++) {
    const fwvet_node *n = fwvet_vfs_node(vfs, i);
    int stream = fwvet_node_kind(n) == FWVET_KIND_FILE &&
                 !*fwvet_node_fspath(n) && fwvet_node_parent(n);
    if (fwvet_node_kind(n) != FWVET_KIND_CONTAINER && !stream)
      continue;
    fprintf(out, "  %-10s %12llu  ", fwvet_node_type(n),
            (unsigned long long)fwvet_node_size(n));
    put_escaped(out, fwvet_node_path(n));
    if (fwvet_node_info(n)) {
      fputs("\n             ", out);
      put_escaped(out, fwvet_node_info(n));
    }
    fputc('\n', out);
  }
  fputs("\nfindings:\n", out);
  if (fwvet_scan_findings_at_least(scan, opt->min_severity) == 0)
    fputs("  none\n", out);
  text_findings((finding_src){NULL, scan}, opt->min_severity, opt->color,
                out);
  return ferror(out) ? FWVET_EIO : FWVET_OK;
}
