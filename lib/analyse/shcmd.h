/*
 * Commands in boot-time and CGI code, for the services and remote-code
 * analysers: where a file runs (its context), its logical lines, and a
 * small shell lexer that turns a line into simple commands.
 *
 * The lexer is not a shell: it knows words, quotes, pipes, separators,
 * redirections and command substitution, which is what the rules need to
 * find "which program runs with which arguments".  Everything is bounded
 * (line length, commands per line, words per command); what does not fit
 * is dropped, never written past.
 */
#ifndef FWVET_ANALYSE_SHCMD_H
#define FWVET_ANALYSE_SHCMD_H

#include <stddef.h>

#include "fwvet/vfs.h"

typedef enum fwvet_shctx {
  FWVET_SHCTX_NONE = 0, /* not code we analyse */
  FWVET_SHCTX_SCRIPT,   /* a script found by its shebang */
  FWVET_SHCTX_INIT,     /* init script, rcS, rc.local, rc.d */
  FWVET_SHCTX_INITTAB,
  FWVET_SHCTX_INETD,
  FWVET_SHCTX_SYSTEMD,
  FWVET_SHCTX_CRON,
  FWVET_SHCTX_CGI,
} fwvet_shctx;

/* Files larger than this are not analysed as code. */
#define FWVET_SHCTX_MAX_FILE (2u << 20)

/* Decides how `node` runs, from its fspath and its content. */
fwvet_shctx fwvet_shctx_detect(const fwvet_node *node, const char *d,
                               size_t len);
/* "an init script", "inittab", ... for messages. */
const char *fwvet_shctx_name(fwvet_shctx ctx);
/* Whether a crontab at this place has a user field (/etc/crontab). */
int fwvet_shctx_cron_has_user(const fwvet_node *node);

/* Logical lines: backslash-newline continuations joined, CR dropped. */
#define FWVET_SHLINE_MAX 4096
typedef struct fwvet_shlines {
  const char *d;
  size_t len, pos;
  unsigned next;
  char buf[FWVET_SHLINE_MAX];
} fwvet_shlines;

void fwvet_shlines_init(fwvet_shlines *it, const char *d, size_t len);
/* Next logical line into *line and *len (valid until the next call), its
 * first physical line number; returns 0 at the end. */
int fwvet_shlines_next(fwvet_shlines *it, const char **line, size_t *len,
                       unsigned *lineno);

/* A simple command as words, and how it is connected to the previous. */
#define FWVET_SHCMD_WORDS 32
#define FWVET_SHCMD_MAX 32
typedef struct fwvet_shcmd {
  const char *argv[FWVET_SHCMD_WORDS];
  size_t argc;
  int piped;  /* its stdin is the previous command's stdout */
  int parent; /* index of the command it is substituted into, or -1 */
} fwvet_shcmd;

typedef struct fwvet_shline {
  fwvet_shcmd cmd[FWVET_SHCMD_MAX];
  size_t n;
  char store[2 * FWVET_SHLINE_MAX];
  size_t used;
} fwvet_shline;

/* Splits `s` into simple commands.  Quoted words that look like command
 * lines themselves (`sh -c "..."`, `system("...")`) are split too, and
 * their commands appended. */
void fwvet_shline_parse(fwvet_shline *sl, const char *s, size_t len);

/*
 * The program a command really runs and its arguments: skips variable
 * assignments, shell keywords and wrappers (exec, nohup, busybox, env,
 * setsid, start-stop-daemon --start, procd_set_param command, tcpsvd and
 * udpsvd ...).  Writes at most `cap` words to `out` and returns how many
 * (0 when there is no program, e.g. start-stop-daemon --stop).  *bound is
 * set when a wrapper binds the program to a network port.
 */
size_t fwvet_shcmd_program(const fwvet_shcmd *cmd, const char **out, size_t cap,
                           int *bound);

/* Base name of a path word, with a leading '-' (login shell) dropped. */
const char *fwvet_sh_base(const char *word);
/* Whether a word names an interactive shell (sh, /bin/ash, -/bin/sh). */
int fwvet_sh_is_shell(const char *word);
/* Whether a base name is one of `names` (NULL-terminated). */
int fwvet_sh_base_in(const char *word, const char *const *names);

/*
 * getopt-style lookup of option `opt` in argv[from..to): "-l x", "-lx",
 * "-Fl x".  `with_arg` lists the option letters that take a value, so
 * "-p23" is not read as flags.  Returns the value (or "" for a flag), or
 * NULL when absent.  `longopt` (may be NULL) also matches "--name=value"
 * and "--name value".
 */
const char *fwvet_sh_opt(const char *const *argv, size_t from, size_t to,
                         char opt, const char *with_arg, const char *longopt);

/* The line with runs of white space collapsed to one space, trimmed and
 * capped, for evidence. */
void fwvet_sh_normalise(const char *s, size_t len, char *out, size_t cap);

#endif
