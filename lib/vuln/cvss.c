/*
 * CVSS base scores from vector strings, for OSV records, which carry the
 * vector but not the number.  The formulas are those of the published
 * specifications (CVSS v3.1 section 7, which v3.0 shares but for the
 * rounding, and CVSS v2 section 3.2.1).  Only base metrics count;
 * temporal and environmental ones are ignored.
 */
#include <stdio.h>
#include <string.h>

#include "vuln/vuln_int.h"

typedef struct metric {
  const char *key;
  const char *vals;    /* one letter per value */
  double weight[4];    /* per value */
  double changed[4];   /* v3 PR under a changed scope; else unused */
} metric;

static const metric v3_metrics[] = {
    {"AV", "NALP", {0.85, 0.62, 0.55, 0.2}, {0}},
    {"AC", "LH", {0.77, 0.44}, {0}},
    {"PR", "NLH", {0.85, 0.62, 0.27}, {0.85, 0.68, 0.5}},
    {"UI", "NR", {0.85, 0.62}, {0}},
    {"S", "UC", {0, 1}, {0}},
    {"C", "HLN", {0.56, 0.22, 0}, {0}},
    {"I", "HLN", {0.56, 0.22, 0}, {0}},
    {"A", "HLN", {0.56, 0.22, 0}, {0}},
};

static const metric v2_metrics[] = {
    {"AV", "LAN", {0.395, 0.646, 1.0}, {0}},
    {"AC", "HML", {0.35, 0.61, 0.71}, {0}},
    {"Au", "MSN", {0.45, 0.56, 0.704}, {0}},
    {"C", "NPC", {0, 0.275, 0.660}, {0}},
    {"I", "NPC", {0, 0.275, 0.660}, {0}},
    {"A", "NPC", {0, 0.275, 0.660}, {0}},
};

/* Reads "K:V/K:V..." into idx[] (value index per metric); -1 when a base
 * metric is missing, unknown or given twice with different values. */
static int parse_vector(const char *s, const metric *m, size_t nm,
                        int *idx) {
  for (size_t i = 0; i < nm; i++)
    idx[i] = -1;
  while (*s) {
    const char *end = strchr(s, '/');
    size_t len = end ? (size_t)(end - s) : strlen(s);
    const char *colon = memchr(s, ':', len);
    if (!colon)
      return -1;
    size_t klen = (size_t)(colon - s);
    size_t vlen = len - klen - 1;
    for (size_t i = 0; i < nm; i++) {
      if (strlen(m[i].key) != klen || memcmp(m[i].key, s, klen))
        continue;
      const char *p = vlen == 1 ? strchr(m[i].vals, colon[1]) : NULL;
      if (!p || !colon[1])
        return -1;
      int v = (int)(p - m[i].vals);
      if (idx[i] >= 0 && idx[i] != v)
        return -1;
      idx[i] = v;
    }
    s += len;
    if (*s == '/')
      s++;
  }
  for (size_t i = 0; i < nm; i++)
    if (idx[i] < 0)
      return -1;
  return 0;
}

/* CVSS v3.1's Roundup: the smallest one-decimal number >= x, computed on
 * integers so that 4.000000001 does not become 4.1. */
static double roundup(double x) {
  long long i = (long long)(x * 100000.0 + 0.5); /* x >= 0 */
  if (i % 10000 == 0)
    return (double)i / 100000.0;
  return (double)(i / 10000 + 1) / 10.0;
}

static double pow15(double x) {
  double r = 1;
  for (int i = 0; i < 15; i++)
    r *= x;
  return r;
}

double vuln_cvss3_score(const char *vector) {
  if (!vector || (strncmp(vector, "CVSS:3.1/", 9) &&
                  strncmp(vector, "CVSS:3.0/", 9)))
    return -1;
  enum { AV, AC, PR, UI, S, C, I, A, N };
  int k[N];
  if (parse_vector(vector + 9, v3_metrics, N, k))
    return -1;
  int changed = k[S] == 1;
  double iss = 1 - (1 - v3_metrics[C].weight[k[C]]) *
                       (1 - v3_metrics[I].weight[k[I]]) *
                       (1 - v3_metrics[A].weight[k[A]]);
  double impact = changed ? 7.52 * (iss - 0.029) -
                                3.25 * pow15(iss - 0.02)
                          : 6.42 * iss;
  double pr = changed ? v3_metrics[PR].changed[k[PR]]
                      : v3_metrics[PR].weight[k[PR]];
  double expl = 8.22 * v3_metrics[AV].weight[k[AV]] *
                v3_metrics[AC].weight[k[AC]] * pr *
                v3_metrics[UI].weight[k[UI]];
  if (impact <= 0)
    return 0;
  double sum = changed ? 1.08 * (impact + expl) : impact + expl;
  return roundup(sum < 10 ? sum : 10);
}

double vuln_cvss2_score(const char *vector) {
  if (!vector)
    return -1;
  if (!strncmp(vector, "(", 1))
    vector++;
  enum { AV, AC, AU, C, I, A, N };
  int k[N];
  char buf[256];
  /* Some writers wrap the vector in parentheses; drop the closing one. */
  size_t len = strlen(vector);
  if (len >= sizeof buf)
    return -1;
  memcpy(buf, vector, len + 1);
  if (len && buf[len - 1] == ')')
    buf[len - 1] = '\0';
  const char *v = buf;
  if (!strncmp(v, "CVSS:2.0/", 9))
    v += 9;
  if (parse_vector(v, v2_metrics, N, k))
    return -1;
  double impact = 10.41 * (1 - (1 - v2_metrics[C].weight[k[C]]) *
                                   (1 - v2_metrics[I].weight[k[I]]) *
                                   (1 - v2_metrics[A].weight[k[A]]));
  double expl = 20 * v2_metrics[AV].weight[k[AV]] *
                v2_metrics[AC].weight[k[AC]] * v2_metrics[AU].weight[k[AU]];
  double f = impact == 0 ? 0 : 1.176;
  double base = (0.6 * impact + 0.4 * expl - 1.5) * f;
  if (base < 0)
    base = 0;
  return (double)(long long)(base * 10.0 + 0.5) / 10.0;
}

const char *vuln_severity_of(double score, int major) {
  if (score < 0)
    return "unknown";
  if (major == 2)
    return score < 4 ? "low" : score < 7 ? "medium" : "high";
  if (score == 0)
    return "none";
  return score < 4    ? "low"
         : score < 7  ? "medium"
         : score < 9  ? "high"
                      : "critical";
}
