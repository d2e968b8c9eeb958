/* The progress verdict: explicit rules over counts (docs/progress.md). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diff/verdict.h"
#include "fwvet/fwvet.h"

const char *fwvet_verdict_name(fwvet_verdict p) {
  switch (p) {
  case FWVET_VERDICT_MATERIAL: return "material progress";
  case FWVET_VERDICT_LIMITED: return "limited progress";
  case FWVET_VERDICT_NONE: return "no material progress";
  case FWVET_VERDICT_REGRESSION: return "regression";
  }
  return "?";
}

int verdict_vuln_severity(const char *name) {
  int s = name ? fwvet_severity_parse(name) : -1;
  return s < 0 ? FWVET_SEV_INFO : s;
}

/* Problems of severity [lo, critical], findings and vulnerabilities. */
static size_t sum(const size_t *f, const size_t *v, int lo) {
  size_t n = 0;
  for (int s = lo; s <= FWVET_SEV_CRITICAL; s++)
    n += f[s] + v[s];
  return n;
}

/* Percentages are compared as printed, to the whole percent; "no calls"
 * counts as 0. */
static long pct(double p) { return p < 0 ? 0 : (long)(p + 0.5); }

typedef struct tally {
  size_t crit_fixed, crit_new;
  size_t severe_before, severe_fixed, severe_new;
  size_t all_before, all_fixed, all_new;
  int unsafe_up;
} tally;

static void count(const fwvet_verdict_input *in, tally *t) {
  t->crit_fixed = in->findings_fixed[FWVET_SEV_CRITICAL] +
                  in->vulns_fixed[FWVET_SEV_CRITICAL];
  t->crit_new = in->findings_new[FWVET_SEV_CRITICAL] +
                in->vulns_new[FWVET_SEV_CRITICAL];
  t->severe_before = sum(in->findings_before, in->vulns_before,
                         FWVET_SEV_HIGH);
  t->severe_fixed = sum(in->findings_fixed, in->vulns_fixed, FWVET_SEV_HIGH);
  t->severe_new = sum(in->findings_new, in->vulns_new, FWVET_SEV_HIGH);
  t->all_before = sum(in->findings_before, in->vulns_before, FWVET_SEV_LOW);
  t->all_fixed = sum(in->findings_fixed, in->vulns_fixed, FWVET_SEV_LOW);
  t->all_new = sum(in->findings_new, in->vulns_new, FWVET_SEV_LOW);
  t->unsafe_up = pct(in->unsafe_after) > pct(in->unsafe_before);
}

/* Why a release that fixed things is not material progress, or NULL. */
static const char *short_of_material(const fwvet_verdict_input *in,
                                     const tally *t) {
  if (t->severe_before) {
    if (t->severe_new)
      return "new critical or high problems";
    if (2 * t->severe_fixed < t->severe_before)
      return "fewer than half of the critical or high problems fixed";
  } else if (2 * t->all_fixed < t->all_before) {
    return "fewer than half of the problems fixed";
  }
  if (t->all_new > t->all_fixed)
    return "more problems new than fixed";
  if (in->hardening_regressed > in->hardening_improved)
    return "hardening regressed in more binaries than it improved";
  if (t->unsafe_up)
    return "unsafe share up";
  return NULL;
}

fwvet_verdict verdict_decide(const fwvet_verdict_input *in, char *why,
                               size_t cap) {
  tally t;
  count(in, &t);
  if (t.crit_new > t.crit_fixed) {
    snprintf(why, cap, "%zu new critical against %zu fixed", t.crit_new,
             t.crit_fixed);
    return FWVET_VERDICT_REGRESSION;
  }
  if (t.severe_new > t.severe_fixed) {
    snprintf(why, cap, "%zu new critical or high against %zu fixed",
             t.severe_new, t.severe_fixed);
    return FWVET_VERDICT_REGRESSION;
  }
  if (t.severe_before && !t.severe_fixed) {
    snprintf(why, cap, "none of %zu critical or high problems fixed",
             t.severe_before);
    return FWVET_VERDICT_NONE;
  }
  if (!t.severe_before && t.all_fixed <= t.all_new) {
    if (!t.all_before && !t.all_new)
      snprintf(why, cap, "no problems at low or above, before or after");
    else
      snprintf(why, cap, "%zu of %zu problems fixed, %zu new",
               t.all_fixed, t.all_before, t.all_new);
    return FWVET_VERDICT_NONE;
  }
  const char *shortfall = short_of_material(in, &t);
  size_t fixed = t.severe_before ? t.severe_fixed : t.all_fixed;
  size_t before = t.severe_before ? t.severe_before : t.all_before;
  const char *what = t.severe_before ? "critical or high problems"
                                     : "problems";
  if (!shortfall) {
    snprintf(why, cap, "%zu of %zu %s fixed", fixed, before, what);
    return FWVET_VERDICT_MATERIAL;
  }
  snprintf(why, cap, "%zu of %zu %s fixed, but %s", fixed, before, what,
           shortfall);
  return FWVET_VERDICT_LIMITED;
}

fwvet_verdict fwvet_verdict_judge(const fwvet_verdict_input *in) {
  char why[256];
  return verdict_decide(in, why, sizeof why);
}

static int say(int (*fn)(void *, const char *), void *ud, const char *fmt,
               ...) __attribute__((format(printf, 3, 4)));

static int say(int (*fn)(void *, const char *), void *ud, const char *fmt,
               ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return fn(ud, buf);
}

/* "3 of 4 critical findings persist; 1 new critical finding". */
static int severity_reasons(const size_t *before, const size_t *fixed,
                            const size_t *new_, const char *one,
                            const char *many,
                            int (*fn)(void *, const char *), void *ud) {
  for (int s = FWVET_SEV_CRITICAL; s >= FWVET_SEV_HIGH; s--) {
    const char *sev = fwvet_severity_name((fwvet_severity)s);
    size_t left = before[s] - fixed[s];
    if (before[s] &&
        say(fn, ud, "%zu of %zu %s %s %s", left, before[s], sev,
            before[s] == 1 ? one : many, left == 1 ? "persists" : "persist"))
      return -1;
    if (new_[s] && say(fn, ud, "%zu new %s %s", new_[s], sev,
                       new_[s] == 1 ? one : many))
      return -1;
  }
  return 0;
}

int verdict_reasons(const fwvet_verdict_input *in,
                     int (*fn)(void *ud, const char *reason), void *ud) {
  if (severity_reasons(in->findings_before, in->findings_fixed,
                       in->findings_new, "finding", "findings", fn, ud) ||
      severity_reasons(in->vulns_before, in->vulns_fixed, in->vulns_new,
                       "vulnerability", "vulnerabilities", fn, ud))
    return -1;
  size_t before = 0, fixed = 0, new_ = 0;
  for (int s = FWVET_SEV_INFO; s <= FWVET_SEV_CRITICAL; s++) {
    before += in->findings_before[s];
    fixed += in->findings_fixed[s];
    new_ += in->findings_new[s];
  }
  if (say(fn, ud, "findings: %zu fixed, %zu new, %zu persisting", fixed,
          new_, before - fixed))
    return -1;
  if ((in->hardening_improved || in->hardening_regressed) &&
      say(fn, ud, "binaries with better hardening: %zu, with worse: %zu",
          in->hardening_improved, in->hardening_regressed))
    return -1;
  if (in->unsafe_before < 0 && in->unsafe_after < 0)
    return 0;
  long b = pct(in->unsafe_before), a = pct(in->unsafe_after);
  if (a == b)
    return say(fn, ud, "unsafe share unchanged at %ld%%", a);
  return say(fn, ud, "unsafe share %s from %ld%% to %ld%%",
             a > b ? "up" : "down", b, a);
}
