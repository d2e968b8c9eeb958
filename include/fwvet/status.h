/* fwvet — status codes shared by every public function. */
#ifndef FWVET_STATUS_H
#define FWVET_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One status enum for the whole library.  Append only: the numeric values
 * are part of the ABI.  FWVET_OK is zero so `if (st)` tests for failure.
 *
 * A bad *item* (a corrupt partition, a truncated stream) is never a status:
 * it becomes a finding and the run goes on.  A status other than FWVET_OK
 * means the requested operation itself could not be done.
 */
typedef enum fwvet_status {
  FWVET_OK = 0,
  FWVET_ENOMEM,      /* out of memory: fatal for the run */
  FWVET_EIO,         /* reading or writing a file failed (errno kept) */
  FWVET_EINVAL,      /* invalid argument from the caller */
  FWVET_ECORRUPT,    /* data is malformed */
  FWVET_ELIMIT,      /* a configured limit was reached */
  FWVET_ENOTFOUND,   /* not this format / no such item */
  FWVET_EUNSUPPORTED,/* recognised but not supported (e.g. a compressor) */
  FWVET_EUNSAFE,     /* refused for safety (path traversal, link) */
  FWVET_EEXIST,      /* refusing to overwrite something that exists */
  FWVET_ECANCELLED,  /* stopped by the caller's callback */
} fwvet_status;

/* Returns a static, lower-case description of `st`; never NULL. */
const char *fwvet_strerror(fwvet_status st);

#ifdef __cplusplus
}
#endif
#endif
