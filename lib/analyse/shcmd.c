/* Commands in boot-time and CGI code: contexts, lines, a shell lexer. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "analyse/shcmd.h"

static int prefix(const char *s, const char *p) {
  return strncmp(s, p, strlen(p)) == 0;
}

static int suffix(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Where a file sits says how it runs, whatever its content looks like. */
static fwvet_shctx by_path(const char *fs) {
  static const char *const init_prefixes[] = {
      "/etc/init.d/",  "/etc/rc.d/",    "/etc/boot.d/",
      "/lib/preinit/", "/etc/rc.local", "/etc/rcS",
      "/etc/preinit",  "/etc/init.rc",  NULL};
  if (!strcmp(fs, "/etc/inittab"))
    return FWVET_SHCTX_INITTAB;
  if (!strcmp(fs, "/etc/inetd.conf"))
    return FWVET_SHCTX_INETD;
  if (!strcmp(fs, "/etc/crontab") || prefix(fs, "/etc/cron.d/") ||
      prefix(fs, "/etc/crontabs/") || prefix(fs, "/var/spool/cron/"))
    return FWVET_SHCTX_CRON;
  if (strstr(fs, "/cgi-bin/") || suffix(fs, ".cgi"))
    return FWVET_SHCTX_CGI;
  for (size_t i = 0; init_prefixes[i]; i++)
    if (prefix(fs, init_prefixes[i]))
      return FWVET_SHCTX_INIT;
  /* /etc/rc0.d/ ... /etc/rcS.d/ */
  if (prefix(fs, "/etc/rc") && fs[7] && !strncmp(fs + 8, ".d/", 3))
    return FWVET_SHCTX_INIT;
  if ((suffix(fs, ".service") || suffix(fs, ".socket")) &&
      strstr(fs, "/systemd/"))
    return FWVET_SHCTX_SYSTEMD;
  return FWVET_SHCTX_NONE;
}

/* Non-comment lines, each given to `fn`; 0 if any line does not fit. */
typedef int (*line_fn)(const char *line, size_t len);

static int all_lines(const char *d, size_t len, line_fn fn) {
  size_t n = 0;
  for (size_t pos = 0; pos < len;) {
    const char *nl = memchr(d + pos, '\n', len - pos);
    size_t l = nl ? (size_t)(nl - (d + pos)) : len - pos;
    const char *line = d + pos;
    pos += l + 1;
    while (l && isspace((unsigned char)line[l - 1]))
      l--;
    while (l && isspace((unsigned char)*line))
      line++, l--;
    if (l == 0 || line[0] == '#')
      continue;
    if (!fn(line, l))
      return 0;
    n++;
  }
  return n > 0;
}

static int inittab_line(const char *line, size_t len) {
  static const char *const actions[] = {
      "sysinit",   "wait",         "once",        "respawn",
      "askfirst",  "shutdown",     "restart",     "ctrlaltdel",
      "boot",      "bootwait",     "initdefault", "powerfail",
      "powerwait", "powerfailnow", "powerokwait", "ondemand",
      "off",       "kbrequest",    NULL};
  const char *c1 = memchr(line, ':', len);
  if (!c1)
    return 0;
  const char *c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line));
  if (!c2)
    return 0;
  const char *end = line + len;
  const char *c3 = memchr(c2 + 1, ':', (size_t)(end - (c2 + 1)));
  size_t alen = (size_t)((c3 ? c3 : end) - (c2 + 1));
  for (size_t i = 0; actions[i]; i++)
    if (strlen(actions[i]) == alen && !memcmp(c2 + 1, actions[i], alen))
      return 1;
  return 0;
}

/* Splits on blanks into at most `max` words, each NUL-terminated in buf. */
static size_t fields(const char *line, size_t len, char *buf, size_t cap,
                     const char **f, size_t max) {
  size_t n = 0, o = 0;
  for (size_t i = 0; i < len && n < max;) {
    while (i < len && isspace((unsigned char)line[i]))
      i++;
    if (i >= len)
      break;
    size_t s = i;
    while (i < len && !isspace((unsigned char)line[i]))
      i++;
    if (o + (i - s) + 1 > cap)
      break;
    memcpy(buf + o, line + s, i - s);
    buf[o + (i - s)] = 0;
    f[n++] = buf + o;
    o += i - s + 1;
  }
  return n;
}

static int inetd_line(const char *line, size_t len) {
  char buf[512];
  const char *f[8];
  size_t n = fields(line, len, buf, sizeof buf, f, 8);
  if (n < 6)
    return 0;
  return (!strcmp(f[1], "stream") || !strcmp(f[1], "dgram") ||
          !strcmp(f[1], "raw") || !strcmp(f[1], "seqpacket")) &&
         (prefix(f[3], "wait") || prefix(f[3], "nowait"));
}

static int cron_time(const char *w) {
  if (!*w)
    return 0;
  for (; *w; w++)
    if (!isdigit((unsigned char)*w) && !strchr("*/,-", *w) &&
        !isalpha((unsigned char)*w))
      return 0;
  return 1;
}

static int cron_line(const char *line, size_t len) {
  char buf[512];
  const char *f[6];
  size_t n = fields(line, len, buf, sizeof buf, f, 6);
  if (n >= 1 && strchr(f[0], '=') && !strchr(f[0], '/'))
    return 1; /* VAR=value */
  if (n >= 2 && f[0][0] == '@')
    return 1;
  if (n < 6)
    return 0;
  for (size_t i = 0; i < 5; i++)
    if (!cron_time(f[i]))
      return 0;
  return 1;
}

static int has_line(const char *d, size_t len, const char *want) {
  size_t wl = strlen(want);
  for (const char *p = d; (p = memmem(p, len - (size_t)(p - d), want, wl));
       p += wl)
    if ((p == d || p[-1] == '\n') &&
        (p + wl == d + len || p[wl] == '\n' || p[wl] == '\r'))
      return 1;
  return 0;
}

fwvet_shctx fwvet_shctx_detect(const fwvet_node *node, const char *d,
                               size_t len) {
  if (fwvet_node_kind(node) != FWVET_KIND_FILE || len == 0 ||
      len > FWVET_SHCTX_MAX_FILE)
    return FWVET_SHCTX_NONE;
  const char *type = fwvet_node_type(node);
  int script = !strcmp(type, "script");
  if (!script && strcmp(type, "text") != 0)
    return FWVET_SHCTX_NONE;
  fwvet_shctx c = by_path(fwvet_node_fspath(node));
  if (c != FWVET_SHCTX_NONE)
    return c;
  if (script)
    return FWVET_SHCTX_SCRIPT;
  if (has_line(d, len, "[Service]"))
    return FWVET_SHCTX_SYSTEMD;
  if (all_lines(d, len, inittab_line))
    return FWVET_SHCTX_INITTAB;
  if (all_lines(d, len, inetd_line))
    return FWVET_SHCTX_INETD;
  if (all_lines(d, len, cron_line))
    return FWVET_SHCTX_CRON;
  return FWVET_SHCTX_NONE;
}

const char *fwvet_shctx_name(fwvet_shctx ctx) {
  switch (ctx) {
  case FWVET_SHCTX_SCRIPT:
    return "a script";
  case FWVET_SHCTX_INIT:
    return "an init script";
  case FWVET_SHCTX_INITTAB:
    return "inittab";
  case FWVET_SHCTX_INETD:
    return "inetd.conf";
  case FWVET_SHCTX_SYSTEMD:
    return "a systemd unit";
  case FWVET_SHCTX_CRON:
    return "a crontab";
  case FWVET_SHCTX_CGI:
    return "a CGI script";
  default:
    return "a file";
  }
}

int fwvet_shctx_cron_has_user(const fwvet_node *node) {
  const char *fs = fwvet_node_fspath(node);
  return !strcmp(fs, "/etc/crontab") || prefix(fs, "/etc/cron.d/");
}

void fwvet_shlines_init(fwvet_shlines *it, const char *d, size_t len) {
  it->d = d;
  it->len = len;
  it->pos = 0;
  it->next = 0;
}

int fwvet_shlines_next(fwvet_shlines *it, const char **line, size_t *len,
                       unsigned *lineno) {
  if (it->pos >= it->len)
    return 0;
  unsigned first = it->next + 1;
  size_t o = 0;
  while (it->pos < it->len) {
    const char *p = it->d + it->pos;
    const char *nl = memchr(p, '\n', it->len - it->pos);
    size_t l = nl ? (size_t)(nl - p) : it->len - it->pos;
    it->pos += l + (nl ? 1 : 0);
    it->next++;
    if (l && p[l - 1] == '\r')
      l--;
    int more = l && p[l - 1] == '\\' && it->next - first < 64;
    if (more)
      l--;
    size_t room = sizeof it->buf - 1 - o;
    size_t take = l < room ? l : room;
    memcpy(it->buf + o, p, take);
    o += take;
    if (!more)
      break;
  }
  it->buf[o] = 0;
  *line = it->buf;
  *len = o;
  *lineno = first;
  return 1;
}

/* ---- the lexer ---- */

enum { SUB_PAREN = 1, SUB_TICK };

typedef struct lexer {
  fwvet_shline *sl;
  int cur;     /* command receiving words, -1 for none */
  int pending; /* the next word starts a new command */
  int pend_piped, pend_parent;
  size_t wstart, wlen; /* word being built, in sl->store */
  int inword, redirect;
  struct {
    int parent, in_dq, kind;
  } stack[8];
  int depth;
} lexer;

static void put(lexer *lx, char c) {
  fwvet_shline *sl = lx->sl;
  if (!lx->inword) {
    lx->inword = 1;
    lx->wstart = sl->used;
    lx->wlen = 0;
  }
  /* Keep one byte for the terminator. */
  if (lx->wstart + lx->wlen + 1 < sizeof sl->store)
    sl->store[lx->wstart + lx->wlen++] = c;
}

static int sub_parent(const lexer *lx) {
  return lx->depth ? lx->stack[lx->depth - 1].parent : -1;
}

static void end_word(lexer *lx) {
  fwvet_shline *sl = lx->sl;
  if (!lx->inword)
    return;
  lx->inword = 0;
  if (lx->redirect) {
    lx->redirect = 0;
    return;
  }
  if (lx->pending || lx->cur < 0) {
    if (sl->n >= FWVET_SHCMD_MAX)
      return;
    fwvet_shcmd *c = &sl->cmd[sl->n];
    c->argc = 0;
    c->piped = lx->pend_piped;
    c->parent = lx->pend_parent;
    lx->cur = (int)sl->n++;
    lx->pending = 0;
  }
  if (lx->wstart + lx->wlen >= sizeof sl->store)
    return; /* the store is full: the rest of the line is dropped */
  fwvet_shcmd *c = &sl->cmd[lx->cur];
  sl->store[lx->wstart + lx->wlen] = 0;
  if (c->argc < FWVET_SHCMD_WORDS)
    c->argv[c->argc++] = sl->store + lx->wstart;
  sl->used = lx->wstart + lx->wlen + 1;
}

static void separate(lexer *lx, int piped) {
  end_word(lx);
  lx->redirect = 0;
  lx->pending = 1;
  lx->pend_piped = piped;
  lx->pend_parent = sub_parent(lx);
}

static void open_sub(lexer *lx, int kind, int in_dq) {
  end_word(lx);
  if (lx->depth >= 8) {
    separate(lx, 0);
    return;
  }
  int parent = lx->pending ? -1 : lx->cur;
  lx->stack[lx->depth].parent = parent;
  lx->stack[lx->depth].in_dq = in_dq;
  lx->stack[lx->depth].kind = kind;
  lx->depth++;
  lx->pending = 1;
  lx->pend_piped = 0;
  lx->pend_parent = parent;
}

/* Returns the double-quote state to resume. */
static int close_sub(lexer *lx) {
  end_word(lx);
  lx->depth--;
  int parent = lx->stack[lx->depth].parent;
  lx->cur = parent;
  lx->pending = parent < 0;
  lx->pend_piped = 0;
  lx->pend_parent = sub_parent(lx);
  return lx->stack[lx->depth].in_dq;
}

static int all_digits(const char *s, size_t n) {
  if (n == 0)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i]))
      return 0;
  return 1;
}

static void lex(fwvet_shline *sl, const char *s, size_t len) {
  lexer lx = {.sl = sl, .cur = -1, .pending = 1, .pend_parent = -1};
  int dq = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i], nx = i + 1 < len ? s[i + 1] : 0;
    int top = lx.depth ? lx.stack[lx.depth - 1].kind : 0;
    if (c == '\\' && i + 1 < len) {
      put(&lx, s[++i]);
      continue;
    }
    if (c == '$' && nx == '(') {
      open_sub(&lx, SUB_PAREN, dq);
      dq = 0;
      i++;
      continue;
    }
    if (c == '`') {
      if (top == SUB_TICK)
        dq = close_sub(&lx);
      else {
        open_sub(&lx, SUB_TICK, dq);
        dq = 0;
      }
      continue;
    }
    if (c == '$' && nx == '{') {
      /* ${...} is one piece of a word, braces included */
      size_t j = i;
      while (j < len && s[j] != '}')
        put(&lx, s[j++]);
      if (j < len)
        put(&lx, '}');
      i = j;
      continue;
    }
    if (dq) {
      if (c == '"')
        dq = 0;
      else
        put(&lx, c);
      continue;
    }
    switch (c) {
    case '"':
      dq = 1;
      if (!lx.inword)
        put(&lx, 0), lx.wlen = 0; /* "" is an empty word */
      continue;
    case '\'': {
      if (!lx.inword)
        put(&lx, 0), lx.wlen = 0;
      size_t j = i + 1;
      while (j < len && s[j] != '\'')
        put(&lx, s[j++]);
      i = j;
      continue;
    }
    case ' ':
    case '\t':
    case '\r':
    case '\n':
      end_word(&lx);
      continue;
    case '#':
      if (!lx.inword)
        goto out;
      put(&lx, c);
      continue;
    case '|':
      if (nx == '|') {
        separate(&lx, 0);
        i++;
      } else {
        separate(&lx, 1);
        if (nx == '&')
          i++;
      }
      continue;
    case ';':
    case '&':
      separate(&lx, 0);
      if (nx == c)
        i++;
      continue;
    case '(':
      separate(&lx, 0);
      continue;
    case ')':
      if (top == SUB_PAREN)
        dq = close_sub(&lx);
      else
        separate(&lx, 0);
      continue;
    case '{':
    case '}':
      if (lx.inword)
        put(&lx, c);
      else
        separate(&lx, 0);
      continue;
    case '<':
    case '>':
      if (nx == '(') { /* process substitution */
        open_sub(&lx, SUB_PAREN, 0);
        i++;
        continue;
      }
      /* "2>" : the digits are a descriptor, not an argument */
      if (lx.inword && all_digits(sl->store + lx.wstart, lx.wlen))
        lx.inword = 0;
      end_word(&lx);
      while (i + 1 < len && strchr("<>|", s[i + 1]))
        i++;
      if (i + 1 < len && s[i + 1] == '&') {
        i++;
        while (i + 1 < len &&
               (isdigit((unsigned char)s[i + 1]) || s[i + 1] == '-'))
          i++;
        continue;
      }
      lx.redirect = 1;
      continue;
    default:
      put(&lx, c);
    }
  }
out:
  end_word(&lx);
}

/* Programs whose quoted arguments are messages, not commands. */
static const char *const talkers[] = {"echo",  "printf", "logger", "log",
                                      "print", "puts",   "msg",    "warn",
                                      "error", "die",    NULL};

void fwvet_shline_parse(fwvet_shline *sl, const char *s, size_t len) {
  sl->n = 0;
  sl->used = 0;
  lex(sl, s, len);
  /* Quoted words that look like command lines are lexed in turn; the
   * budget bounds the work on lines built to defeat it. */
  int budget = 8;
  for (size_t i = 0; i < sl->n && budget > 0; i++) {
    fwvet_shcmd *c = &sl->cmd[i];
    if (c->argc && fwvet_sh_base_in(c->argv[0], talkers))
      continue;
    for (size_t w = 0; w < c->argc && budget > 0; w++) {
      const char *word = c->argv[w];
      if (!strchr(word, ' '))
        continue;
      budget--;
      lex(sl, word, strlen(word));
    }
  }
}

/* ---- what a command runs ---- */

const char *fwvet_sh_base(const char *word) {
  if (*word == '-')
    word++;
  const char *slash = strrchr(word, '/');
  return slash ? slash + 1 : word;
}

int fwvet_sh_base_in(const char *word, const char *const *names) {
  const char *b = fwvet_sh_base(word);
  for (size_t i = 0; names[i]; i++)
    if (!strcmp(b, names[i]))
      return 1;
  return 0;
}

int fwvet_sh_is_shell(const char *word) {
  static const char *const shells[] = {"sh",   "ash",  "bash", "dash", "ksh",
                                       "zsh",  "hush", "msh",  "mksh", "lash",
                                       "tcsh", "csh",  NULL};
  /* "/bin/sh -i" given as one value (telnetd -l "/bin/sh -i") */
  char first[64];
  size_t n = strcspn(word, " \t,"); /* socat: exec:/bin/sh,pty */
  if (n == 0 || n >= sizeof first)
    return 0;
  memcpy(first, word, n);
  first[n] = 0;
  return fwvet_sh_base_in(first, shells);
}

const char *fwvet_sh_opt(const char *const *argv, size_t from, size_t to,
                         char opt, const char *with_arg, const char *longopt) {
  size_t ll = longopt ? strlen(longopt) : 0;
  for (size_t i = from; i < to; i++) {
    const char *a = argv[i];
    if (a[0] != '-' || a[1] == 0)
      continue;
    if (a[1] == '-') {
      if (a[2] == 0)
        break; /* "--": the rest are operands */
      if (!ll || strncmp(a + 2, longopt, ll) != 0)
        continue;
      if (a[2 + ll] == '=')
        return a + 3 + ll;
      if (a[2 + ll] == 0)
        return i + 1 < to ? argv[i + 1] : "";
      continue;
    }
    for (const char *p = a + 1; *p; p++) {
      int takes = strchr(with_arg, *p) != NULL;
      if (*p == opt) {
        if (!takes)
          return "";
        if (p[1])
          return p + 1;
        return i + 1 < to ? argv[i + 1] : "";
      }
      if (takes) {
        if (!p[1])
          i++; /* its value is the next word */
        break;
      }
    }
  }
  return NULL;
}

static int assignment(const char *w) {
  if (!isalpha((unsigned char)*w) && *w != '_')
    return 0;
  while (isalnum((unsigned char)*w) || *w == '_')
    w++;
  return *w == '=';
}

static int number(const char *w) { return all_digits(w, strlen(w)); }

static size_t copy_words(const char *const *src, size_t n, const char **out,
                         size_t cap) {
  size_t k = n < cap ? n : cap;
  for (size_t i = 0; i < k; i++)
    out[i] = src[i];
  return k;
}

/* start-stop-daemon --start --exec PROG -- ARGS */
static size_t ssd(const char *const *a, size_t n, const char **out,
                  size_t cap) {
  if (fwvet_sh_opt(a, 1, n, 'K', "xapunNcgrdPsk", "stop"))
    return 0;
  const char *prog = fwvet_sh_opt(a, 1, n, 'a', "xapunNcgrdPsk", "startas");
  if (!prog || !*prog)
    prog = fwvet_sh_opt(a, 1, n, 'x', "xapunNcgrdPsk", "exec");
  if (!prog || !*prog || cap == 0)
    return 0;
  out[0] = prog;
  size_t k = 1, i = 1;
  while (i < n && strcmp(a[i], "--") != 0)
    i++;
  for (i++; i < n && k < cap; i++)
    out[k++] = a[i];
  return k;
}

size_t fwvet_shcmd_program(const fwvet_shcmd *cmd, const char **out, size_t cap,
                           int *bound) {
  static const char *const plain[] = {"exec",    "nohup",
                                      "setsid",  "command",
                                      "builtin", "sudo",
                                      "doas",    "nice",
                                      "ionice",  "time",
                                      "timeout", "stdbuf",
                                      "taskset", "if",
                                      "then",    "else",
                                      "elif",    "do",
                                      "while",   "until",
                                      "!",       "eval",
                                      "chrt",    "busybox",
                                      "env",     "service_start",
                                      NULL};
  static const char *const svd[] = {"tcpsvd", "udpsvd", NULL};
  const char *const *a = cmd->argv;
  size_t n = cmd->argc, i = 0;
  *bound = 0;
  for (int hops = 0; hops < 8 && i < n; hops++) {
    while (i < n && assignment(a[i]))
      i++;
    if (i >= n)
      return 0;
    const char *w = a[i];
    if (!strcmp(w, "command") && i + 1 < n &&
        (!strcmp(a[i + 1], "-v") || !strcmp(a[i + 1], "-V")))
      return 0; /* a lookup, not a run */
    if (fwvet_sh_base_in(w, plain)) {
      for (i++; i < n && (a[i][0] == '-' || number(a[i]) || assignment(a[i]));
           i++)
        if (!strcmp(a[i], "-n") || !strcmp(a[i], "-c"))
          i++; /* nice -n 10, ionice -c 3 */
      continue;
    }
    if (!strcmp(fwvet_sh_base(w), "chroot")) {
      i += 2;
      continue;
    }
    if (!strcmp(fwvet_sh_base(w), "start-stop-daemon"))
      return ssd(a + i, n - i, out, cap);
    if (!strcmp(w, "procd_set_param")) {
      if (i + 1 >= n || strcmp(a[i + 1], "command") != 0)
        return 0;
      i += 2;
      continue;
    }
    if (fwvet_sh_base_in(w, svd)) {
      /* tcpsvd [-hEv] [-c N] [-C N[:MSG]] [-b N] [-u USER] [-l NAME]
       * IP PORT PROG ARGS */
      for (i++; i < n && a[i][0] == '-'; i++)
        if (strchr("cCbul", a[i][1]) && a[i][2] == 0)
          i++;
      i += 2;
      *bound = 1;
      continue;
    }
    return copy_words(a + i, n - i, out, cap);
  }
  return 0;
}

void fwvet_sh_normalise(const char *s, size_t len, char *out, size_t cap) {
  size_t o = 0;
  int space = 0;
  if (cap == 0)
    return;
  for (size_t i = 0; i < len && o + 1 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (isspace(c)) {
      space = o > 0;
      continue;
    }
    if (space && o + 2 < cap)
      out[o++] = ' ';
    space = 0;
    out[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
  }
  out[o] = 0;
}
