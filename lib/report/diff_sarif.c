/*
 * The diff as SARIF 2.1.0: the later release's findings with their
 * baselineState against the earlier one ("new", "unchanged"), and the
 * fixed ones as "absent" (at their place in the earlier release).
 */
#include <stdio.h>

#include "fwvet/diff.h"
#include "report/json_util.h"
#include "report/sarif.h"

static json_t *input_of(const fwvet_eval *ev) {
  const fwvet_eval_info *in = fwvet_eval_get_info(ev);
  return json_pack("{s:o,s:I,s:o}", "path", fwvet_json_str(in->input_path),
                   "size", (json_int_t)in->input_size, "sha256",
                   *in->input_sha256 ? json_string(in->input_sha256)
                                     : json_null());
}

fwvet_status fwvet_report_diff_sarif(const fwvet_diff *d, FILE *out) {
  static const struct {
    fwvet_diff_state state;
    const char *baseline;
  } order[] = {{FWVET_DIFF_NEW, "new"},
               {FWVET_DIFF_PERSISTING, "unchanged"},
               {FWVET_DIFF_FIXED, "absent"}};
  fwvet_sarif *s = fwvet_sarif_create();
  json_t *log = NULL;
  fwvet_status st = FWVET_ENOMEM;
  if (!s)
    goto out;
  for (size_t k = 0; k < sizeof order / sizeof *order; k++)
    for (size_t i = 0; i < fwvet_diff_finding_count(d, order[k].state); i++)
      if (fwvet_sarif_add_finding(s, fwvet_diff_finding(d, order[k].state, i),
                                  order[k].baseline))
        goto out;
  log = fwvet_sarif_finish(
      s, json_pack("{s:s,s:o,s:o}", "verdict",
                   fwvet_verdict_name(fwvet_diff_verdict(d)), "before",
                   input_of(fwvet_diff_before(d)), "after",
                   input_of(fwvet_diff_after(d))));
  if (log)
    st = fwvet_json_write(log, out);
out:
  json_decref(log);
  fwvet_sarif_destroy(s);
  return st;
}
