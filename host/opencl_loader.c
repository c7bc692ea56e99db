/* The OpenCL ICD loader, loaded at run time (host/opencl_loader.h). */
#define _GNU_SOURCE /* dladdr */
#define SM_OCL_LOADER_IMPL
#include "host/opencl_loader.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ctx.h"
#include "host/backends.h"

#define LOADER_NAME "libOpenCL.so.1"

sm_ocl_api sm_cl;

/* The result of the one search of the process (sm_ocl_load), written once under
   load_once and only read afterwards. */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static starkml_status load_status = STARKML_ERR_BACKEND;
static char load_path[PATH_MAX];
static char load_why[1536];

/* Appends ", " (after the first) and a formatted item to buf, keeping it terminated. */
static void append(char *buf, size_t cap, size_t *len, const char *fmt, const char *a,
                   const char *b) {
  if (*len >= cap) return;
  int n = snprintf(buf + *len, cap - *len, fmt, *len > 0 ? "; " : "", a, b);
  if (n > 0) *len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
}

/* dlerror's reason without the file name it starts with ("F: cannot open shared object
   file: No such file or directory" -> "No such file or directory"). */
static const char *dl_reason(const char *cand, const char *err) {
  if (err == NULL) return "unknown error";
  size_t n = strlen(cand);
  if (strncmp(err, cand, n) == 0 && strncmp(err + n, ": ", 2) == 0) err += n + 2;
  const char *generic = "cannot open shared object file: ";
  if (strncmp(err, generic, strlen(generic)) == 0) err += strlen(generic);
  return err;
}

/* Resolves every entry point of h into *api; the first missing one's name otherwise. */
static const char *resolve(void *h, sm_ocl_api *api) {
#define SM_OCL_RESOLVE(name)                                     \
  {                                                              \
    void *sym = dlsym(h, "cl" #name);                            \
    if (sym == NULL) return "cl" #name;                          \
    _Static_assert(sizeof sym == sizeof api->name, "a pointer"); \
    memcpy(&api->name, &sym, sizeof sym);                        \
  }
  SM_OCL_ENTRY_POINTS(SM_OCL_RESOLVE)
#undef SM_OCL_RESOLVE
  return NULL;
}

starkml_status sm_ocl_load_from(const char *const *cand, size_t n_cand, sm_ocl_api *api,
                                char *path, size_t path_len, char *why, size_t why_len) {
  char tried[1280] = "";
  size_t len = 0;
  for (size_t i = 0; i < n_cand; i++) {
    (void)dlerror();
    void *h = dlopen(cand[i], RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
      append(tried, sizeof tried, &len, "%s%s (%s)", cand[i], dl_reason(cand[i], dlerror()));
      continue;
    }
    sm_ocl_api got;
    const char *missing = resolve(h, &got);
    if (missing != NULL) {
      append(tried, sizeof tried, &len, "%s%s (it has no %s)", cand[i], missing);
      dlclose(h);
      continue;
    }
    /* The file the dynamic linker chose for a bare name (dladdr), else the name given. */
    Dl_info info;
    void *sym;
    memcpy(&sym, &got.GetPlatformIDs, sizeof sym);
    const char *file = dladdr(sym, &info) != 0 && info.dli_fname != NULL &&
                               info.dli_fname[0] == '/'
                           ? info.dli_fname
                           : cand[i];
    if (path != NULL && path_len > 0) snprintf(path, path_len, "%s", file);
    *api = got;
    return STARKML_OK;
  }
  sm_why(why, why_len,
         "no OpenCL ICD loader: tried %s; install one (Debian: ocl-icd-libopencl1) or set "
         "STARKML_OPENCL_LIBRARY to its path",
         n_cand > 0 ? tried : "nothing");
  return STARKML_ERR_BACKEND;
}

/* Adds file to cand[*n] (in buf, resolved when it exists) unless an earlier candidate
   names the same file. */
static void add_file(const char **cand, size_t *n, char *buf, const char *file) {
  if (realpath(file, buf) == NULL) snprintf(buf, PATH_MAX, "%s", file);
  for (size_t i = 0; i < *n; i++)
    if (strcmp(cand[i], buf) == 0) return;
  cand[(*n)++] = buf;
}

static void load(void) {
  enum { MAX_CAND = 7 };
  static char bufs[MAX_CAND][PATH_MAX];
  const char *cand[MAX_CAND];
  size_t n = 0;
  const char *env = getenv("STARKML_OPENCL_LIBRARY");
  if (env != NULL && env[0] != '\0') cand[n++] = env;
  cand[n++] = LOADER_NAME;
  /* The bundled copy beside the running program: the installed layout first. */
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  char *slash = NULL;
  if (len > 0) {
    exe[len] = '\0';
    slash = strrchr(exe, '/');
  }
  if (slash != NULL) {
    *slash = '\0';
    const char *const rel[] = {STARKML_OCL_BUNDLE_REL, "../lib/starkml/" LOADER_NAME,
                               "lib/starkml/" LOADER_NAME};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
      char file[PATH_MAX];
      if (snprintf(file, sizeof file, "%s/%s", exe, rel[i]) < (int)sizeof file)
        add_file(cand, &n, bufs[n], file);
    }
  }
  add_file(cand, &n, bufs[n], STARKML_OCL_BUNDLE_BUILD);
  add_file(cand, &n, bufs[n], STARKML_OCL_BUNDLE_INSTALL);
  load_status =
      sm_ocl_load_from(cand, n, &sm_cl, load_path, sizeof load_path, load_why, sizeof load_why);
}

starkml_status sm_ocl_load(char *why, size_t why_len) {
  if (pthread_once(&load_once, load) != 0) {
    sm_why(why, why_len, "no OpenCL ICD loader: pthread_once failed");
    return STARKML_ERR_BACKEND;
  }
  if (load_status != STARKML_OK) sm_why(why, why_len, "%s", load_why);
  return load_status;
}

const char *sm_opencl_loader(void) {
  return sm_ocl_load(NULL, 0) == STARKML_OK ? load_path : NULL;
}
