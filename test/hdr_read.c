/* HdrHistogram_c's own readers, for the tests: decodes what tcpecho wrote
 * with the library's code, not tcpecho's, and prints what it found as JSON.
 *
 *   hdr_read encoded       one compressed histogram per line of stdin
 *   hdr_read sum           the same, added up into one (hdr_add)
 *   hdr_read log FILE      an .hlog interval log, one line per entry
 */
#include <hdr/hdr_histogram.h>
#include <hdr/hdr_histogram_log.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_histogram(const struct hdr_histogram* h) {
  printf("\"count\": %lld, \"min\": %lld, \"max\": %lld, \"p50\": %lld, \"p90\": %lld, "
         "\"p99\": %lld, \"p999\": %lld",
         (long long)h->total_count, (long long)hdr_min(h), (long long)hdr_max(h),
         (long long)hdr_value_at_percentile(h, 50.0), (long long)hdr_value_at_percentile(h, 90.0),
         (long long)hdr_value_at_percentile(h, 99.0), (long long)hdr_value_at_percentile(h, 99.9));
}

static int read_encoded(int add_up) {
  static char line[1 << 20];
  struct hdr_histogram* sum = NULL;
  while (fgets(line, sizeof line, stdin) != NULL) {
    size_t length = strcspn(line, "\r\n");
    line[length] = '\0';
    struct hdr_histogram* h = NULL;
    int error = hdr_log_decode(&h, line, length);
    if (error != 0) {
      fprintf(stderr, "hdr_read: %s\n", hdr_strerror(error));
      return 1;
    }
    if (add_up && sum == NULL) {
      sum = h;
      continue;
    }
    if (add_up) {
      if (hdr_add(sum, h) != 0) fprintf(stderr, "hdr_read: values dropped\n");
    } else {
      printf("{");
      print_histogram(h);
      printf("}\n");
    }
    hdr_close(h);
  }
  if (sum != NULL) {
    printf("{");
    print_histogram(sum);
    printf("}\n");
    hdr_close(sum);
  }
  return 0;
}

static int read_log(const char* path) {
  FILE* file = fopen(path, "r");
  if (file == NULL) {
    perror(path);
    return 1;
  }
  struct hdr_log_reader reader;
  hdr_log_reader_init(&reader);
  int error = hdr_log_read_header(&reader, file);
  if (error != 0) {
    fprintf(stderr, "hdr_read: header: %s\n", hdr_strerror(error));
    return 1;
  }
  printf("{\"start_time\": %lld.%09ld}\n", (long long)reader.start_timestamp.tv_sec,
         (long)reader.start_timestamp.tv_nsec);
  for (;;) {
    char tag[256] = {0};
    struct hdr_log_entry entry;
    memset(&entry, 0, sizeof entry);
    entry.tag = tag;
    entry.tag_len = sizeof tag - 1;
    struct hdr_histogram* h = NULL;
    error = hdr_log_read_entry(&reader, file, &entry, &h);
    if (error == EOF) break;
    if (error != 0) {
      fprintf(stderr, "hdr_read: entry: %s\n", hdr_strerror(error));
      return 1;
    }
    printf("{\"tag\": \"%s\", \"start\": %lld.%09ld, \"interval\": %lld.%09ld, ", tag,
           (long long)entry.start_timestamp.tv_sec, (long)entry.start_timestamp.tv_nsec,
           (long long)entry.interval.tv_sec, (long)entry.interval.tv_nsec);
    print_histogram(h);
    printf("}\n");
    hdr_close(h);
  }
  fclose(file);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "encoded") == 0) return read_encoded(0);
  if (argc == 2 && strcmp(argv[1], "sum") == 0) return read_encoded(1);
  if (argc == 3 && strcmp(argv[1], "log") == 0) return read_log(argv[2]);
  fprintf(stderr, "usage: hdr_read encoded|sum < LINES | hdr_read log FILE\n");
  return 2;
}
