/*
 * Services: what boot-time and CGI code starts, from init scripts, rc
 * files, inittab, inetd.conf, systemd units, crontabs, CGI scripts, any
 * script found by its shebang, and text files without one that inittab,
 * a unit or an init script runs (found when the tree is complete:
 * scriptrefs.h).
 *   service.unauthenticated-shell  a shell handed to whoever connects
 *   service.debug                  telnetd, tftpd, gdbserver, adbd,
 *                                  console shells and autologins
 *   script.remote-code             (remotecode.c) download and run
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyse/analyser.h"
#include "analyse/remotecode.h"
#include "analyse/scriptrefs.h"
#include "analyse/shcmd.h"
#include "core/literals.h"

#define ARGV_MAX 40

typedef struct svc {
  fwvet_sink *sink;
  const fwvet_node *node;
  fwvet_shctx sh;
  const char *where;
  unsigned line;
  uint64_t offset; /* of a string in a binary, else FWVET_NO_OFFSET */
  int binary;      /* strings of an executable: shells only */
  char ev[256];
  int unauth_done, debug_done; /* one finding per rule and line */
  int socket_stdin;            /* systemd: StandardInput=socket */
} svc;

static const char *const telnetds[] = {"telnetd", "utelnetd", "in.telnetd",
                                       NULL};
static const char *const tftpds[] = {
    "tftpd", "in.tftpd", "atftpd", "utftpd", "tftpd-hpa", "opentftpd", NULL};
static const char *const getties[] = {"getty", "agetty", "mingetty", "mgetty",
                                      NULL};
static const char *const netcats[] = {
    "nc",         "netcat", "ncat",   "nc.traditional",
    "nc.openbsd", "socat",  "telnet", NULL};

static void unauth(svc *s, const char *what) {
  if (s->unauth_done++)
    return;
  fwvet_sink_report(s->sink, s->node, "service.unauthenticated-shell",
                    FWVET_SEV_CRITICAL, s->offset, s->line, s->ev,
                    "%s, started from %s: anyone who connects gets a "
                    "shell without a password",
                    what, s->where);
}

static void debug(svc *s, const char *what, const char *why) {
  /* A daemon's name in a binary is a string, not a start at boot. */
  if (s->binary || s->debug_done++)
    return;
  fwvet_sink_report(s->sink, s->node, "service.debug", FWVET_SEV_MEDIUM,
                    FWVET_NO_OFFSET, s->line, s->ev, "%s, started from %s: %s",
                    what, s->where, why);
}

/* A shell reading commands from its input: no script, no -c string. */
static int interactive_shell(const char *const *a, size_t n) {
  if (!n || !fwvet_sh_is_shell(a[0]) || strchr(a[0], ' '))
    return 0;
  for (size_t i = 1; i < n; i++)
    if (a[i][0] != '-' || !strcmp(a[i], "-c"))
      return 0;
  return 1;
}

static void check_socat(svc *s, const char *const *a, size_t n) {
  int shell = 0, net = 0;
  static const char *const nets[] = {"tcp", "udp",  "sctp",  "openssl",
                                     "ssl", "dccp", "vsock", NULL};
  for (size_t i = 1; i < n; i++) {
    if (!strncasecmp(a[i], "exec:", 5) || !strncasecmp(a[i], "system:", 7))
      shell |= fwvet_sh_is_shell(strchr(a[i], ':') + 1);
    for (size_t k = 0; nets[k]; k++)
      if (!strncasecmp(a[i], nets[k], strlen(nets[k])))
        net = 1;
  }
  if (shell && net)
    unauth(s, "socat connecting a shell to a network socket");
}

static void check_argv(svc *s, const char *const *a, size_t n, int bound) {
  char what[160];
  if (!n)
    return;
  if (bound && interactive_shell(a, n)) {
    snprintf(what, sizeof what, "'%s' is bound to a network port",
             fwvet_sh_base(a[0]));
    unauth(s, what);
    return;
  }
  if (fwvet_sh_base_in(a[0], telnetds)) {
    const char *l = fwvet_sh_opt(a, 1, n, 'l', "lfpbwd", NULL);
    if (l && fwvet_sh_is_shell(l)) {
      snprintf(what, sizeof what,
               "telnet server with '%.64s' as its login program", l);
      unauth(s, what);
    } else {
      debug(s, "telnet server", "a cleartext remote login, a debug service");
    }
    return;
  }
  const char *b = fwvet_sh_base(a[0]);
  if (!strcmp(b, "socat")) {
    check_socat(s, a, n);
    return;
  }
  if (fwvet_sh_base_in(a[0], netcats)) {
    const char *e = fwvet_sh_opt(a, 1, n, 'e', "cepsiqwxXbgGIOPTVm", "exec");
    if (!e)
      e = fwvet_sh_opt(a, 1, n, 'c', "cepsiqwxXbgGIOPTVm", "sh-exec");
    if (e && fwvet_sh_is_shell(e)) {
      snprintf(what, sizeof what, "netcat running '%.64s' for its peer", e);
      unauth(s, what);
    }
    return;
  }
  if (fwvet_sh_base_in(a[0], tftpds)) {
    debug(s, "tftp server", "unauthenticated file transfer, a debug service");
  } else if (!strcmp(b, "gdbserver")) {
    debug(s, "gdbserver", "whoever connects controls the debugged process");
  } else if (!strcmp(b, "adbd")) {
    debug(s, "adb daemon",
          "the Android debug bridge gives whoever connects a shell");
  } else if (!strcmp(b, "dropbear")) {
    if (fwvet_sh_opt(a, 1, n, 'B', "bcprPWKITaj", NULL))
      debug(s, "dropbear with -B",
            "logins to accounts with blank passwords are allowed");
  } else if (fwvet_sh_base_in(a[0], getties)) {
    const char *l = fwvet_sh_opt(a, 1, n, 'l', "lItHf", "login-program");
    const char *al = fwvet_sh_opt(a, 1, n, 'a', "lItHfa", "autologin");
    if ((l && fwvet_sh_is_shell(l)) || (al && *al)) {
      debug(s,
            al && *al ? "getty with autologin" : "getty with a shell as login",
            "a console login without a password");
    }
  } else if (!strcmp(b, "login") && s->sh == FWVET_SHCTX_INITTAB &&
             fwvet_sh_opt(a, 1, n, 'f', "fh", NULL)) {
    debug(s, "login -f", "a console login without a password");
  }
}

/* The script a boot-time command runs, for scriptrefs.h: the program
 * itself, or the script a shell is given ("/bin/sh /etc/rc.custom"). */
static void note_script(svc *s, const char *const *a, size_t n) {
  if (!n || s->binary)
    return;
  if (!fwvet_sh_is_shell(a[0])) {
    if (a[0][0] == '/')
      fwvet_sink_script_ref(s->sink, s->node, a[0]);
    return;
  }
  for (size_t i = 1; i < n; i++) {
    if (!strcmp(a[i], "-c"))
      return;
    if (a[i][0] != '-') {
      if (a[i][0] == '/')
        fwvet_sink_script_ref(s->sink, s->node, a[i]);
      return;
    }
  }
}

/* Netcat (or a telnet client) and a shell in one pipeline. */
static void check_pipelines(svc *s, const fwvet_shline *sl) {
  int net = 0, shell = 0;
  for (size_t i = 0; i < sl->n; i++) {
    const char *a[ARGV_MAX];
    int bound;
    if (!sl->cmd[i].piped)
      net = shell = 0;
    size_t n = fwvet_shcmd_program(&sl->cmd[i], a, ARGV_MAX, &bound);
    if (!n)
      continue;
    net |= fwvet_sh_base_in(a[0], netcats);
    shell |= interactive_shell(a, n);
    if (net && shell) {
      unauth(s, "a pipeline connecting a shell to netcat");
      return;
    }
  }
}

static void check_line(svc *s, const fwvet_shline *sl, int bound) {
  for (size_t i = 0; i < sl->n; i++) {
    const char *a[ARGV_MAX];
    int b;
    size_t n = fwvet_shcmd_program(&sl->cmd[i], a, ARGV_MAX, &b);
    check_argv(s, a, n, b || bound);
    if (s->sh == FWVET_SHCTX_SYSTEMD || s->sh == FWVET_SHCTX_INIT)
      note_script(s, a, n);
  }
  check_pipelines(s, sl);
}

/* id:runlevels:action:process */
static void inittab_line(svc *s, fwvet_shline *sl, const char *line,
                         size_t len) {
  const char *p = line, *end = line + len, *f[3];
  size_t fl[3];
  for (int k = 0; k < 3; k++) {
    const char *c = memchr(p, ':', (size_t)(end - p));
    if (!c)
      return;
    f[k] = p;
    fl[k] = (size_t)(c - p);
    p = c + 1;
  }
  fwvet_shline_parse(sl, p, (size_t)(end - p));
  const char *a[ARGV_MAX];
  int bound;
  size_t n = sl->n ? fwvet_shcmd_program(&sl->cmd[0], a, ARGV_MAX, &bound) : 0;
  note_script(s, a, n);
  if (interactive_shell(a, n)) {
    char what[160];
    /* busybox names the tty in the id field; empty means the console */
    snprintf(what, sizeof what, "a shell without login on %.*s (%.*s)",
             fl[0] ? (int)fl[0] : 11, fl[0] ? f[0] : "the console", (int)fl[2],
             f[2]);
    debug(s, what, "a debug console for anyone at the serial port");
  }
  check_line(s, sl, 0);
}

/* service socktype proto wait user server [argv0 args...] */
static void inetd_line(svc *s, const char *line, size_t len) {
  char buf[FWVET_SHLINE_MAX];
  const char *f[ARGV_MAX], *a[ARGV_MAX];
  size_t n = 0, o = 0;
  for (size_t i = 0; i < len && n < ARGV_MAX;) {
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
      i++;
    size_t st = i;
    while (i < len && line[i] != ' ' && line[i] != '\t')
      i++;
    if (i == st || o + (i - st) + 1 > sizeof buf)
      break;
    memcpy(buf + o, line + st, i - st);
    buf[o + i - st] = 0;
    f[n++] = buf + o;
    o += i - st + 1;
  }
  if (n < 6 || f[0][0] == '#' || !strcmp(f[5], "internal"))
    return;
  size_t k = 0;
  a[k++] = f[5];
  if (!strcmp(fwvet_sh_base(f[5]), "tcpd") && n > 6)
    a[0] = f[6];
  for (size_t i = 7; i < n; i++)
    a[k++] = f[i];
  check_argv(s, a, k, 1);
}

/* Returns where the command of a cron line starts, or NULL. */
static const char *cron_command(const char *line, size_t len, int has_user) {
  const char *p = line, *end = line + len;
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  if (p == end || *p == '#')
    return NULL;
  const char *eq = memchr(p, '=', (size_t)(end - p));
  const char *sp = memchr(p, ' ', (size_t)(end - p));
  if (eq && (!sp || eq < sp) && *p != '@' && *p != '*')
    return NULL; /* VAR=value */
  int skip = *p == '@' ? 1 : 5;
  for (int k = 0; k < skip + has_user; k++) {
    while (p < end && *p != ' ' && *p != '\t')
      p++;
    while (p < end && (*p == ' ' || *p == '\t'))
      p++;
  }
  if (!has_user && end - p > 5 && !strncmp(p, "root", 4) &&
      (p[4] == ' ' || p[4] == '\t'))
    p += 5;
  return p < end ? p : NULL;
}

/* Exec lines of a unit; the rest is configuration. */
static const char *unit_command(const char *line, size_t len) {
  static const char *const keys[] = {
      "ExecStart=",  "ExecStartPre=",  "ExecStartPost=",
      "ExecReload=", "ExecCondition=", NULL};
  for (size_t i = 0; keys[i]; i++) {
    size_t kl = strlen(keys[i]);
    if (len >= kl && !memcmp(line, keys[i], kl)) {
      const char *p = line + kl;
      while (p < line + len && strchr("-@:+!", *p))
        p++;
      return p;
    }
  }
  return NULL;
}

/* A printable string of an executable that may be a command line handed
 * to system() or popen(): it names a shell and a network program. */
static const char *const net_progs[] = {"telnetd", "nc ",    "ncat",
                                        "netcat",  "socat",  "tcpsvd",
                                        "udpsvd"};
/* One prefilter pass: an executable naming none of them is skipped. */
static fwvet_literal_set net_prog_set = FWVET_LITERAL_STRINGS(net_progs);

static int command_string(const char *p, size_t n) {
  if (n < 10 || !memmem(p, n, "sh", 2))
    return 0;
  for (size_t i = 0; i < sizeof net_progs / sizeof *net_progs; i++)
    if (memmem(p, n, net_progs[i], strlen(net_progs[i])))
      return 1;
  return 0;
}

typedef struct bin_ctx {
  svc *s;
  fwvet_shline *sl;
  const char *d;
  size_t len, done; /* strings before `done` are examined */
} bin_ctx;

static int printable(char c) { return (c >= 0x20 && c < 0x7f) || c == '\t'; }

/* The printable string around a network program's name. */
static int on_prog(void *ud, unsigned id, size_t end) {
  (void)id;
  bin_ctx *b = ud;
  if (end <= b->done)
    return 0;
  size_t st = end - 1, e = end;
  while (st > b->done && st > 0 && printable(b->d[st - 1]) &&
         end - st < FWVET_SHLINE_MAX)
    st--;
  while (e < b->len && printable(b->d[e]) && e - st < FWVET_SHLINE_MAX)
    e++;
  b->done = e;
  size_t n = e - st;
  svc *s = b->s;
  if (command_string(b->d + st, n) && n < FWVET_SHLINE_MAX) {
    s->offset = st;
    s->unauth_done = 0;
    fwvet_sh_normalise(b->d + st, n, s->ev, sizeof s->ev);
    fwvet_shline_parse(b->sl, b->d + st, n);
    check_line(s, b->sl, 0);
  }
  return 0;
}

/* Only the strings that name a network program can be such a command
 * line: one Hyperscan pass finds them. */
static void analyse_binary(svc *s, fwvet_shline *sl, const char *d,
                           size_t len) {
  s->binary = 1;
  s->where = "a command line built into this executable";
  bin_ctx b = {s, sl, d, len, 0};
  if (fwvet_literals_each(&net_prog_set, (const uint8_t *)d, len, on_prog,
                          &b) == 0)
    return;
  for (size_t i = 0; i < len;) { /* no Hyperscan: every string */
    size_t st = i;
    while (i < len && printable(d[i]))
      i++;
    if (i > st)
      on_prog(&b, 0, i);
    i += i == st;
  }
}

#define MAX_BINARY (64u << 20)

/* A possible script: small text that nothing else marks as code, not
 * where documentation and headers live (they would fill the copies). */
static int candidate(const fwvet_node *node, const char *d, size_t len) {
  const char *fs = fwvet_node_fspath(node);
  return fwvet_node_kind(node) == FWVET_KIND_FILE &&
         !strcmp(fwvet_node_type(node), "text") &&
         len <= FWVET_SCRIPTREFS_MAX_FILE &&
         !(len >= 2 && !memcmp(d, "#!", 2)) && fs[0] == '/' &&
         strncmp(fs, "/usr/share/", 11) && strncmp(fs, "/usr/include/", 13);
}

static void analyse_code(fwvet_sink *sink, const fwvet_node *node,
                         const char *d, size_t len, fwvet_shctx sh,
                         const char *where, int elf) {
  /* Per-call state is large; keep it off the worker's stack. */
  struct {
    fwvet_shlines it;
    fwvet_shline sl;
    fwvet_rcstate rc;
    svc s;
  } *w = malloc(sizeof *w);
  if (!w)
    return;
  svc *s = &w->s;
  *s = (svc){.sink = sink,
             .node = node,
             .sh = sh,
             .where = where,
             .offset = FWVET_NO_OFFSET};
  if (elf) {
    analyse_binary(s, &w->sl, d, len);
    goto out;
  }
  s->socket_stdin = sh == FWVET_SHCTX_SYSTEMD &&
                    memmem(d, len, "StandardInput=socket", 20) != NULL;
  int cron_user = fwvet_shctx_cron_has_user(node);
  fwvet_rc_init(&w->rc);
  fwvet_shlines_init(&w->it, d, len);
  const char *line;
  size_t l;
  while (fwvet_shlines_next(&w->it, &line, &l, &s->line)) {
    while (l && (*line == ' ' || *line == '\t'))
      line++, l--;
    if (!l || *line == '#')
      continue;
    s->unauth_done = s->debug_done = 0;
    fwvet_sh_normalise(line, l, s->ev, sizeof s->ev);
    const char *cmd = line;
    switch (sh) {
    case FWVET_SHCTX_INITTAB:
      inittab_line(s, &w->sl, line, l);
      break;
    case FWVET_SHCTX_INETD:
      inetd_line(s, line, l);
      continue; /* inetd runs programs, not command lines */
    case FWVET_SHCTX_SYSTEMD:
      cmd = unit_command(line, l);
      break;
    case FWVET_SHCTX_CRON:
      cmd = cron_command(line, l, cron_user);
      break;
    default:
      break;
    }
    if (!cmd)
      continue;
    if (sh != FWVET_SHCTX_INITTAB) {
      fwvet_shline_parse(&w->sl, cmd, l - (size_t)(cmd - line));
      check_line(s, &w->sl, s->socket_stdin);
    }
    fwvet_rc_line(&w->rc, sink, node, s->where, s->line, s->ev, &w->sl);
  }
out:
  free(w);
}

static void analyse(fwvet_sink *sink, const fwvet_node *node,
                    const uint8_t *data, size_t len) {
  const char *d = (const char *)data;
  fwvet_shctx sh = fwvet_shctx_detect(node, d, len);
  int elf = fwvet_node_kind(node) == FWVET_KIND_FILE && len <= MAX_BINARY &&
            !strcmp(fwvet_node_type(node), "elf");
  if (sh == FWVET_SHCTX_NONE && !elf) {
    if (candidate(node, d, len))
      fwvet_sink_script_candidate(sink, node, data, len);
    return;
  }
  analyse_code(sink, node, d, len, sh, fwvet_shctx_name(sh), elf);
}

void fwvet_services_referenced(void *ud, const fwvet_node *node,
                               const uint8_t *data, size_t len,
                               const fwvet_node *from) {
  char where[320];
  snprintf(where, sizeof where, "a script that %.256s runs",
           fwvet_node_fspath(from));
  analyse_code(ud, node, (const char *)data, len, FWVET_SHCTX_SCRIPT, where,
               0);
}

const fwvet_analyser fwvet_analyser_services = {"services", analyse};
