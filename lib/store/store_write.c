/* Writing one evaluation into the store (inside the caller's
 * transaction). */
#include <string.h>

#include "fwvet/fwvet.h"
#include "store/eval_int.h"
#include "store/store_int.h"

/* Binds a string or NULL. */
static void bind_str(sqlite3_stmt *s, int i, const char *v) {
  if (v)
    sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(s, i);
}

/* Steps a bound insert and readies it for the next row. */
static int step_reset(sqlite3_stmt *s) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return rc == SQLITE_DONE ? 0 : -1;
}

static int insert_eval(sqlite3 *db, const fwvet_eval *ev, int64_t product,
                       const char *release, int64_t *id) {
  sqlite3_stmt *s = NULL;
  int bad = -1;
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO evaluations(product_id, release,"
                         " input_path, input_size, input_sha256,"
                         " tool_version, created) VALUES (?1, ?2, ?3, ?4,"
                         " ?5, ?6, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                         -1, &s, NULL))
    goto out;
  const fwvet_eval_info *in = &ev->info;
  sqlite3_bind_int64(s, 1, product);
  bind_str(s, 2, release);
  bind_str(s, 3, in->input_path ? in->input_path : "");
  sqlite3_bind_int64(s, 4, (sqlite3_int64)in->input_size);
  bind_str(s, 5, in->input_sha256 ? in->input_sha256 : "");
  bind_str(s, 6, in->tool_version ? in->tool_version : fwvet_version());
  if (sqlite3_step(s) != SQLITE_DONE)
    goto out;
  *id = sqlite3_last_insert_rowid(db);
  bad = 0;
out:
  sqlite3_finalize(s);
  return bad;
}

static int insert_files(sqlite3 *db, const fwvet_eval *ev, int64_t id) {
  sqlite3_stmt *s = NULL;
  int bad = -1;
  if (sqlite3_prepare_v2(db, "INSERT INTO files VALUES (?1, ?2, ?3, ?4, ?5,"
                             " ?6, ?7)", -1, &s, NULL))
    goto out;
  for (size_t i = 0; i < ev->nfiles; i++) {
    const fwvet_eval_file *f = &ev->files[i];
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
    bind_str(s, 3, f->path);
    bind_str(s, 4, f->fspath);
    bind_str(s, 5, f->type);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)f->size);
    bind_str(s, 7, f->sha256);
    if (step_reset(s))
      goto out;
  }
  bad = 0;
out:
  sqlite3_finalize(s);
  return bad;
}

static int insert_findings(sqlite3 *db, const fwvet_eval *ev, int64_t id) {
  sqlite3_stmt *s = NULL;
  int bad = -1;
  if (sqlite3_prepare_v2(db, "INSERT INTO findings VALUES (?1, ?2, ?3, ?4,"
                             " ?5, ?6, ?7, ?8, ?9, ?10, ?11)", -1, &s, NULL))
    goto out;
  for (size_t i = 0; i < ev->nfindings; i++) {
    const fwvet_finding *f = &ev->findings[i];
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
    bind_str(s, 3, f->rule);
    bind_str(s, 4, fwvet_severity_name(f->severity));
    bind_str(s, 5, f->path);
    bind_str(s, 6, f->fspath);
    if (f->line)
      sqlite3_bind_int64(s, 7, f->line);
    /* Offsets are below 2^63 (file sizes); the marker is stored NULL. */
    if (f->offset != FWVET_NO_OFFSET)
      sqlite3_bind_int64(s, 8, (sqlite3_int64)f->offset);
    bind_str(s, 9, f->message);
    bind_str(s, 10, f->evidence);
    bind_str(s, 11, f->fingerprint);
    if (step_reset(s))
      goto out;
  }
  bad = 0;
out:
  sqlite3_finalize(s);
  return bad;
}

/* Index of the component a vulnerability belongs to. */
static size_t component_of(const fwvet_eval *ev, const fwvet_eval_vuln *v) {
  for (size_t k = 0; k < ev->ncomponents; k++)
    if (ev->components[k].name == v->component &&
        ev->components[k].version == v->version)
      return k;
  return SIZE_MAX;
}

static int insert_components(sqlite3 *db, const fwvet_eval *ev,
                             int64_t id) {
  sqlite3_stmt *c = NULL, *v = NULL;
  int bad = -1;
  if (sqlite3_prepare_v2(db, "INSERT INTO components VALUES (?1, ?2, ?3,"
                             " ?4, ?5, ?6, ?7, ?8)", -1, &c, NULL) ||
      sqlite3_prepare_v2(db, "INSERT INTO vulnerabilities VALUES (?1, ?2,"
                             " ?3, ?4, ?5, ?6, ?7, ?8)", -1, &v, NULL))
    goto out;
  for (size_t i = 0; i < ev->ncomponents; i++) {
    const fwvet_eval_component *x = &ev->components[i];
    sqlite3_bind_int64(c, 1, id);
    sqlite3_bind_int64(c, 2, (sqlite3_int64)i);
    bind_str(c, 3, x->name);
    bind_str(c, 4, x->version);
    bind_str(c, 5, x->cpe);
    bind_str(c, 6, x->purl);
    bind_str(c, 7, x->confidence);
    sqlite3_bind_int64(c, 8, x->copies);
    if (step_reset(c))
      goto out;
  }
  for (size_t i = 0; i < ev->nvulns; i++) {
    const fwvet_eval_vuln *x = &ev->vulns[i];
    size_t k = component_of(ev, x);
    if (k == SIZE_MAX)
      goto out;
    sqlite3_bind_int64(v, 1, id);
    sqlite3_bind_int64(v, 2, (sqlite3_int64)i);
    bind_str(v, 3, x->id);
    sqlite3_bind_int64(v, 4, (sqlite3_int64)k);
    bind_str(v, 5, x->severity);
    sqlite3_bind_double(v, 6, x->cvss);
    bind_str(v, 7, x->source);
    bind_str(v, 8, x->match);
    if (step_reset(v))
      goto out;
  }
  bad = 0;
out:
  sqlite3_finalize(c);
  sqlite3_finalize(v);
  return bad;
}

static int insert_hardening(sqlite3 *db, const fwvet_eval *ev, int64_t id) {
  sqlite3_stmt *s = NULL;
  int bad = -1;
  if (sqlite3_prepare_v2(db, "INSERT INTO hardening VALUES (?1, ?2, ?3, ?4,"
                             " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", -1,
                         &s, NULL))
    goto out;
  /* Both lists are in path order and every ELF record is a file's. */
  size_t f = 0;
  for (size_t i = 0; i < ev->nelfs; i++) {
    const fwvet_eval_elf *e = &ev->elfs[i];
    while (f < ev->nfiles && ev->files[f].path != e->path)
      f++;
    if (f == ev->nfiles)
      goto out;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)f);
    bind_str(s, 4, e->machine);
    sqlite3_bind_int64(s, 5, e->bits);
    sqlite3_bind_int(s, 6, e->is_static);
    sqlite3_bind_int(s, 7, e->stripped);
    sqlite3_bind_int(s, 8, e->nx);
    sqlite3_bind_int(s, 9, e->pie);
    sqlite3_bind_int(s, 10, e->canary);
    bind_str(s, 11, fwvet_relro_name(e->relro));
    sqlite3_bind_int64(s, 12, e->fortified);
    sqlite3_bind_int64(s, 13, e->fortifiable);
    if (step_reset(s))
      goto out;
  }
  bad = 0;
out:
  sqlite3_finalize(s);
  return bad;
}

static int insert_rows(sqlite3_stmt *s, int64_t id, const fwvet_eng_row *r,
                       size_t n, int calls, size_t *seq) {
  for (size_t i = 0; i < n; i++) {
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)(*seq)++);
    sqlite3_bind_int(s, 3, calls);
    bind_str(s, 4, r[i].family);
    bind_str(s, 5, r[i].method);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)r[i].safe_variants);
    sqlite3_bind_int64(s, 7, (sqlite3_int64)r[i].safe_calls);
    sqlite3_bind_int64(s, 8, (sqlite3_int64)r[i].unsafe_variants);
    sqlite3_bind_int64(s, 9, (sqlite3_int64)r[i].unsafe_calls);
    sqlite3_bind_double(s, 10, r[i].unsafe_percent);
    if (step_reset(s))
      return -1;
  }
  return 0;
}

static int insert_engineering(sqlite3 *db, const fwvet_eval *ev,
                              int64_t id) {
  sqlite3_stmt *s = NULL;
  size_t seq = 0;
  int bad = -1;
  if (sqlite3_prepare_v2(db, "INSERT INTO engineering VALUES (?1, ?2, ?3,"
                             " ?4, ?5, ?6, ?7, ?8, ?9, ?10)", -1, &s, NULL))
    goto out;
  if (insert_rows(s, id, ev->eng, ev->neng, 0, &seq) ||
      insert_rows(s, id, ev->calls, ev->ncalls, 1, &seq))
    goto out;
  bad = 0;
out:
  sqlite3_finalize(s);
  return bad;
}

fwvet_status store_write_eval(sqlite3 *db, const fwvet_eval *ev,
                              int64_t product_id, const char *release,
                              int64_t *id) {
  int64_t eid = 0;
  if (insert_eval(db, ev, product_id, release, &eid) ||
      insert_files(db, ev, eid) || insert_findings(db, ev, eid) ||
      insert_components(db, ev, eid) || insert_hardening(db, ev, eid) ||
      insert_engineering(db, ev, eid))
    return FWVET_EIO;
  *id = eid;
  return FWVET_OK;
}
