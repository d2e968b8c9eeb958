/* Package databases inside an image (internal; pkgdb.c). */
#ifndef FWVET_ANALYSE_PKGDB_H
#define FWVET_ANALYSE_PKGDB_H

#include "analyse/analyser.h"

/* If `node` is a package database (dpkg or opkg/ipkg status, an opkg
 * control file, Alpine's installed database), reports every installed
 * package as component evidence; otherwise does nothing. */
void fwvet_pkgdb_read(fwvet_sink *sink, const fwvet_node *node,
                      const uint8_t *data, size_t len);

/* The same for RPM's SQLite database (rpmdb.c). */
void fwvet_rpmdb_read(fwvet_sink *sink, const fwvet_node *node,
                      const uint8_t *data, size_t len);

#endif
