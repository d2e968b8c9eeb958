/*
 * fwvet-sigbench: throughput of the component signature scan alone, on
 * one core: every file given is mapped and scanned once with all
 * signatures (the built-in ones, plus --signatures FILE), as a scan does
 * for each file it unpacks.  Prints bytes, CPU seconds, MB/s per core,
 * and the number of matches per product (to compare with a peer tool).
 *
 * usage: fwvet-sigbench [--signatures FILE] [--dump-patterns] FILE...
 *   --dump-patterns  print "PRODUCT<TAB>REGEX" for every string pattern
 *                    and exit (bench/signatures.sh turns them into YARA
 *                    rules for the peer run)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sig/sigdb_int.h"

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct counts {
  size_t *per_product;
  size_t total;
} counts;

static int on_hit(void *ud, const fwvet_sighit *h) {
  counts *c = ud;
  c->per_product[h->product]++;
  c->total++;
  return 0;
}

int main(int argc, char **argv) {
  const char *extra = NULL;
  int dump = 0, i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "--signatures") && i + 1 < argc)
      extra = argv[++i];
    else if (!strcmp(argv[i], "--dump-patterns"))
      dump = 1;
    else {
      fprintf(stderr, "usage: fwvet-sigbench [--signatures FILE] "
                      "[--dump-patterns] FILE...\n");
      return 2;
    }
  }
  char err[512];
  fwvet_sigdb *db = NULL;
  if (fwvet_sigdb_add_builtin(&db, err, sizeof err) ||
      (extra && fwvet_sigdb_add_file(&db, extra, err, sizeof err)) ||
      fwvet_sigdb_compile(db, err, sizeof err)) {
    fprintf(stderr, "fwvet-sigbench: %s\n", err);
    return 2;
  }
  if (dump) {
    for (size_t p = 0; p < db->npats; p++)
      if (!db->pats[p].is_name)
        printf("%s\t%s\n", db->prods[db->pats[p].product].name,
               db->pats[p].expr);
    fwvet_sigdb_free(db);
    return 0;
  }
  counts c = {calloc(db->nprods, sizeof(size_t)), 0};
  unsigned long long bytes = 0;
  double cpu = 0;
  size_t files = 0;
  for (; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
      if (fd >= 0)
        close(fd);
      continue;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
      continue;
    /* Fault the pages in first: the scan, not the disk, is measured. */
    volatile unsigned char sink = 0;
    for (off_t o = 0; o < st.st_size; o += 4096)
      sink ^= ((const unsigned char *)m)[o];
    (void)sink;
    double t0 = cpu_now();
    fwvet_sigdb_scan(db, m, (size_t)st.st_size, on_hit, &c);
    cpu += cpu_now() - t0;
    bytes += (unsigned long long)st.st_size;
    files++;
    munmap(m, (size_t)st.st_size);
  }
  printf("signatures: %zu products, %zu patterns\n", db->nprods, db->npats);
  printf("files: %zu, bytes: %llu, cpu seconds: %.3f\n", files, bytes, cpu);
  printf("throughput: %.0f MB/s per core\n",
         cpu > 0 ? (double)bytes / 1e6 / cpu : 0.0);
  printf("matches: %zu\n", c.total);
  for (size_t p = 0; p < db->nprods; p++)
    if (c.per_product[p])
      printf("  %-20s %zu\n", db->prods[p].name, c.per_product[p]);
  free(c.per_product);
  fwvet_sigdb_free(db);
  return 0;
}
