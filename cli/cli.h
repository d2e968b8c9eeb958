/* Shared pieces of the fwvet commands. */
#ifndef FWVET_CLI_H
#define FWVET_CLI_H

#include <fwvet/fwvet.h>
#include <stdio.h>

enum { EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_INPUT = 3 };

/* Options every unpacking command takes. */
typedef struct cli_opts {
  fwvet_open_options open;
  fwvet_report_options report;
  const char *output;   /* -o FILE, or NULL for stdout */
  const char *dir;      /* -C DIR (extract) */
  int fail_on;          /* severity, or -1 */
  const char *families; /* --families FILE (checked), or NULL */
  int call_sites;       /* --call-sites */
  fwvet_rules *rules;   /* --rules FILEs compiled (scan); caller frees */
  const char *signatures; /* --signatures FILE (checked), or NULL */
  const char *vulndb;     /* --vulndb DB, or NULL */
  const char *store;      /* --store DB, or NULL */
  const char *product;    /* --product NAME (scan), or NULL */
  const char *release;    /* --release VER (scan), or NULL */
  int replace;            /* --replace (scan) */
  int no_equiv;           /* --no-equiv (diff) */
  int color_forced;
} cli_opts;

/* Parses argv for `cmd`; returns the index of the first operand, or -1
 * after printing a usage error (exit 2), or -2 after printing help (exit
 * 0).  `usage` is the command's help text. */
int cli_parse(const char *cmd, const char *usage, int argc, char **argv,
              cli_opts *o);

/* Prints "fwvet: <what>: <why>" to stderr. */
void cli_error(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints why `path` could not be opened. */
void cli_open_error(const char *path, fwvet_status st);

/* Opens an input, printing the error; NULL on failure. */
fwvet_vfs *cli_open(const char *path, const fwvet_open_options *opt);

/* Opens -o FILE or stdout; NULL after printing an error. */
FILE *cli_output(const cli_opts *o);
/* Closes what cli_output opened; non-zero (after printing) on error. */
int cli_close_output(const cli_opts *o, FILE *f);

/* The store to use: --store DB, else the default path (NULL after
 * printing why there is none).  `buf` holds the default path. */
const char *cli_store_path(const cli_opts *o, char *buf, size_t cap);
/* Opens (with `create`: creates) a store, printing the error; NULL on
 * failure (exit 3). */
fwvet_store *cli_store_open(const char *path, int create);
/* The vulnerability database a scan uses: --vulndb, else the default one
 * when it exists.  Returns 0, or EXIT_INPUT after printing the error. */
int cli_vulndb(const cli_opts *o, char *buf, size_t cap, const char **out);
/* Scan options from the command line. */
void cli_scan_options(const cli_opts *o, const char *vulndb,
                      fwvet_scan_options *so);

extern const char cli_limits_help[];

int cmd_ls(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_audit_src(int argc, char **argv);
int cmd_equiv(int argc, char **argv);
int cmd_vulndb(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_history(int argc, char **argv);

#endif
