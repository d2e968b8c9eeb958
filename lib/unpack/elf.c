/* ELF extent: where an ELF file's own bytes end. */
#include "unpack/elf.h"

#include "core/cursor.h"

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

size_t fwvet_elf_extent(const uint8_t *data, size_t len) {
  if (len < 52 || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' ||
      data[3] != 'F')
    return 0;
  int is64 = data[4] == 2;
  if ((data[4] != 1 && data[4] != 2) || (data[5] != 1 && data[5] != 2))
    return 0;
  fwvet_cursor c;
  fwvet_cursor_init(&c, data, len, data[5] == 2);
  unsigned w = is64 ? 8 : 4;
  fwvet_cursor_seek(&c, 24 + w); /* e_entry skipped: e_phoff next */
  uint64_t phoff = fwvet_cursor_uint(&c, w);
  uint64_t shoff = fwvet_cursor_uint(&c, w);
  fwvet_cursor_skip(&c, 4); /* e_flags */
  uint64_t ehsize = fwvet_cursor_u16(&c);
  uint64_t phentsize = fwvet_cursor_u16(&c);
  uint64_t phnum = fwvet_cursor_u16(&c);
  uint64_t shentsize = fwvet_cursor_u16(&c);
  uint64_t shnum = fwvet_cursor_u16(&c);
  if (c.bad || ehsize > len)
    return 0;
  uint64_t end = ehsize;
  if (phnum && phentsize >= (is64 ? 56u : 32u) &&
      fwvet_fits(phoff, phnum * phentsize, len)) {
    end = max64(end, phoff + phnum * phentsize);
    for (uint64_t i = 0; i < phnum; i++) {
      fwvet_cursor_seek(&c, phoff + i * phentsize);
      uint64_t off, filesz;
      if (is64) {
        fwvet_cursor_skip(&c, 8);
        off = fwvet_cursor_u64(&c);
        fwvet_cursor_skip(&c, 16);
        filesz = fwvet_cursor_u64(&c);
      } else {
        fwvet_cursor_skip(&c, 4);
        off = fwvet_cursor_u32(&c);
        fwvet_cursor_skip(&c, 8);
        filesz = fwvet_cursor_u32(&c);
      }
      if (!c.bad && fwvet_fits(off, filesz, len))
        end = max64(end, off + filesz);
    }
  }
  if (shnum && shentsize >= (is64 ? 64u : 40u) &&
      fwvet_fits(shoff, shnum * shentsize, len)) {
    end = max64(end, shoff + shnum * shentsize);
    for (uint64_t i = 0; i < shnum; i++) {
      fwvet_cursor_seek(&c, shoff + i * shentsize);
      fwvet_cursor_skip(&c, 4);
      uint32_t type = fwvet_cursor_u32(&c);
      fwvet_cursor_skip(&c, is64 ? 16 : 8);
      uint64_t off = fwvet_cursor_uint(&c, w);
      uint64_t size = fwvet_cursor_uint(&c, w);
      if (!c.bad && type != 8 /* SHT_NOBITS */ && fwvet_fits(off, size, len))
        end = max64(end, off + size);
    }
  }
  return (size_t)end;
}
