/* fwvet equiv: is the candidate build what the reference build is? */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include <fwvet/equiv.h>

static const char usage_head[] =
    "usage: fwvet equiv [options] REFERENCE CANDIDATE\n"
    "\n"
    "Binary equivalence of two images, directories or files (typically what\n"
    "was rebuilt from source and what was shipped).  Files are paired by\n"
    "path, then by content; each pair is identical, equivalent (differs\n"
    "only in named parts that cannot change behaviour: build-id, debug\n"
    "sections, symbols, build timestamps and paths, archive metadata...) or\n"
    "different (with sections, functions, byte ranges, instructions).\n"
    "Exit status 0 when equivalent, 1 when not.\n"
    "\n"
    "  -f, --format text|json|sarif  output format (default text)\n"
    "  -o, --output FILE       write to FILE instead of standard output\n"
    "  --explain               list every ignored byte range and its rule\n"
    "  --strict CLASS[,CLASS]  count these classes as differences: build-id,\n"
    "                          comment, debuglink, debug, symbols,\n"
    "                          section-headers, padding, timestamps,\n"
    "                          build-paths, archive-metadata, mtimes, owners,\n"
    "                          module-signature, all\n"
    "  -j, --jobs N            worker threads (default: all cores)\n";

typedef struct equiv_args {
  fwvet_equiv_format format;
  int explain;
  unsigned strict;
} equiv_args;

/* Takes this command's own options out of argv (the shared parser does
 * the rest); returns -1 after printing a usage error. */
static int take_own_options(int *argc, char **argv, equiv_args *a) {
  int k = 1;
  for (int i = 1; i < *argc; i++) {
    const char *s = argv[i], *val = NULL;
    int is_format = 0, is_strict = 0;
    if (!strcmp(s, "--")) {
      while (i < *argc)
        argv[k++] = argv[i++];
      break;
    }
    if (!strcmp(s, "--explain")) {
      a->explain = 1;
      continue;
    }
    if (!strcmp(s, "-f") || !strcmp(s, "--format"))
      is_format = 1;
    else if (!strncmp(s, "--format=", 9))
      is_format = 1, val = s + 9;
    else if (!strncmp(s, "-f", 2))
      is_format = 1, val = s + 2;
    else if (!strcmp(s, "--strict"))
      is_strict = 1;
    else if (!strncmp(s, "--strict=", 9))
      is_strict = 1, val = s + 9;
    if (!is_format && !is_strict) {
      argv[k++] = argv[i];
      continue;
    }
    if (!val) {
      if (i + 1 >= *argc) {
        cli_error("equiv", "option '%s' needs a value", s);
        return -1;
      }
      val = argv[++i];
    }
    if (is_format) {
      if (!strcmp(val, "text"))
        a->format = FWVET_EQUIV_TEXT;
      else if (!strcmp(val, "json"))
        a->format = FWVET_EQUIV_JSON;
      else if (!strcmp(val, "sarif"))
        a->format = FWVET_EQUIV_SARIF;
      else {
        cli_error("equiv", "invalid value '%s' for option '--format'", val);
        return -1;
      }
    } else {
      const char *bad = NULL;
      unsigned m;
      if (fwvet_equiv_class_parse(val, &m, &bad)) {
        cli_error("equiv", "unknown class '%.*s' for option '--strict'",
                  (int)strcspn(bad, ","), bad);
        return -1;
      }
      a->strict |= m;
    }
  }
  *argc = k;
  argv[k] = NULL;
  return 0;
}

int cmd_equiv(int argc, char **argv) {
  char usage[4096];
  snprintf(usage, sizeof usage, "%s%s", usage_head, cli_limits_help);
  equiv_args a = {FWVET_EQUIV_TEXT, 0, 0};
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      fputs(usage, stdout);
      return 0;
    }
  if (take_own_options(&argc, argv, &a)) {
    fputs("Try 'fwvet equiv --help'.\n", stderr);
    return EXIT_USAGE;
  }
  cli_opts o;
  int i = cli_parse("equiv", usage, argc, argv, &o);
  if (i == -2)
    return 0;
  if (i < 0)
    return EXIT_USAGE;
  if (argc - i != 2) {
    cli_error("equiv", "expected REFERENCE and CANDIDATE");
    fputs("Try 'fwvet equiv --help'.\n", stderr);
    return EXIT_USAGE;
  }
  fwvet_equiv_options eo;
  fwvet_equiv_options_init(&eo);
  eo.open = o.open;
  eo.strict = a.strict;
  fwvet_equiv *eq = NULL;
  fwvet_equiv_side failed = FWVET_EQUIV_REFERENCE;
  fwvet_status st =
      fwvet_equiv_compare(argv[i], argv[i + 1], &eo, &eq, &failed);
  if (st) {
    const char *which = failed == FWVET_EQUIV_CANDIDATE ? argv[i + 1]
                                                        : argv[i];
    cli_open_error(which, st);
    return EXIT_INPUT;
  }
  int rc = fwvet_equiv_overall(eq) == FWVET_EQUIV_DIFFERENT ? EXIT_FINDINGS
                                                            : 0;
  FILE *out = cli_output(&o);
  if (!out) {
    rc = EXIT_USAGE;
  } else {
    if (fwvet_report_equiv(eq, a.format, a.explain, out))
      rc = EXIT_INPUT;
    if (cli_close_output(&o, out))
      rc = EXIT_INPUT;
  }
  fwvet_equiv_destroy(eq);
  return rc;
}
