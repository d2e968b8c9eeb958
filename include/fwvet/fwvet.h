/* fwvet — firmware evaluation library.  The one header users include. */
#ifndef FWVET_H
#define FWVET_H

#include "status.h"
#include "finding.h"
#include "vfs.h"
#include "elf.h"
#include "extract.h"
#include "rules.h"
#include "component.h"
#include "vulndb.h"
#include "scan.h"
#include "report.h"
#include "equiv.h"
#include "store.h"
#include "diff.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Library version, "MAJOR.MINOR.PATCH". */
const char *fwvet_version(void);

#ifdef __cplusplus
}
#endif
#endif
