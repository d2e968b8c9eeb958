/*
 * User YARA rules (fwvet scan --rules FILE.yar): compiled once with
 * libyara by the caller (fwvet_rules_compile), matched here against the
 * bytes of every file node.
 *   yara.<rule>  a match of the user rule <rule>; severity and message
 *                from its meta `severity` and `description`
 *
 * The compiled YR_RULES is read-only while scanning: yr_rules_scan_mem()
 * makes a scanner of its own per call, so worker threads share one rule
 * set without a lock (libyara 4 no longer enforces YR_MAX_THREADS:
 * ERROR_TOO_MANY_SCAN_THREADS is unused).  libyara's global state (yr_initialize) is
 * reference-counted here so that rule sets of several callers coexist.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yara.h>

#include "analyse/analyser.h"
#include "fwvet/rules.h"

#define DATA_SHOWN 64    /* bytes of the matched data in the evidence */
#define META_SHOWN 200   /* characters of one meta value */
#define DEFAULT_TIMEOUT 60

struct fwvet_rules {
  YR_RULES *yr;
};

static pthread_mutex_t yr_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned yr_users;

static int yara_acquire(void) {
  int ok = 1;
  pthread_mutex_lock(&yr_lock);
  if (yr_users == 0 && yr_initialize() != ERROR_SUCCESS)
    ok = 0;
  else
    yr_users++;
  pthread_mutex_unlock(&yr_lock);
  return ok;
}

static void yara_release(void) {
  pthread_mutex_lock(&yr_lock);
  if (yr_users && --yr_users == 0)
    yr_finalize();
  pthread_mutex_unlock(&yr_lock);
}

typedef struct compile_err {
  char *buf;
  size_t len;
  int seen;
} compile_err;

/* Keeps the first error: later ones are often its consequences. */
static void on_compile(int level, const char *file, int line,
                       const YR_RULE *rule, const char *msg, void *ud) {
  compile_err *e = ud;
  if (level != YARA_ERROR_LEVEL_ERROR || e->seen)
    return;
  e->seen = 1;
  if (!file)
    file = "<rules>";
  if (!e->len)
    return;
  /* libyara says line 0 when the input ended too early. */
  if (line > 0)
    snprintf(e->buf, e->len, "%s:%d: %s", file, line, msg);
  else
    snprintf(e->buf, e->len, "%s: %s at end of file", file, msg);
}

fwvet_status fwvet_rules_compile(const char *const *files, size_t n,
                                 fwvet_rules **out, char *err,
                                 size_t errlen) {
  compile_err ce = {err, errlen, 0};
  YR_COMPILER *c = NULL;
  fwvet_rules *r = NULL;
  fwvet_status st = FWVET_ENOMEM;
  int saved_errno = 0;
  if (errlen)
    err[0] = '\0';
  if (!n || !files || !out)
    return FWVET_EINVAL;
  if (!yara_acquire())
    return FWVET_ENOMEM;
  if (yr_compiler_create(&c) != ERROR_SUCCESS)
    goto out;
  yr_compiler_set_callback(c, on_compile, &ce);
  for (size_t i = 0; i < n; i++) {
    FILE *f = fopen(files[i], "r");
    if (!f) {
      saved_errno = errno;
      if (errlen)
        snprintf(err, errlen, "%s", files[i]);
      st = FWVET_EIO;
      goto out;
    }
    int nerr = yr_compiler_add_file(c, f, NULL, files[i]);
    fclose(f);
    if (nerr) {
      /* libyara: a compiler that reported errors takes no more input. */
      if (!ce.seen && errlen)
        snprintf(err, errlen, "%s: rules do not compile", files[i]);
      st = FWVET_EINVAL;
      goto out;
    }
  }
  r = calloc(1, sizeof *r);
  if (!r || yr_compiler_get_rules(c, &r->yr) != ERROR_SUCCESS)
    goto out;
  *out = r;
  r = NULL;
  st = FWVET_OK;
out:
  free(r);
  if (c)
    yr_compiler_destroy(c);
  if (st)
    yara_release();
  if (st == FWVET_EIO)
    errno = saved_errno;
  return st;
}

void fwvet_rules_destroy(fwvet_rules *rules) {
  if (!rules)
    return;
  yr_rules_destroy(rules->yr);
  free(rules);
  yara_release();
}

/* A bounded string builder: appends what fits, always terminated. */
typedef struct text {
  char buf[1024];
  size_t len;
} text;

static void text_add(text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void text_add(text *t, const char *fmt, ...) {
  if (t->len >= sizeof t->buf - 1)
    return;
  va_list ap;
  va_start(ap, fmt);
  int r = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
  va_end(ap);
  if (r > 0)
    t->len += (size_t)r < sizeof t->buf - t->len ? (size_t)r
                                                  : sizeof t->buf - 1 - t->len;
}

/* Printable ASCII as is, everything else (and quote, backslash) as \xNN,
 * at most `max` input bytes; "..." marks a cut. */
static void text_bytes(text *t, const uint8_t *p, size_t n, size_t max,
                       int cut) {
  size_t shown = n < max ? n : max;
  for (size_t i = 0; i < shown; i++) {
    uint8_t b = p[i];
    if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\')
      text_add(t, "%c", b);
    else
      text_add(t, "\\x%02x", b);
  }
  if (cut || shown < n)
    text_add(t, "...");
}

typedef struct match_ctx {
  fwvet_sink *sink;
  const fwvet_node *node;
} match_ctx;

static fwvet_severity meta_severity(const char *s) {
  char low[16];
  size_t i = 0;
  for (; s[i] && i < sizeof low - 1; i++)
    low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
  low[i] = '\0';
  int sev = s[i] ? -1 : fwvet_severity_parse(low);
  return sev < 0 ? FWVET_SEV_MEDIUM : (fwvet_severity)sev;
}

/*
 * The match with the lowest offset over all of the rule's strings, copied
 * to *fm; 0 when none.  libyara 4.2 allocates matches without aligning
 * them, so each is read with memcpy rather than through the pointer (what
 * yr_string_matches_foreach does, which UBSan rightly flags).
 */
static int first_match(YR_SCAN_CONTEXT *ctx, YR_RULE *rule,
                       const YR_STRING **fs, YR_MATCH *fm) {
  YR_STRING *s;
  int found = 0;
  yr_rule_strings_foreach(rule, s) {
    const YR_MATCH *p = ctx->matches[s->idx].head;
    while (p) {
      YR_MATCH m;
      memcpy(&m, p, sizeof m);
      if (!m.is_private &&
          (!found || m.base + m.offset < fm->base + fm->offset)) {
        *fs = s;
        *fm = m;
        found = 1;
      }
      p = m.next;
    }
  }
  return found;
}

static void report(YR_SCAN_CONTEXT *ctx, YR_RULE *rule, match_ctx *mc) {
  const YR_STRING *fs = NULL;
  YR_MATCH fm = {0};
  const YR_META *meta;
  const char *desc = NULL;
  fwvet_severity sev = FWVET_SEV_MEDIUM;
  text ev = {.len = 0};
  char id[160];

  int found = first_match(ctx, rule, &fs, &fm);
  text_add(&ev, "%s", rule->identifier);
  if (found) {
    text_add(&ev, " %s=\"", fs->identifier);
    text_bytes(&ev, fm.data, (size_t)fm.data_length, DATA_SHOWN,
               fm.match_length > fm.data_length);
    text_add(&ev, "\"");
  }
  yr_rule_metas_foreach(rule, meta) {
    text_add(&ev, "; %s=", meta->identifier);
    if (meta->type == META_TYPE_STRING) {
      text_bytes(&ev, (const uint8_t *)meta->string, strlen(meta->string),
                 META_SHOWN, 0);
      if (!strcmp(meta->identifier, "severity"))
        sev = meta_severity(meta->string);
      else if (!strcmp(meta->identifier, "description") && !desc)
        desc = meta->string;
    } else if (meta->type == META_TYPE_BOOLEAN) {
      text_add(&ev, "%s", meta->integer ? "true" : "false");
    } else {
      text_add(&ev, "%lld", (long long)meta->integer);
    }
  }
  snprintf(id, sizeof id, "yara.%s", rule->identifier);
  uint64_t off = found ? (uint64_t)(fm.base + fm.offset) : FWVET_NO_OFFSET;
  if (desc)
    fwvet_sink_report(mc->sink, mc->node, id, sev, off, 0, ev.buf, "%s",
                      desc);
  else
    fwvet_sink_report(mc->sink, mc->node, id, sev, off, 0, ev.buf,
                      "matches YARA rule '%s'", rule->identifier);
}

static int on_scan(YR_SCAN_CONTEXT *ctx, int message, void *data,
                   void *ud) {
  if (message == CALLBACK_MSG_RULE_MATCHING)
    report(ctx, data, ud);
  return CALLBACK_CONTINUE;
}

/* --max-seconds bounds one file's scan too (libyara counts wall time). */
static int timeout_of(const fwvet_scan_options *opt) {
  double s = opt->open.limits.max_stream_seconds;
  if (!(s > 0))
    return DEFAULT_TIMEOUT;
  if (s >= 1e6)
    return 1000000;
  int t = (int)s;
  return t < s ? t + 1 : t;
}

static void analyse(fwvet_sink *sink, const fwvet_node *node,
                    const uint8_t *data, size_t len) {
  static const uint8_t empty[1];
  const fwvet_scan_options *opt = fwvet_sink_options(sink);
  if (!opt->rules || fwvet_node_kind(node) != FWVET_KIND_FILE)
    return;
  match_ctx mc = {sink, node};
  int timeout = timeout_of(opt);
  /* The bytes are ours and in memory: no SIGBUS to catch, and libyara's
   * try/catch would install process-wide signal handlers. */
  int rc = yr_rules_scan_mem(opt->rules->yr, data ? data : empty, len,
                             SCAN_FLAGS_NO_TRYCATCH, on_scan, &mc, timeout);
  if (rc == ERROR_SCAN_TIMEOUT)
    fwvet_sink_report(sink, node, "unpack.limit", FWVET_SEV_MEDIUM,
                      FWVET_NO_OFFSET, 0, "yara-seconds",
                      "yara: rules did not finish within the time limit "
                      "(%d s): "
                      "matches in this file may be missing",
                      timeout);
  else if (rc != ERROR_SUCCESS)
    fwvet_sink_report(sink, node, "unpack.limit", FWVET_SEV_MEDIUM,
                      FWVET_NO_OFFSET, 0, "yara",
                      "yara: scanning stopped with libyara error %d: "
                      "matches in this file may be missing",
                      rc);
}

const fwvet_analyser fwvet_analyser_yara = {"yara", analyse};
