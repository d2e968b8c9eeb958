/*
 * Reading passwd-style files (internal): colon-separated fields, line by
 * line, for the analysers that look at accounts and password hashes.
 */
#ifndef FWVET_ANALYSE_PWFILE_H
#define FWVET_ANALYSE_PWFILE_H

#include <stddef.h>

typedef struct fwvet_field {
  const char *p;
  size_t len;
} fwvet_field;

/* Splits a line at ':' into up to `max` fields; returns how many fields
 * the line has (which may be more than `max`). */
size_t fwvet_pw_split(const char *line, size_t len, fwvet_field *f,
                      size_t max);

/* A field of 1 to 10 decimal digits. */
int fwvet_pw_numeric(fwvet_field f);

/* Line shapes. */
enum { FWVET_PW_OTHER = 0, FWVET_PW_PASSWD, FWVET_PW_SHADOW };

/* What a split line looks like: 7 fields with numeric UID and GID
 * (passwd), 9 fields whose third to eighth are empty or numeric (shadow),
 * or other. */
int fwvet_pw_shape(const fwvet_field *f, size_t n);

/* Iterates the records of data[0..len): the lines that are neither empty
 * nor comments ('#'), without their line end ("\n" or "\r\n"), split at
 * ':'. */
typedef struct fwvet_pw_lines {
  const char *d;
  size_t len, pos;
  unsigned lineno; /* 1-based number of the line last returned */
} fwvet_pw_lines;

void fwvet_pw_lines_init(fwvet_pw_lines *it, const char *d, size_t len);
/* The next record's first `max` fields into f[], how many fields it has
 * into *n (fwvet_pw_split); returns 0 at the end. */
int fwvet_pw_next(fwvet_pw_lines *it, fwvet_field *f, size_t max, size_t *n);

#endif
