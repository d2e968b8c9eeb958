/*
 * Replays a fuzz corpus without a fuzzing engine: every file named on the
 * command line, or every file in a directory named there, is passed once
 * to LLVMFuzzerTestOneInput.  Lets ctest run the corpus in every build.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: %s: cannot open\n", path);
    return 1;
  }
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      uint8_t *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (!buf)
    return 1;
  LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  int bad = 0, count = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
      DIR *d = opendir(argv[i]);
      struct dirent *de;
      while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
          continue;
        size_t need = strlen(argv[i]) + strlen(de->d_name) + 2;
        char *p = malloc(need);
        if (!p)
          return 1;
        snprintf(p, need, "%s/%s", argv[i], de->d_name);
        bad |= run_file(p);
        count++;
        free(p);
      }
      if (d)
        closedir(d);
    } else {
      bad |= run_file(argv[i]);
      count++;
    }
  }
  printf("replayed %d inputs\n", count);
  return bad || count == 0;
}
