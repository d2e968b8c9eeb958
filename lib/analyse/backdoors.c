/*
 * backdoor.known: byte signatures of publicly documented vendor
 * backdoors, searched in every file (binaries included).
 *
 * Only signatures with a public reference are listed, and only strings
 * long and odd enough not to occur by chance: a magic value, a hard-coded
 * password, a format string unique to the backdoor.  Each entry names the
 * reference so the finding explains itself.  One Hyperscan pass tells
 * which signatures a file holds; only those are then located.
 */
#include <stdio.h>
#include <string.h>

#include "analyse/analyser.h"
#include "core/literals.h"

static const struct signature {
  const char *bytes;
  const char *what;
  const char *ref;
} signatures[] = {
    {"xmlset_roodkcableoj28840ybtide",
     "D-Link/Alpha Networks web server skips authentication for this "
     "User-Agent (\"Joel's backdoor\")",
     "CVE-2013-6026, CERT VU#248083, 2013"},
    {"w302r_mfg", "Tenda MfgThread backdoor: root commands over UDP port 7329",
     "Craig Heffner, \"From China, With Love\", /dev/ttyS0, October 2013"},
    {"rlink_mfg",
     "Tenda MfgThread backdoor (rlink variant): root commands over UDP",
     "Craig Heffner, \"From China, With Love\", /dev/ttyS0, October 2013"},
    {"AMBIT_TELNET_ENABLE+",
     "Netgear telnetenable: a magic packet to TCP port 23 opens a root "
     "telnet console",
     "Netgear telnetenable unlock, OpenWrt wiki \"Netgear telnet console\""},
    {"<<< %s(un='%s') = %u",
     "Juniper ScreenOS unauthorized code: master password for SSH and "
     "telnet",
     "CVE-2015-7755, Juniper JSA10713, December 2015"},
    {"FGTAbc11*xy+Qqz27",
     "FortiOS SSH backdoor for the Fortimanager_Access account",
     "CVE-2016-1909, January 2016"},
    {"PrOw!aN_fXp", "Zyxel hard-coded administrator account 'zyfwp'",
     "CVE-2020-29583, December 2020"},
    {"zyad5001", "ZyXEL PK5001Z hard-coded su (root) password",
     "CVE-2016-10401"},
};

static fwvet_literal_set markers =
    FWVET_LITERAL_FIELD(signatures, struct signature, bytes);

#define MAX_FILE (512u << 20)

static unsigned line_at(const uint8_t *data, size_t off) {
  unsigned line = 1;
  for (const uint8_t *p = data, *end = data + off;
       (p = memchr(p, '\n', (size_t)(end - p))); p++)
    line++;
  return line;
}

static void analyse(fwvet_sink *sink, const fwvet_node *node,
                    const uint8_t *data, size_t len) {
  if (fwvet_node_kind(node) != FWVET_KIND_FILE || len == 0 || len > MAX_FILE)
    return;
  const char *type = fwvet_node_type(node);
  int text = !strcmp(type, "text") || !strcmp(type, "script");
  /* An opaque blob with children is examined through them: reporting it
   * too would repeat every finding of its content. */
  if ((fwvet_node_flags(node) & FWVET_NODE_HAS_CHILDREN) && !text &&
      strcmp(type, "elf") != 0)
    return;
  uint64_t present = fwvet_literals_scan(&markers, data, len);
  for (size_t i = 0; i < sizeof signatures / sizeof *signatures; i++) {
    const struct signature *sg = &signatures[i];
    if (!(present & ((uint64_t)1 << i)))
      continue;
    const uint8_t *hit = memmem(data, len, sg->bytes, strlen(sg->bytes));
    if (!hit)
      continue;
    size_t off = (size_t)(hit - data);
    fwvet_sink_report(sink, node, "backdoor.known", FWVET_SEV_CRITICAL, off,
                      text ? line_at(data, off) : 0, sg->bytes,
                      "known backdoor signature '%s': %s (%s)", sg->bytes,
                      sg->what, sg->ref);
  }
}

const fwvet_analyser fwvet_analyser_backdoors = {"backdoors", analyse};
