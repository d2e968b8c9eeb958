/* Status and severity names. */
#include <string.h>

#include "fwvet/fwvet.h"

const char *fwvet_strerror(fwvet_status st) {
  switch (st) {
  case FWVET_OK: return "success";
  case FWVET_ENOMEM: return "out of memory";
  case FWVET_EIO: return "input/output error";
  case FWVET_EINVAL: return "invalid argument";
  case FWVET_ECORRUPT: return "corrupt data";
  case FWVET_ELIMIT: return "limit reached";
  case FWVET_ENOTFOUND: return "not found";
  case FWVET_EUNSUPPORTED: return "unsupported";
  case FWVET_EUNSAFE: return "refused as unsafe";
  case FWVET_EEXIST: return "already exists";
  case FWVET_ECANCELLED: return "cancelled";
  }
  return "unknown status";
}

static const char *const sev_names[] = {"info", "low", "medium", "high",
                                        "critical"};

const char *fwvet_severity_name(fwvet_severity sev) {
  if ((unsigned)sev < sizeof sev_names / sizeof *sev_names)
    return sev_names[sev];
  return "unknown";
}

int fwvet_severity_parse(const char *name) {
  for (size_t i = 0; i < sizeof sev_names / sizeof *sev_names; i++)
    if (strcmp(name, sev_names[i]) == 0)
      return (int)i;
  return -1;
}

const char *fwvet_version(void) { return FWVET_VERSION_STRING; }
