/* Loading one evaluation from the store into the evaluation model, in
 * the same order and with the same values a scan gives. */
#include <string.h>

#include "fwvet/fwvet.h"
#include "store/eval_int.h"
#include "store/store_int.h"

#define GROW(ev, field, n, cap) \
  eval_grow((void **)&(ev)->field, &(ev)->n, &(ev)->cap, sizeof *(ev)->field)

/* A text column copied into `ev`; NULL stays NULL. */
static const char *col(fwvet_eval *ev, sqlite3_stmt *q, int i, int *bad) {
  return eval_strdup(ev, (const char *)sqlite3_column_text(q, i), bad);
}

/* The same for a column the model never leaves NULL: a store from
 * elsewhere may not have the schema's NOT NULL constraints. */
static const char *col_req(fwvet_eval *ev, sqlite3_stmt *q, int i,
                           int *bad) {
  const char *t = (const char *)sqlite3_column_text(q, i);
  return eval_strdup(ev, t ? t : "", bad);
}

static uint64_t col_u64(sqlite3_stmt *q, int i) {
  return (uint64_t)sqlite3_column_int64(q, i);
}

/* Prepares `sql` with ?1 bound to the evaluation id. */
static sqlite3_stmt *query(sqlite3 *db, const char *sql, int64_t id) {
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &q, NULL))
    return NULL;
  sqlite3_bind_int64(q, 1, id);
  return q;
}

static fwvet_status read_info(sqlite3 *db, fwvet_eval *ev, int64_t id) {
  sqlite3_stmt *q = query(db,
                          "SELECT p.name, e.release, e.input_path,"
                          " e.input_size, e.input_sha256, e.tool_version,"
                          " e.created FROM evaluations e JOIN products p"
                          " ON p.id = e.product_id WHERE e.id = ?1", id);
  fwvet_status st = FWVET_EIO;
  int bad = 0, rc = SQLITE_ERROR;
  if (!q)
    return st;
  if ((rc = sqlite3_step(q)) != SQLITE_ROW) {
    st = rc == SQLITE_DONE ? FWVET_ENOTFOUND : FWVET_EIO;
    goto out;
  }
  ev->info.id = id;
  ev->info.product = col_req(ev, q, 0, &bad);
  ev->info.release = col_req(ev, q, 1, &bad);
  ev->info.input_path = col_req(ev, q, 2, &bad);
  ev->info.input_size = col_u64(q, 3);
  ev->info.input_sha256 = col_req(ev, q, 4, &bad);
  ev->info.tool_version = col_req(ev, q, 5, &bad);
  ev->info.created = col_req(ev, q, 6, &bad);
  st = bad ? FWVET_ENOMEM : FWVET_OK;
out:
  sqlite3_finalize(q);
  return st;
}

static fwvet_status read_files(sqlite3 *db, fwvet_eval *ev, int64_t id) {
  sqlite3_stmt *q = query(db, "SELECT path, fspath, type, size, sha256 FROM"
                              " files WHERE eval_id = ?1 ORDER BY seq", id);
  fwvet_status st = FWVET_EIO;
  int bad = 0, rc = SQLITE_ERROR;
  if (!q)
    return st;
  while (!bad && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    fwvet_eval_file *f = GROW(ev, files, nfiles, capfiles);
    if (!f) {
      bad = 1;
      break;
    }
    f->path = col_req(ev, q, 0, &bad);
    f->fspath = col_req(ev, q, 1, &bad);
    f->type = col_req(ev, q, 2, &bad);
    f->size = col_u64(q, 3);
    f->sha256 = col(ev, q, 4, &bad);
  }
  st = bad ? FWVET_ENOMEM : rc == SQLITE_DONE ? FWVET_OK : FWVET_EIO;
  sqlite3_finalize(q);
  return st;
}

static fwvet_status read_findings(sqlite3 *db, fwvet_eval *ev, int64_t id) {
  sqlite3_stmt *q = query(db, "SELECT rule, severity, path, fspath, line,"
                              " offset, message, evidence, fingerprint FROM"
                              " findings WHERE eval_id = ?1 ORDER BY seq", id);
  fwvet_status st = FWVET_EIO;
  int bad = 0, rc = SQLITE_ERROR;
  if (!q)
    return st;
  while (!bad && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    fwvet_finding *f = GROW(ev, findings, nfindings, capfindings);
    if (!f) {
      bad = 1;
      break;
    }
    int sev = fwvet_severity_parse((const char *)sqlite3_column_text(q, 1)
                                       ? (const char *)sqlite3_column_text(q, 1)
                                       : "");
    f->rule = col_req(ev, q, 0, &bad);
    f->severity = sev < 0 ? FWVET_SEV_INFO : (fwvet_severity)sev;
    f->path = col_req(ev, q, 2, &bad);
    f->fspath = col_req(ev, q, 3, &bad);
    f->line = (unsigned)sqlite3_column_int64(q, 4);
    f->offset = sqlite3_column_type(q, 5) == SQLITE_NULL ? FWVET_NO_OFFSET
                                                         : col_u64(q, 5);
    f->message = col_req(ev, q, 6, &bad);
    f->evidence = col(ev, q, 7, &bad);
    f->fingerprint = col_req(ev, q, 8, &bad);
  }
  st = bad ? FWVET_ENOMEM : rc == SQLITE_DONE ? FWVET_OK : FWVET_EIO;
  sqlite3_finalize(q);
  return st;
}

static fwvet_status read_components(sqlite3 *db, fwvet_eval *ev,
                                    int64_t id) {
  sqlite3_stmt *q = query(db, "SELECT name, version, cpe, purl, confidence,"
                              " copies FROM components WHERE eval_id = ?1"
                              " ORDER BY seq", id);
  fwvet_status st = FWVET_EIO;
  int bad = 0, rc = SQLITE_ERROR;
  if (!q)
    return st;
  while (!bad && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    fwvet_eval_component *c = GROW(ev, components, ncomponents,
                                   capcomponents);
    if (!c) {
      bad = 1;
      break;
    }
    c->name = col_req(ev, q, 0, &bad);
    c->version = col(ev, q, 1, &bad);
    c->cpe = col(ev, q, 2, &bad);
    c->purl = col(ev, q, 3, &bad);
    c->confidence = col(ev, q, 4, &bad);
    c->copies = (unsigned)sqlite3_column_int64(q, 5);
  }
  sqlite3_finalize(q);
  if (bad || rc != SQLITE_DONE)
    return bad ? FWVET_ENOMEM : FWVET_EIO;
  q = query(db, "SELECT vuln_id, component_seq, severity, cvss, source,"
                " match FROM vulnerabilities WHERE eval_id = ?1"
                " ORDER BY seq", id);
  if (!q)
    return st;
  while (!bad && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    uint64_t k = col_u64(q, 1);
    if (k >= ev->ncomponents) {
      rc = SQLITE_CORRUPT;
      break;
    }
    fwvet_eval_vuln *v = GROW(ev, vulns, nvulns, capvulns);
    if (!v) {
      bad = 1;
      break;
    }
    v->id = col_req(ev, q, 0, &bad);
    v->component = ev->components[k].name;
    v->version = ev->components[k].version;
    v->severity = col_req(ev, q, 2, &bad);
    v->cvss = sqlite3_column_double(q, 3);
    v->source = col(ev, q, 4, &bad);
    v->match = col(ev, q, 5, &bad);
  }
  st = bad ? FWVET_ENOMEM : rc == SQLITE_DONE ? FWVET_OK : FWVET_ECORRUPT;
  sqlite3_finalize(q);
  return st;
}

static fwvet_relro relro_parse(const char *s) {
  for (int r = FWVET_RELRO_NONE; r <= FWVET_RELRO_FULL; r++)
    if (s && !strcmp(s, fwvet_relro_name((fwvet_relro)r)))
      return (fwvet_relro)r;
  return FWVET_RELRO_NONE;
}

static fwvet_status read_hardening(sqlite3 *db, fwvet_eval *ev,
                                   int64_t id) {
  sqlite3_stmt *q = query(db, "SELECT file_seq, machine, bits, static,"
                              " stripped, nx, pie, canary, relro, fortified,"
                              " fortifiable FROM hardening WHERE eval_id = ?1"
                              " ORDER BY seq", id);
  int bad = 0, rc = SQLITE_ERROR;
  if (!q)
    return FWVET_EIO;
  while (!bad && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    uint64_t f = col_u64(q, 0);
    if (f >= ev->nfiles) {
      rc = SQLITE_CORRUPT;
      break;
    }
    fwvet_eval_elf *e = GROW(ev, elfs, nelfs, capelfs);
    if (!e) {
      bad = 1;
      break;
    }
    e->path = ev->files[f].path;
    e->fspath = ev->files[f].fspath;
    e->machine = col(ev, q, 1, &bad);
    e->bits = (unsigned)sqlite3_column_int64(q, 2);
    e->is_static = sqlite3_column_int(q, 3);
    e->stripped = sqlite3_column_int(q, 4);
    e->nx = sqlite3_column_int(q, 5);
    e->pie = sqlite3_column_int(q, 6);
    e->canary = sqlite3_column_int(q, 7);
    e->relro = relro_parse((const char *)sqlite3_column_text(q, 8));
    e->fortified = (unsigned)sqlite3_column_int64(q, 9);
    e->fortifiable = (unsigned)sqlite3_column_int64(q, 10);
  }
  sqlite3_finalize(q);
  return bad ? FWVET_ENOMEM : rc == SQLITE_DONE ? FWVET_OK : FWVET_ECORRUPT;
}

static fwvet_status read_engineering(sqlite3 *db, fwvet_eval *ev,
                                     int64_t id) {
  sqlite3_stmt *q = query(db, "SELECT call_sites, family, method,"
                              " safe_variants, safe_calls, unsafe_variants,"
                              " unsafe_calls, unsafe_percent FROM engineering"
                              " WHERE eval_id = ?1 ORDER BY seq", id);
  int bad = 0, rc = SQLITE_ERROR;
  if (!q)
    return FWVET_EIO;
  while (!bad && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    fwvet_eng_row *r = sqlite3_column_int(q, 0)
                           ? GROW(ev, calls, ncalls, capcalls)
                           : GROW(ev, eng, neng, capeng);
    if (!r) {
      bad = 1;
      break;
    }
    r->family = col_req(ev, q, 1, &bad);
    r->method = col_req(ev, q, 2, &bad);
    r->safe_variants = (size_t)col_u64(q, 3);
    r->safe_calls = col_u64(q, 4);
    r->unsafe_variants = (size_t)col_u64(q, 5);
    r->unsafe_calls = col_u64(q, 6);
    r->unsafe_percent = sqlite3_column_double(q, 7);
  }
  sqlite3_finalize(q);
  return bad ? FWVET_ENOMEM : rc == SQLITE_DONE ? FWVET_OK : FWVET_EIO;
}

fwvet_status store_read_eval(sqlite3 *db, int64_t id, fwvet_eval **out) {
  fwvet_eval *ev = eval_new();
  if (!ev)
    return FWVET_ENOMEM;
  fwvet_status st;
  if ((st = read_info(db, ev, id)) || (st = read_files(db, ev, id)) ||
      (st = read_findings(db, ev, id)) ||
      (st = read_components(db, ev, id)) ||
      (st = read_hardening(db, ev, id)) ||
      (st = read_engineering(db, ev, id))) {
    fwvet_eval_destroy(ev);
    return st;
  }
  *out = ev;
  return FWVET_OK;
}
