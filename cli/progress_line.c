/* The progress line: a thread samples the library's counters and redraws
 * one line of stderr, so the scan's workers never wait on the terminal. */
#include "progress_line.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_NS 100000000L /* ten redraws a second at most */

struct cli_progress {
  fwvet_progress *counters;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int stop, drawn;
  const char *label;
  struct timespec start;
};

static double since(const struct timespec *t0) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t0->tv_sec) +
         (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static unsigned term_width(void) {
  struct winsize ws;
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
    return ws.ws_col;
  return 80;
}

static void draw(cli_progress *p) {
  fwvet_progress_counts c;
  fwvet_progress_read(p->counters, &c);
  unsigned secs = (unsigned)since(&p->start);
  char bar[21];
  size_t fill = c.nodes_found ? (size_t)(20 * c.nodes_done / c.nodes_found)
                              : 0;
  for (size_t i = 0; i < 20; i++)
    bar[i] = i < fill ? '#' : '-';
  bar[20] = '\0';
  char line[512];
  int n = snprintf(line, sizeof line,
                   "[%s] %llu of %llu files analysed, %.1f MiB unpacked, "
                   "%u:%02u  %s",
                   bar, (unsigned long long)c.nodes_done,
                   (unsigned long long)c.nodes_found,
                   (double)c.bytes_done / 1048576.0, secs / 60, secs % 60,
                   p->label);
  unsigned width = term_width() - 1; /* no wrap in the last column */
  if (n < 0)
    return;
  if ((unsigned)n > width)
    n = (int)width;
  /* \r and "erase to end of line": the line is redrawn in place. */
  fprintf(stderr, "\r%.*s\033[K", n, line);
  fflush(stderr);
}

static void *loop(void *arg) {
  cli_progress *p = arg;
  pthread_mutex_lock(&p->lock);
  while (!p->stop) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += REDRAW_NS;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    int rc = pthread_cond_timedwait(&p->cond, &p->lock, &until);
    if (rc == ETIMEDOUT && !p->stop) {
      draw(p);
      p->drawn = 1;
    }
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

cli_progress *cli_progress_start(const char *label, fwvet_open_options *opt) {
  if (!isatty(STDERR_FILENO))
    return NULL;
  cli_progress *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  p->counters = fwvet_progress_create();
  const char *slash = strrchr(label, '/');
  p->label = slash && slash[1] ? slash + 1 : label;
  clock_gettime(CLOCK_MONOTONIC, &p->start);
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->cond, NULL);
  if (!p->counters || pthread_create(&p->thread, NULL, loop, p) != 0) {
    /* No progress line is no reason to fail the scan. */
    fwvet_progress_destroy(p->counters);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    free(p);
    return NULL;
  }
  opt->progress = p->counters;
  return p;
}

void cli_progress_stop(cli_progress *p) {
  if (!p)
    return;
  pthread_mutex_lock(&p->lock);
  p->stop = 1;
  pthread_cond_signal(&p->cond);
  pthread_mutex_unlock(&p->lock);
  pthread_join(p->thread, NULL);
  if (p->drawn) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
  }
  fwvet_progress_destroy(p->counters);
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->cond);
  free(p);
}
