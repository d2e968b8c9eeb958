/*
 * The equivalence result for people (text) and programs (the equiv JSON
 * contract, SARIF 2.1.0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwvet/fwvet.h"
#include "fwvet/equiv.h"
#include "report/json_util.h"
#include "report/sarif.h"

static const char *side_name(fwvet_equiv_side s) {
  return s == FWVET_EQUIV_REFERENCE ? "reference"
         : s == FWVET_EQUIV_CANDIDATE ? "candidate"
                                      : "both";
}

typedef struct counts {
  size_t v[3];
  size_t only_ref, only_cand;
} counts;

static counts count(const fwvet_equiv *eq) {
  counts c = {{0, 0, 0}, 0, 0};
  for (size_t i = 0; i < fwvet_equiv_pair_count(eq); i++)
    c.v[fwvet_equiv_pair_at(eq, i)->verdict]++;
  c.only_ref = fwvet_equiv_only_count(eq, FWVET_EQUIV_REFERENCE);
  c.only_cand = fwvet_equiv_only_count(eq, FWVET_EQUIV_CANDIDATE);
  return c;
}

static const char *overall_name(const fwvet_equiv *eq) {
  return fwvet_equiv_overall(eq) == FWVET_EQUIV_DIFFERENT ? "not-equivalent"
                                                          : "equivalent";
}

/* --- text ----------------------------------------------------------------- */

static void text_range(FILE *out, const fwvet_equiv_range *r) {
  if (r->length)
    fprintf(out, "%s 0x%llx..0x%llx (%llu bytes)", side_name(r->side),
            (unsigned long long)r->offset,
            (unsigned long long)(r->offset + r->length),
            (unsigned long long)r->length);
  else
    fprintf(out, "%s (metadata)", side_name(r->side));
}

static void text_pair(const fwvet_equiv_pair *p, int explain, FILE *out) {
  fprintf(out, "%-10s  %s\n", fwvet_equiv_verdict_name(p->verdict),
          p->fspath);
  if (p->by_content)
    fprintf(out, "    reference: %s\n    candidate: %s\n", p->ref.path,
            p->cand.path);
  for (size_t i = 0; i < p->nreasons; i++)
    fprintf(out, "    - %s\n", p->reasons[i]);
  for (size_t i = 0; i < p->nsections; i++) {
    const fwvet_equiv_section *s = &p->sections[i];
    fprintf(out, "    %s", s->name);
    if (s->nfunctions) {
      fputs(" in ", out);
      for (size_t k = 0; k < s->nfunctions; k++)
        fprintf(out, "%s%s", k ? ", " : "", s->functions[k]);
    }
    fputc('\n', out);
    for (size_t k = 0; k < s->nranges; k++) {
      fputs("        differs at ", out);
      text_range(out, &s->ranges[k]);
      fputc('\n', out);
    }
    if (s->ref_insn)
      fprintf(out, "        reference: %s\n        candidate: %s\n",
              s->ref_insn, s->cand_insn ? s->cand_insn : "");
  }
  if (!explain)
    return;
  for (size_t i = 0; i < p->nignored; i++) {
    const fwvet_equiv_range *r = &p->ignored[i];
    fputs("    ignored ", out);
    text_range(out, r);
    fprintf(out, " [%s] %s\n", fwvet_equiv_class_name(r->cls),
            r->detail ? r->detail : "");
  }
}

static fwvet_status write_text(const fwvet_equiv *eq, int explain, FILE *out) {
  counts c = count(eq);
  fprintf(out, "reference: %s\ncandidate: %s\n",
          fwvet_vfs_input_path(fwvet_equiv_vfs(eq, FWVET_EQUIV_REFERENCE)),
          fwvet_vfs_input_path(fwvet_equiv_vfs(eq, FWVET_EQUIV_CANDIDATE)));
  fprintf(out,
          "pairs: %zu identical, %zu equivalent, %zu different; "
          "only in reference: %zu; only in candidate: %zu\n",
          c.v[0], c.v[1], c.v[2], c.only_ref, c.only_cand);
  for (int s = 0; s < 2; s++) {
    size_t n = fwvet_vfs_finding_count(fwvet_equiv_vfs(eq, s));
    if (n)
      fprintf(out, "%s: %zu unpack findings (see 'fwvet ls')\n",
              side_name(s), n);
  }
  unsigned strict = fwvet_equiv_strict(eq);
  if (strict) {
    fputs("strict:", out);
    for (unsigned b = 1; b & FWVET_EQC_ALL; b <<= 1)
      if (strict & b)
        fprintf(out, " %s", fwvet_equiv_class_name(b));
    fputc('\n', out);
  }
  fputc('\n', out);
  for (size_t i = 0; i < fwvet_equiv_pair_count(eq); i++) {
    const fwvet_equiv_pair *p = fwvet_equiv_pair_at(eq, i);
    if (p->verdict != FWVET_EQUIV_IDENTICAL || p->by_content)
      text_pair(p, explain, out);
  }
  for (int s = 0; s < 2; s++)
    for (size_t i = 0; i < fwvet_equiv_only_count(eq, s); i++)
      fprintf(out, "only in %s: %s (%s)\n", side_name(s),
              fwvet_equiv_only_fspath(eq, s, i),
              fwvet_equiv_only_at(eq, s, i)->path);
  fprintf(out, "\nverdict: %s\n",
          fwvet_equiv_overall(eq) == FWVET_EQUIV_DIFFERENT ? "not equivalent"
                                                           : "equivalent");
  return ferror(out) ? FWVET_EIO : FWVET_OK;
}

/* --- JSON ----------------------------------------------------------------- */

static json_t *json_side(const fwvet_equiv_node *n) {
  return json_pack("{s:o,s:o,s:I,s:s,s:s}", "path", fwvet_json_str(n->path),
                   "sha256", fwvet_json_str(n->sha256), "size",
                   (json_int_t)n->size, "type", n->type, "kind",
                   fwvet_kind_name(n->kind));
}

static json_t *json_range(const fwvet_equiv_range *r) {
  json_t *o = json_pack("{s:s,s:I,s:I}", "side", side_name(r->side),
                        "offset", (json_int_t)r->offset, "length",
                        (json_int_t)r->length);
  if (o && r->cls &&
      (fwvet_json_set(o, "class",
                      json_string(fwvet_equiv_class_name(r->cls))) ||
       fwvet_json_set(o, "detail", fwvet_json_str(r->detail)))) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static json_t *json_section(const fwvet_equiv_section *s) {
  json_t *ranges = json_array(), *funcs = json_array();
  int bad = !ranges || !funcs;
  for (size_t i = 0; !bad && i < s->nranges; i++)
    bad |= fwvet_json_push(ranges, json_range(&s->ranges[i]));
  for (size_t i = 0; !bad && i < s->nfunctions; i++)
    bad |= fwvet_json_push(funcs, fwvet_json_str(s->functions[i]));
  json_t *o = bad ? NULL
                  : json_pack("{s:o,s:{s:I,s:I},s:{s:I,s:I},s:o,s:o}",
                              "name", fwvet_json_str(s->name), "reference",
                              "offset", (json_int_t)s->ref_offset, "size",
                              (json_int_t)s->ref_size, "candidate", "offset",
                              (json_int_t)s->cand_offset, "size",
                              (json_int_t)s->cand_size, "ranges", ranges,
                              "functions", funcs);
  if (!o) {
    if (bad) {
      json_decref(ranges);
      json_decref(funcs);
    }
    return NULL;
  }
  if (s->ref_insn &&
      fwvet_json_set(o, "first_difference",
                     json_pack("{s:o,s:o}", "reference",
                               fwvet_json_str(s->ref_insn), "candidate",
                               fwvet_json_str(s->cand_insn)))) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static json_t *json_pair(const fwvet_equiv_pair *p) {
  json_t *reasons = json_array(), *secs = json_array(), *ign = json_array(),
         *cls = json_array();
  int bad = !reasons || !secs || !ign || !cls;
  for (size_t i = 0; !bad && i < p->nreasons; i++)
    bad |= fwvet_json_push(reasons, fwvet_json_str(p->reasons[i]));
  for (size_t i = 0; !bad && i < p->nsections; i++)
    bad |= fwvet_json_push(secs, json_section(&p->sections[i]));
  for (size_t i = 0; !bad && i < p->nignored; i++)
    bad |= fwvet_json_push(ign, json_range(&p->ignored[i]));
  for (unsigned b = 1; !bad && (b & FWVET_EQC_ALL); b <<= 1)
    if (p->classes & b)
      bad |= fwvet_json_push(cls, json_string(fwvet_equiv_class_name(b)));
  if (bad) {
    json_decref(reasons);
    json_decref(secs);
    json_decref(ign);
    json_decref(cls);
    return NULL;
  }
  return json_pack("{s:o,s:o,s:o,s:s,s:b,s:o,s:o,s:o,s:o}", "fspath",
                   fwvet_json_str(p->fspath), "reference", json_side(&p->ref),
                   "candidate", json_side(&p->cand), "verdict",
                   fwvet_equiv_verdict_name(p->verdict), "by_content",
                   p->by_content, "reasons", reasons, "sections", secs,
                   "classes", cls, "ignored", ign);
}

static json_t *json_only(const fwvet_equiv *eq, fwvet_equiv_side side) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < fwvet_equiv_only_count(eq, side); i++) {
    const fwvet_equiv_node *n = fwvet_equiv_only_at(eq, side, i);
    json_t *o = json_side(n);
    if (!o || fwvet_json_set(o, "fspath", fwvet_json_str(
                                              fwvet_equiv_only_fspath(
                                                  eq, side, i))) ||
        fwvet_json_push(a, o)) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

static json_t *json_findings(const fwvet_vfs *vfs) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < fwvet_vfs_finding_count(vfs); i++)
    if (fwvet_json_push(a, fwvet_json_finding(fwvet_vfs_finding(vfs, i)))) {
      json_decref(a);
      return NULL;
    }
  return a;
}

static json_t *build_json(const fwvet_equiv *eq) {
  const fwvet_vfs *rv = fwvet_equiv_vfs(eq, FWVET_EQUIV_REFERENCE);
  const fwvet_vfs *cv = fwvet_equiv_vfs(eq, FWVET_EQUIV_CANDIDATE);
  counts c = count(eq);
  json_t *pairs = json_array(), *strict = json_array();
  int bad = !pairs || !strict;
  for (size_t i = 0; !bad && i < fwvet_equiv_pair_count(eq); i++)
    bad |= fwvet_json_push(pairs, json_pair(fwvet_equiv_pair_at(eq, i)));
  for (unsigned b = 1; !bad && (b & FWVET_EQC_ALL); b <<= 1)
    if (fwvet_equiv_strict(eq) & b)
      bad |= fwvet_json_push(strict, json_string(fwvet_equiv_class_name(b)));
  if (bad) {
    json_decref(pairs);
    json_decref(strict);
    return NULL;
  }
  return json_pack(
      "{s:o,s:o,s:o,s:s,s:o,s:{s:I,s:I,s:I,s:I,s:I},s:o,s:o,s:o,"
      "s:{s:o,s:o}}",
      "tool", fwvet_json_tool(), "reference", fwvet_json_input(rv),
      "candidate", fwvet_json_input(cv), "verdict", overall_name(eq),
      "strict", strict, "summary", "identical", (json_int_t)c.v[0],
      "equivalent", (json_int_t)c.v[1], "different", (json_int_t)c.v[2],
      "only_in_reference", (json_int_t)c.only_ref, "only_in_candidate",
      (json_int_t)c.only_cand, "pairs", pairs, "only_in_reference",
      json_only(eq, FWVET_EQUIV_REFERENCE), "only_in_candidate",
      json_only(eq, FWVET_EQUIV_CANDIDATE), "findings", "reference",
      json_findings(rv), "candidate", json_findings(cv));
}

/* --- SARIF ---------------------------------------------------------------- */

static const char *const sarif_rules[][2] = {
    {"equiv.different", "the candidate file differs in behaviour-relevant "
                        "bytes from the reference"},
    {"equiv.only-in-reference", "a file of the reference is missing from the "
                                "candidate"},
    {"equiv.only-in-candidate", "the candidate has a file the reference does "
                                "not"},
};

static json_t *sarif_location(const char *path, const char *function,
                              const fwvet_equiv_range *r) {
  json_t *phys = json_pack("{s:{s:o}}", "artifactLocation", "uri",
                           fwvet_sarif_uri(path));
  if (phys && r && r->length &&
      fwvet_json_set(phys, "region",
                     json_pack("{s:I,s:I}", "byteOffset",
                               (json_int_t)r->offset, "byteLength",
                               (json_int_t)r->length))) {
    json_decref(phys);
    return NULL;
  }
  json_t *loc = phys ? json_pack("{s:o}", "physicalLocation", phys) : NULL;
  if (loc && function &&
      fwvet_json_set(loc, "logicalLocations",
                     json_pack("[{s:o,s:s}]", "name",
                               fwvet_json_str(function), "kind",
                               "function"))) {
    json_decref(loc);
    return NULL;
  }
  return loc;
}

static json_t *sarif_result(int rule, const char *text, json_t *locs) {
  if (!locs)
    return NULL;
  return json_pack("{s:s,s:i,s:s,s:{s:o},s:o}", "ruleId", sarif_rules[rule][0],
                   "ruleIndex", rule, "level", rule == 0 ? "error" : "warning",
                   "message", "text", fwvet_json_str(text), "locations", locs);
}

static int sarif_pair(json_t *results, const fwvet_equiv_pair *p) {
  json_t *locs = json_array();
  if (!locs)
    return -1;
  int bad = 0;
  for (size_t i = 0; !bad && i < p->nsections; i++) {
    const fwvet_equiv_section *s = &p->sections[i];
    const fwvet_equiv_range *r = s->nranges ? &s->ranges[0] : NULL;
    /* Ranges are offsets in the reference's bytes unless said. */
    const char *path = r && r->side == FWVET_EQUIV_CANDIDATE ? p->cand.path
                                                             : p->ref.path;
    bad |= fwvet_json_push(locs, sarif_location(path, s->nfunctions
                                                          ? s->functions[0]
                                                          : NULL, r));
  }
  if (!bad && !p->nsections)
    bad |= fwvet_json_push(locs, sarif_location(p->cand.path, NULL, NULL));
  char text[1024];
  int o = snprintf(text, sizeof text, "%s is different", p->fspath);
  for (size_t i = 0; i < p->nreasons && o > 0 && (size_t)o < sizeof text; i++)
    o += snprintf(text + o, sizeof text - (size_t)o, "%s %s", i ? ";" : ":",
                  p->reasons[i]);
  for (size_t i = 0; i < p->nsections && o > 0 && (size_t)o < sizeof text;
       i++)
    o += snprintf(text + o, sizeof text - (size_t)o, "%s%s", i ? ", " : "; in ",
                  p->sections[i].name);
  if (bad) {
    json_decref(locs);
    return -1;
  }
  return fwvet_json_push(results, sarif_result(0, text, locs));
}

static json_t *build_sarif(const fwvet_equiv *eq) {
  json_t *rules = json_array(), *results = json_array();
  int bad = !rules || !results;
  for (int i = 0; !bad && i < 3; i++)
    bad |= fwvet_json_push(rules, json_pack("{s:s,s:{s:s}}", "id",
                                            sarif_rules[i][0],
                                            "shortDescription", "text",
                                            sarif_rules[i][1]));
  for (size_t i = 0; !bad && i < fwvet_equiv_pair_count(eq); i++) {
    const fwvet_equiv_pair *p = fwvet_equiv_pair_at(eq, i);
    if (p->verdict == FWVET_EQUIV_DIFFERENT)
      bad |= sarif_pair(results, p);
  }
  for (int s = 0; !bad && s < 2; s++)
    for (size_t i = 0; !bad && i < fwvet_equiv_only_count(eq, s); i++) {
      const fwvet_equiv_node *n = fwvet_equiv_only_at(eq, s, i);
      char text[1024];
      snprintf(text, sizeof text, "%s is only in the %s",
               fwvet_equiv_only_fspath(eq, s, i), side_name(s));
      json_t *locs = json_array();
      bad |= !locs || fwvet_json_push(locs, sarif_location(n->path, NULL,
                                                           NULL));
      bad |= fwvet_json_push(results, sarif_result(1 + s, text, locs));
    }
  if (bad) {
    json_decref(rules);
    json_decref(results);
    return NULL;
  }
  counts c = count(eq);
  return json_pack(
      "{s:s,s:s,s:[{s:{s:{s:s,s:s,s:o}},s:[{s:b}],s:o,"
      "s:{s:s,s:I,s:I,s:I,s:I,s:I}}]}",
      "$schema", "https://json.schemastore.org/sarif-2.1.0.json", "version",
      "2.1.0", "runs", "tool", "driver", "name", "fwvet", "version",
      fwvet_version(),
      "rules", rules, "invocations", "executionSuccessful", 1, "results",
      results, "properties", "verdict", overall_name(eq), "identical",
      (json_int_t)c.v[0], "equivalent", (json_int_t)c.v[1], "different",
      (json_int_t)c.v[2], "only_in_reference", (json_int_t)c.only_ref,
      "only_in_candidate", (json_int_t)c.only_cand);
}

fwvet_status fwvet_report_equiv(const fwvet_equiv *eq,
                                fwvet_equiv_format format, int explain,
                                FILE *out) {
  if (format == FWVET_EQUIV_TEXT)
    return write_text(eq, explain, out);
  json_t *root = format == FWVET_EQUIV_SARIF ? build_sarif(eq)
                                             : build_json(eq);
  if (!root)
    return FWVET_ENOMEM;
  fwvet_status st = fwvet_json_write(root, out);
  json_decref(root);
  return st;
}
