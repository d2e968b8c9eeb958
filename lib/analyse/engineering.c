/*
 * The engineering table from binaries: for every ELF file, the imported
 * functions of the copy/format/input families (data/unsafe-functions.txt)
 * go to the image's table (one count per binary and function, method
 * "imports"), and a binary that imports unsafe ones gets one finding
 *   engineering.unsafe-function  high when gets is among them, else low
 * listing them, sorted, so the fingerprint stays stable across releases.
 * Imports are read here (elf_facts.c's reader), not taken from the
 * hardening analyser: analysers stay independent.
 * Where the architecture allows (callsites.c), the direct calls to each
 * imported function go to a second table, method "call-sites".
 */
#include <stdlib.h>
#include <string.h>

#include "analyse/callsites.h"
#include "analyse/elf_facts.h"
#include "engineering/families.h"

#define MAX_EVIDENCE 1024

static int is_gets(const char *name) {
  return !strcmp(name, "gets") || !strcmp(name, "_IO_gets");
}

static void add_calls(void *ud, const char *name, uint64_t calls) {
  fwvet_eng_counter *c = ud;
  long k = fwvet_families_lookup(c->fam, name, strlen(name));
  if (k >= 0)
    c->n[k] += calls;
}

static void count_calls(fwvet_sink *sink, const fwvet_families *fam,
                        const uint8_t *data, size_t len) {
  fwvet_eng_counter c;
  if (fwvet_eng_counter_init(&c, fam))
    return;
  if (!fwvet_callsites_count(data, len, add_calls, &c))
    fwvet_sink_engineering_calls(sink, &c);
  fwvet_eng_counter_release(&c);
}

static void analyse(fwvet_sink *sink, const fwvet_node *node,
                    const uint8_t *data, size_t len) {
  if (strcmp(fwvet_node_type(node), "elf"))
    return;
  const fwvet_families *fam = fwvet_sink_families(sink);
  fwvet_elf_facts f;
  if (!fam || fwvet_elf_facts_read(data, len, &f))
    return;
  fwvet_eng_counter c;
  if (fwvet_eng_counter_init(&c, fam)) {
    fwvet_elf_info_free(f.info);
    fwvet_elf_facts_release(&f);
    return;
  }
  /* imports are sorted and unique: the evidence list is too */
  char ev[MAX_EVIDENCE];
  size_t evlen = 0, nunsafe = 0, cut = 0;
  int gets = 0;
  ev[0] = '\0';
  for (size_t i = 0; i < f.info->nimports; i++) {
    const char *name = f.info->imports[i];
    long k = fwvet_families_lookup(fam, name, strlen(name));
    if (k < 0)
      continue;
    c.n[k]++;
    if (fwvet_families_fn(fam, (size_t)k)->safe)
      continue;
    nunsafe++;
    gets |= is_gets(name);
    size_t m = strlen(name);
    if (evlen + m + 3 >= sizeof ev) {
      cut = 1;
      continue;
    }
    if (evlen) {
      memcpy(ev + evlen, ", ", 2);
      evlen += 2;
    }
    memcpy(ev + evlen, name, m + 1);
    evlen += m;
  }
  fwvet_sink_engineering(sink, &c);
  fwvet_eng_counter_release(&c);
  if (f.has_dynamic && fwvet_sink_options(sink)->call_sites)
    count_calls(sink, fam, data, len);
  if (nunsafe)
    fwvet_sink_report(sink, node, "engineering.unsafe-function",
                      gets ? FWVET_SEV_HIGH : FWVET_SEV_LOW, FWVET_NO_OFFSET,
                      0, ev,
                      "%s: imports %zu unbounded copy/format/input "
                      "function%s: %s%s",
                      f.info->machine ? f.info->machine : "elf", nunsafe,
                      nunsafe == 1 ? "" : "s", ev, cut ? ", ..." : "");
  fwvet_elf_info_free(f.info);
  fwvet_elf_facts_release(&f);
}

const fwvet_analyser fwvet_analyser_engineering = {"engineering", analyse};
