/* fwvet — user YARA rules that a scan matches against every file. */
#ifndef FWVET_RULES_H
#define FWVET_RULES_H

#include <stddef.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fwvet_rules fwvet_rules; /* opaque compiled rule set */

/*
 * Compiles the YARA rule files files[0..n) into one rule set.  All files
 * share one namespace, so a rule name may appear only once over all of
 * them (it becomes the finding's rule id, "yara.<name>").  The caller
 * owns *out (written only on success) and frees it with
 * fwvet_rules_destroy(); it is read-only afterwards and may be used by
 * any number of scans at once.
 *
 * On failure `err` (if errlen > 0) holds a message: for FWVET_EINVAL
 * (the rules do not compile) the first error as "FILE:LINE: message",
 * for FWVET_EIO (a file cannot be read; errno kept) the file's name.
 */
fwvet_status fwvet_rules_compile(const char *const *files, size_t n,
                                 fwvet_rules **out, char *err,
                                 size_t errlen);

void fwvet_rules_destroy(fwvet_rules *rules); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif
