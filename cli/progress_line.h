/* The progress line of long commands, on a terminal's stderr only. */
#ifndef FWVET_CLI_PROGRESS_LINE_H
#define FWVET_CLI_PROGRESS_LINE_H

#include <fwvet/fwvet.h>

typedef struct cli_progress cli_progress;

/*
 * When stderr is a terminal, creates counters for `opt->progress` and
 * starts a thread that redraws one line (bar, nodes analysed of nodes
 * unpacked, bytes, elapsed time) at most ten times a second; otherwise
 * returns NULL and does nothing.  `label` names the input.
 */
cli_progress *cli_progress_start(const char *label, fwvet_open_options *opt);
/* Stops the thread, clears the line and frees; NULL is a no-op. */
void cli_progress_stop(cli_progress *p);

#endif
