/*
 * Byte-level comparison: runs of differing bytes, the literal comparison
 * of files that are not ELF, and the two string rules for read-only data
 * (build timestamps and build paths).
 *
 * The string rules accept a difference only when every differing byte
 * lies inside a recognised token on both sides at the same position: a
 * date changed into another date is a build stamp, a date changed into a
 * word is not.  Tokens must keep their length (a longer path would move
 * everything after it, and that is reported as a difference).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "equiv/equiv_int.h"

enum { MAX_STRING = 4096, MAX_SPANS = 64 };

void eq_diff_runs(const uint8_t *a, const uint8_t *b, size_t n, size_t gap,
                  int (*fn)(void *ud, size_t start, size_t end), void *ud) {
  size_t i = 0;
  while (i < n) {
    /* Word-at-a-time skip over equal bytes: most of a file is equal. */
    while (i + 8 <= n && !memcmp(a + i, b + i, 8))
      i += 8;
    while (i < n && a[i] == b[i])
      i++;
    if (i >= n)
      break;
    size_t start = i, end = i + 1;
    for (size_t j = end; j < n && j - end <= gap; j++)
      if (a[j] != b[j])
        end = j + 1;
    if (fn(ud, start, end))
      return;
    i = end;
  }
}

typedef struct span {
  size_t start, end;
} span;

typedef struct spans {
  span s[MAX_SPANS];
  size_t n;
} spans;

static void add_span(spans *sp, size_t start, size_t end) {
  if (sp->n < MAX_SPANS)
    sp->s[sp->n++] = (span){start, end};
}

static int digits(const uint8_t *s, size_t n, size_t at, size_t count) {
  if (at > n || count > n - at)
    return 0;
  for (size_t i = 0; i < count; i++)
    if (!isdigit(s[at + i]))
      return 0;
  return 1;
}

/* Number of digits starting at `at`. */
static size_t digit_run(const uint8_t *s, size_t n, size_t at) {
  size_t k = 0;
  while (at + k < n && isdigit(s[at + k]))
    k++;
  return k;
}

static int word_at(const uint8_t *s, size_t n, size_t at,
                   const char *const *words, size_t nwords) {
  if (at > n || n - at < 3 || (at > 0 && isalpha(s[at - 1])) ||
      (at + 3 < n && isalpha(s[at + 3])))
    return 0;
  for (size_t i = 0; i < nwords; i++)
    if (!memcmp(s + at, words[i], 3))
      return 1;
  return 0;
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May",
                                     "Jun", "Jul", "Aug", "Sep", "Oct",
                                     "Nov", "Dec"};
static const char *const weekdays[] = {"Mon", "Tue", "Wed", "Thu",
                                       "Fri", "Sat", "Sun"};

/* Date and time tokens in s[0..n): "Nov 22 2026" (__DATE__), "23:04:52"
 * (__TIME__), "2026-11-22", "22 Nov 2026", epoch seconds (9-10 digits),
 * and, next to one of those, weekday names and 4-digit years. */
static void find_timestamps(const uint8_t *s, size_t n, spans *sp) {
  size_t strong = 0;
  for (size_t i = 0; i < n; i++) {
    int lead_ok = i == 0 || !isdigit(s[i - 1]);
    if (lead_ok && digits(s, n, i, 2) && i + 5 <= n && s[i + 2] == ':' &&
        digits(s, n, i + 3, 2)) {
      size_t e = i + 5;
      if (e + 3 <= n && s[e] == ':' && digits(s, n, e + 1, 2))
        e += 3;
      if (e == n || !isdigit(s[e])) {
        add_span(sp, i, e);
        strong++;
        i = e - 1;
        continue;
      }
    }
    if (lead_ok && digits(s, n, i, 4) && i + 10 <= n && s[i + 4] == '-' &&
        digits(s, n, i + 5, 2) && s[i + 7] == '-' && digits(s, n, i + 8, 2)) {
      add_span(sp, i, i + 10);
      strong++;
      i += 9;
      continue;
    }
    if (word_at(s, n, i, months, 12)) {
      size_t e = i + 3, k = e;
      while (k < n && s[k] == ' ')
        k++;
      size_t d = digit_run(s, n, k);
      if (k > e && d >= 1 && d <= 2) {
        e = k + d;
        k = e;
        while (k < n && (s[k] == ' ' || s[k] == ','))
          k++;
        if (k > e && digit_run(s, n, k) == 4)
          e = k + 4;
        add_span(sp, i, e);
        strong++;
        i = e - 1;
        continue;
      }
      if (k > e && digit_run(s, n, k) == 4) { /* "Nov 2026" */
        add_span(sp, i, k + 4);
        strong++;
        i = k + 3;
        continue;
      }
    }
    size_t d = lead_ok ? digit_run(s, n, i) : 0;
    if (d == 9 || d == 10) {
      add_span(sp, i, i + d);
      strong++;
      i += d - 1;
      continue;
    }
  }
  if (!strong)
    return;
  for (size_t i = 0; i < n; i++) {
    if (word_at(s, n, i, weekdays, 7)) {
      add_span(sp, i, i + 3);
      i += 2;
    } else if ((i == 0 || !isdigit(s[i - 1])) && digit_run(s, n, i) == 4 &&
               (s[i] == '1' || s[i] == '2')) {
      add_span(sp, i, i + 4);
      i += 3;
    } else if ((i == 0 || !isdigit(s[i - 1])) && digit_run(s, n, i) <= 2 &&
               digit_run(s, n, i) > 0 && i > 0 && s[i - 1] == ' ') {
      /* the day of "Sun Nov 22 ..." after a month found above */
      size_t k = i - 1;
      while (k > 0 && s[k - 1] == ' ')
        k--;
      if (k >= 3 && word_at(s, n, k - 3, months, 12))
        add_span(sp, i, i + digit_run(s, n, i));
    }
  }
}

static int path_char(uint8_t c) {
  return isalnum(c) || c == '/' || c == '.' || c == '_' || c == '-' ||
         c == '+' || c == '@' || c == '~' || c == ',' || c == '=';
}

/* Directories where builds happen, as absolute prefixes. */
static const char *const build_roots[] = {
    "/home/", "/tmp/", "/var/tmp/", "/build/", "/builds/", "/buildd/",
    "/usr/src/", "/root/", "/workspace/", "/work/", "/srv/", "/opt/build",
    "/mnt/", "/data/", "/jenkins/", "/var/lib/jenkins/", "/builder/",
    "/src/",  "/sbuild/", "/nix/store/", "/private/tmp/", "/Users/",
};

static void find_build_paths(const uint8_t *s, size_t n, spans *sp) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '/' || (i > 0 && path_char(s[i - 1])))
      continue;
    size_t e = i;
    while (e < n && path_char(s[e]))
      e++;
    for (size_t k = 0; k < sizeof build_roots / sizeof *build_roots; k++) {
      size_t l = strlen(build_roots[k]);
      if (e - i > l && !memcmp(s + i, build_roots[k], l)) {
        add_span(sp, i, e);
        break;
      }
    }
    i = e;
  }
}

static int covered(const spans *sp, size_t at) {
  for (size_t i = 0; i < sp->n; i++)
    if (at >= sp->s[i].start && at < sp->s[i].end)
      return 1;
  return 0;
}

static int is_text(uint8_t c) {
  return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r';
}

unsigned eq_text_rule(const uint8_t *a, const uint8_t *b, size_t n,
                      size_t start, size_t end, size_t *ign_start,
                      size_t *ign_end) {
  if (start >= end || end > n)
    return 0;
  for (size_t i = start; i < end; i++)
    if (!is_text(a[i]) || !is_text(b[i]))
      return 0;
  size_t s0 = start, e0 = end;
  while (s0 > 0 && is_text(a[s0 - 1]) && is_text(b[s0 - 1]) &&
         end - s0 < MAX_STRING)
    s0--;
  while (e0 < n && is_text(a[e0]) && is_text(b[e0]) && e0 - s0 < MAX_STRING)
    e0++;
  static const unsigned classes[] = {FWVET_EQC_TIMESTAMPS,
                                     FWVET_EQC_BUILD_PATHS};
  for (size_t c = 0; c < 2; c++) {
    spans sa = {.n = 0}, sb = {.n = 0};
    if (classes[c] == FWVET_EQC_TIMESTAMPS) {
      find_timestamps(a + s0, e0 - s0, &sa);
      find_timestamps(b + s0, e0 - s0, &sb);
    } else {
      find_build_paths(a + s0, e0 - s0, &sa);
      find_build_paths(b + s0, e0 - s0, &sb);
    }
    size_t lo = SIZE_MAX, hi = 0;
    int ok = sa.n && sb.n;
    for (size_t i = start; ok && i < end; i++) {
      if (a[i] == b[i])
        continue;
      ok = covered(&sa, i - s0) && covered(&sb, i - s0);
      for (size_t k = 0; ok && k < sa.n; k++)
        if (i - s0 >= sa.s[k].start && i - s0 < sa.s[k].end) {
          lo = lo < s0 + sa.s[k].start ? lo : s0 + sa.s[k].start;
          hi = hi > s0 + sa.s[k].end ? hi : s0 + sa.s[k].end;
        }
    }
    if (ok && lo < hi) {
      *ign_start = lo < start ? lo : start;
      *ign_end = hi > end ? hi : end;
      return classes[c];
    }
  }
  return 0;
}

typedef struct data_walk {
  eq_pair *p;
  eq_section *sec;
} data_walk;

static int on_data_run(void *ud, size_t start, size_t end) {
  data_walk *w = ud;
  eq_section_range(w->p, w->sec, FWVET_EQUIV_BOTH, start, end - start);
  return w->sec && w->sec->pub.nranges >= EQ_MAX_RANGES;
}

void eq_compare_data(eq_pair *p, eq_bytes ref, eq_bytes cand) {
  size_t n = ref.len < cand.len ? ref.len : cand.len;
  data_walk w = {p, eq_section_get(p, "data", 0, ref.len, 0, cand.len)};
  eq_diff_runs(ref.data, cand.data, n, 16, on_data_run, &w);
  if (ref.len != cand.len) {
    eq_reason(p, "size differs: %zu vs %zu bytes", ref.len, cand.len);
    eq_section_range(p, w.sec, FWVET_EQUIV_BOTH, n,
                     (ref.len > cand.len ? ref.len : cand.len) - n);
  } else {
    eq_reason(p, "content differs");
  }
}
