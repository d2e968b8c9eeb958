/*
 * script.remote-code: code downloaded and run without an integrity check,
 * found line by line in the commands the services analyser parses.  A
 * download to a file is remembered for a few lines and reported when that
 * file is run, sourced or made executable; a checksum or signature check
 * of the file in between cancels it.
 */
#ifndef FWVET_ANALYSE_REMOTECODE_H
#define FWVET_ANALYSE_REMOTECODE_H

#include "analyse/analyser.h"
#include "analyse/shcmd.h"

#define FWVET_RC_PENDING 4

typedef struct fwvet_rcstate {
  struct {
    char file[160];
    char scheme[8];
    char ev[256];
    unsigned line;
    int live;
  } dl[FWVET_RC_PENDING];
  size_t next;
} fwvet_rcstate;

void fwvet_rc_init(fwvet_rcstate *st);

/* Examines the commands of one logical line (`ev` is its normalised
 * text, `where` names the file's context for messages). */
void fwvet_rc_line(fwvet_rcstate *st, fwvet_sink *sink, const fwvet_node *node,
                   const char *where, unsigned lineno, const char *ev,
                   const fwvet_shline *sl);

#endif
