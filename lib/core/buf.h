/* Reference-counted immutable byte buffers (internal). */
#ifndef FWVET_CORE_BUF_H
#define FWVET_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * Bytes shared by a node and every slice taken from it.  The creator holds
 * one reference; each holder retains and releases.  The bytes are freed
 * (or unmapped) when the last reference goes.  Thread-safe.
 */
typedef struct fwvet_buf fwvet_buf;

/* Takes ownership of `data` (malloc); NULL on out of memory (and frees
 * `data`). */
fwvet_buf *fwvet_buf_wrap(uint8_t *data, size_t len);
/* Maps the regular file open as `fd` read-only; NULL with errno set. */
fwvet_buf *fwvet_buf_map(int fd, size_t len);
/* Refers to `len` bytes the caller keeps alive longer than the buffer. */
fwvet_buf *fwvet_buf_borrow(const uint8_t *data, size_t len);

fwvet_buf *fwvet_buf_retain(fwvet_buf *b);
void fwvet_buf_release(fwvet_buf *b); /* NULL is a no-op */

const uint8_t *fwvet_buf_data(const fwvet_buf *b);
size_t fwvet_buf_len(const fwvet_buf *b);

#endif
