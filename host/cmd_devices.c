/* `starkml devices`: what each backend of this build can run on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/backends.h"
#include "host/cli.h"

static void devices_usage(FILE *f) {
  fprintf(f,
          "usage: starkml devices [--json]\n"
          "\n"
          "Lists the devices the prover can use, one per line: the backend, the index that\n"
          "`--backend B --device N` takes, the device's name, its platform and driver\n"
          "version, its memory and compute units. The CPU is always there; OpenCL devices\n"
          "appear when this build has the OpenCL backend and a platform (ICD) is installed;\n"
          "the simulated NTT core when it has the Verilator backend. When a backend is built\n"
          "in but finds nothing (no OpenCL platform, say), a note on stderr says why. A last\n"
          "line names the OpenCL ICD loader (libOpenCL.so.1) the OpenCL backend loaded:\n"
          "$STARKML_OPENCL_LIBRARY, the system's, or the copy that comes with starkml.\n"
          "\n"
          "  --json   print {\"devices\": [{\"backend\", \"index\", \"name\", \"platform\",\n"
          "           \"version\", \"global_mem\", \"compute_units\"}], \"note\",\n"
          "           \"opencl_loader\" (null when none)} instead\n");
}

int cli_cmd_devices(int argc, char **argv) {
  const char *who = "starkml devices";
  int json = 0;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      devices_usage(stdout);
      return CLI_EXIT_OK;
    }
    if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else {
      fprintf(stderr, "%s: unexpected argument '%s'\nusage: starkml devices [--json]\n", who,
              argv[i]);
      return CLI_EXIT_USAGE;
    }
  }
  char why[512] = "";
  size_t n = 0;
  if (starkml_devices(NULL, 0, &n, NULL, 0) != STARKML_OK) return CLI_EXIT_USAGE;
  starkml_device_info *d = calloc(n, sizeof *d);
  if (d == NULL) {
    fprintf(stderr, "%s: out of memory\n", who);
    return CLI_EXIT_USAGE;
  }
  size_t n2 = 0;
  if (starkml_devices(d, n, &n2, why, sizeof why) != STARKML_OK) {
    free(d);
    return CLI_EXIT_USAGE;
  }
  if (n2 < n) n = n2;
  const char *loader = sm_opencl_loader();
  if (json) {
    printf("{\"devices\": [");
    for (size_t i = 0; i < n; i++) {
      printf("%s{\"backend\": ", i ? ", " : "");
      cli_json_str(stdout, d[i].backend);
      printf(", \"index\": %d, \"name\": ", d[i].index);
      cli_json_str(stdout, d[i].name);
      printf(", \"platform\": ");
      cli_json_str(stdout, d[i].platform);
      printf(", \"version\": ");
      cli_json_str(stdout, d[i].version);
      printf(", \"global_mem\": %llu, \"compute_units\": %d}",
             (unsigned long long)d[i].global_mem, d[i].compute_units);
    }
    printf("], \"note\": ");
    cli_json_str(stdout, why);
    printf(", \"opencl_loader\": ");
    if (loader != NULL) cli_json_str(stdout, loader);
    else printf("null");
    printf("}\n");
  } else {
    printf("%-10s %-5s %-40s %s\n", "backend", "index", "device", "platform / version");
    for (size_t i = 0; i < n; i++) {
      printf("%-10s %-5d %-40s %s / %s", d[i].backend, d[i].index, d[i].name, d[i].platform,
             d[i].version);
      if (d[i].global_mem > 0)
        printf(", %.1f GiB", (double)d[i].global_mem / (1024.0 * 1024.0 * 1024.0));
      if (d[i].compute_units > 0) printf(", %d compute units", d[i].compute_units);
      printf("\n");
    }
    if (loader != NULL) printf("OpenCL ICD loader: %s\n", loader);
    if (why[0] != '\0') fprintf(stderr, "%s: note: %s\n", who, why);
  }
  free(d);
  return CLI_EXIT_OK;
}
