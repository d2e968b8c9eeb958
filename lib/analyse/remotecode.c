/* script.remote-code: download and run without an integrity check. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analyse/remotecode.h"

#define ARGV_MAX 40
#define WINDOW 10 /* lines between a download and its use */

static const char *const interpreters[] = {
    "sh",   "ash",    "bash",    "dash",    "ksh",  "zsh",  "hush",
    "mksh", "python", "python2", "python3", "perl", "lua",  "php",
    "ruby", "node",   "tclsh",   "source",  ".",    "eval", NULL};
static const char *const checkers[] = {
    "sha256sum", "sha1sum", "sha512sum", "md5sum",          "openssl", "gpg",
    "gpgv",      "usign",   "signify",   "signify-openbsd", "cmp",     NULL};

enum { TO_NONE, TO_STDOUT, TO_FILE };

typedef struct download {
  const char *url;  /* NULL when the command has none we can see */
  const char *file; /* TO_FILE: where it goes */
  char scheme[8];
  int to;
} download;

static const char *url_of(const char *const *a, size_t n) {
  for (size_t i = 1; i < n; i++)
    if (a[i][0] != '-' && strstr(a[i], "://"))
      return a[i];
  return NULL;
}

static const char *base_of_url(const char *url) {
  const char *s = strrchr(url, '/');
  return s && s[1] ? s + 1 : NULL;
}

/* Fills *dl when argv is a download; returns 0 otherwise. */
static int parse_download(const char *const *a, size_t n, download *dl) {
  const char *b = fwvet_sh_base(a[0]);
  memset(dl, 0, sizeof *dl);
  const char *out = NULL;
  if (!strcmp(b, "wget") || !strcmp(b, "uclient-fetch") ||
      !strcmp(b, "wget-ssl") || !strcmp(b, "fetch")) {
    dl->url = url_of(a, n);
    out = fwvet_sh_opt(a, 1, n, 'O', "OoUTYPtweo", "output-document");
    if (!out && !strcmp(b, "fetch"))
      out = fwvet_sh_opt(a, 1, n, 'o', "oTSN", "output");
    if (!out)
      out = dl->url ? base_of_url(dl->url) : NULL;
  } else if (!strcmp(b, "curl")) {
    dl->url = url_of(a, n);
    out = fwvet_sh_opt(a, 1, n, 'o', "oudeHXAbcrmTxEKwFy", "output");
    if (!out && fwvet_sh_opt(a, 1, n, 'O', "oudeHXAbcrmTxEKwFy", "remote-name"))
      out = dl->url ? base_of_url(dl->url) : NULL;
    else if (!out)
      out = "-";
  } else if (!strcmp(b, "tftp") || !strcmp(b, "atftp")) {
    /* busybox/atftp: -g -r REMOTE [-l LOCAL] HOST */
    if (!fwvet_sh_opt(a, 1, n, 'g', "lrb", "get"))
      return 0;
    const char *r = fwvet_sh_opt(a, 1, n, 'r', "lrb", "remote-file");
    out = fwvet_sh_opt(a, 1, n, 'l', "lrb", "local-file");
    if (!out && r)
      out = fwvet_sh_base(r);
    memcpy(dl->scheme, "tftp", 5);
  } else if (!strcmp(b, "ftpget")) {
    /* ftpget [options] HOST [LOCAL] REMOTE */
    const char *pos[3];
    size_t np = 0;
    for (size_t i = 1; i < n && np < 3; i++)
      if (a[i][0] != '-')
        pos[np++] = a[i];
      else if (strchr("uP", a[i][1]) && a[i][2] == 0)
        i++;
    if (np < 2)
      return 0;
    out = np == 3 ? pos[1] : fwvet_sh_base(pos[1]);
    memcpy(dl->scheme, "ftp", 4);
  } else {
    return 0;
  }
  if (dl->url) {
    size_t k = 0;
    while (k + 1 < sizeof dl->scheme && dl->url[k] && dl->url[k] != ':')
      dl->scheme[k] = (char)tolower((unsigned char)dl->url[k]), k++;
    dl->scheme[k] = 0;
  }
  if (!out || !*out)
    dl->to = TO_NONE;
  else if (!strcmp(out, "-") || !strcmp(out, "/dev/stdout"))
    dl->to = TO_STDOUT;
  else {
    dl->to = TO_FILE;
    dl->file = out;
  }
  return 1;
}

static int plaintext(const char *scheme) {
  return !strcmp(scheme, "http") || !strcmp(scheme, "ftp") ||
         !strcmp(scheme, "tftp");
}

/* The same file, allowing for "./x" and a relative name against a path. */
static int same_file(const char *f, const char *w) {
  if (!strncmp(f, "./", 2))
    f += 2;
  if (!strncmp(w, "./", 2))
    w += 2;
  if (!strcmp(f, w))
    return 1;
  if (!strchr(f, '/'))
    return !strcmp(fwvet_sh_base(w), f);
  if (!strchr(w, '/'))
    return !strcmp(fwvet_sh_base(f), w);
  return 0;
}

static int exec_mode(const char *m) {
  if (strchr(m, 'x'))
    return 1;
  size_t n = strlen(m);
  return n >= 3 && strspn(m, "01234567") == n && (m[n - 3] & 1);
}

void fwvet_rc_init(fwvet_rcstate *st) { memset(st, 0, sizeof *st); }

static void report(fwvet_sink *sink, const fwvet_node *node, const char *where,
                   unsigned line, const char *ev, const char *how,
                   const char *scheme) {
  fwvet_sink_report(sink, node, "script.remote-code", FWVET_SEV_HIGH,
                    FWVET_NO_OFFSET, line, ev,
                    "%s downloads code over %s and %s without an integrity "
                    "check: whoever controls the network or the server "
                    "runs code on the device",
                    where, *scheme ? scheme : "the network", how);
}

/* An interpreter at the end of a pipe that runs what it reads: not
 * `python3 -m json.tool`, `perl -e '...'`, `sh -c '...'` or `sh file`. */
static int runs_stdin(const char *const *a, size_t n) {
  if (!fwvet_sh_base_in(a[0], interpreters))
    return 0;
  const char *b = fwvet_sh_base(a[0]);
  if (!strcmp(b, ".") || !strcmp(b, "source"))
    return n > 1 && !strcmp(a[1], "/dev/stdin");
  for (size_t i = 1; i < n; i++) {
    if (!strcmp(a[i], "-") || !strcmp(a[i], "-s") ||
        !strcmp(a[i], "/dev/stdin"))
      return 1;
    if (a[i][0] != '-' || !strcmp(a[i], "-c") || !strcmp(a[i], "-m") ||
        !strcmp(a[i], "-e") || !strcmp(a[i], "-E"))
      return 0;
  }
  return 1;
}

/* A command that runs, sources or chmods +x a pending download. */
static void use(fwvet_rcstate *st, fwvet_sink *sink, const fwvet_node *node,
                const char *where, unsigned lineno, const char *ev,
                const char *const *a, size_t n) {
  const char *b = fwvet_sh_base(a[0]);
  int check = fwvet_sh_base_in(a[0], checkers);
  int interp = fwvet_sh_base_in(a[0], interpreters);
  int chmod = !strcmp(b, "chmod");
  for (size_t k = 0; k < FWVET_RC_PENDING; k++) {
    if (!st->dl[k].live)
      continue;
    const char *f = st->dl[k].file;
    const char *hit = NULL;
    if (same_file(f, a[0]) && (strchr(a[0], '/') || strchr(f, '/')))
      hit = "runs it";
    for (size_t i = 1; i < n && !hit; i++) {
      if (!same_file(f, a[i]))
        continue;
      if (check)
        st->dl[k].live = 0; /* verified before use */
      else if (interp)
        hit = "runs it";
      else if (chmod && i > 1 && exec_mode(a[1]))
        hit = "makes it executable";
      break;
    }
    if (!hit)
      continue;
    char both[256];
    if (st->dl[k].line == lineno)
      snprintf(both, sizeof both, "%s", ev);
    else
      snprintf(both, sizeof both, "%.120s ; %.120s", st->dl[k].ev, ev);
    report(sink, node, where, st->dl[k].line, both, hit, st->dl[k].scheme);
    st->dl[k].live = 0;
  }
}

void fwvet_rc_line(fwvet_rcstate *st, fwvet_sink *sink, const fwvet_node *node,
                   const char *where, unsigned lineno, const char *ev,
                   const fwvet_shline *sl) {
  int reported = 0;
  for (size_t k = 0; k < FWVET_RC_PENDING; k++)
    if (st->dl[k].live && lineno - st->dl[k].line > WINDOW)
      st->dl[k].live = 0;
  for (size_t i = 0; i < sl->n; i++) {
    const char *a[ARGV_MAX];
    int bound;
    size_t n = fwvet_shcmd_program(&sl->cmd[i], a, ARGV_MAX, &bound);
    if (!n)
      continue;
    download dl;
    if (!parse_download(a, n, &dl)) {
      use(st, sink, node, where, lineno, ev, a, n);
      continue;
    }
    if (!reported) {
      /* piped into an interpreter, or substituted into sh -c / eval */
      int into = 0;
      for (size_t j = i + 1; j < sl->n && sl->cmd[j].piped && !into; j++) {
        const char *b2[ARGV_MAX];
        size_t n2 = fwvet_shcmd_program(&sl->cmd[j], b2, ARGV_MAX, &bound);
        into = n2 && runs_stdin(b2, n2);
      }
      int p = sl->cmd[i].parent;
      if (p >= 0 && sl->cmd[p].argc) {
        const char *b2[ARGV_MAX];
        size_t n2 = fwvet_shcmd_program(&sl->cmd[p], b2, ARGV_MAX, &bound);
        into |= fwvet_sh_base_in(sl->cmd[p].argv[0], interpreters) ||
                (n2 && fwvet_sh_base_in(b2[0], interpreters));
      }
      if (into) {
        report(sink, node, where, lineno, ev, "pipes it into an interpreter",
               dl.scheme);
        reported = 1;
        continue;
      }
    }
    if (dl.to == TO_FILE && plaintext(dl.scheme)) {
      size_t k = st->next++ % FWVET_RC_PENDING;
      snprintf(st->dl[k].file, sizeof st->dl[k].file, "%s", dl.file);
      snprintf(st->dl[k].scheme, sizeof st->dl[k].scheme, "%s", dl.scheme);
      snprintf(st->dl[k].ev, sizeof st->dl[k].ev, "%s", ev);
      st->dl[k].line = lineno;
      st->dl[k].live = 1;
    }
  }
}
