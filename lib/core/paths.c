/* Where fwvet keeps its databases (see paths.h). */
#include "core/paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *fwvet_data_path(const char *name, char *buf, size_t cap) {
  const char *xdg = getenv("XDG_DATA_HOME");
  const char *home = getenv("HOME");
  int n;
  if (xdg && xdg[0] == '/')
    n = snprintf(buf, cap, "%s/fwvet/%s", xdg, name);
  else if (home && home[0])
    n = snprintf(buf, cap, "%s/.local/share/fwvet/%s", home, name);
  else
    return NULL;
  if (n < 0 || (size_t)n >= cap)
    return NULL;
  return buf;
}

fwvet_status fwvet_make_parent(const char *path) {
  char *dir = strdup(path);
  fwvet_status st = FWVET_OK;
  if (!dir)
    return FWVET_ENOMEM;
  char *slash = strrchr(dir, '/');
  if (!slash || slash == dir)
    goto out;
  *slash = '\0';
  for (char *p = dir + 1;; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    char c = *p;
    *p = '\0';
    if (mkdir(dir, 0777) && errno != EEXIST) {
      st = FWVET_EIO;
      goto out;
    }
    *p = c;
    if (!c)
      break;
  }
out:
  free(dir);
  return st;
}
