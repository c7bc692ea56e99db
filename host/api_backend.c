/* The backend registry: starkml_ctx_set_backend, starkml_ctx_backend, starkml_devices. */
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "host/backends.h"

static void fill_cpu(starkml_device_info *d) {
  memset(d, 0, sizeof *d);
  snprintf(d->backend, sizeof d->backend, "cpu");
  snprintf(d->name, sizeof d->name, "host CPU (OpenMP)");
  snprintf(d->platform, sizeof d->platform, "the reference backend");
  snprintf(d->version, sizeof d->version, "starkml %s", starkml_version());
  d->compute_units = omp_get_num_procs();
}

starkml_status starkml_ctx_set_backend(starkml_ctx *ctx, const char *name, int device,
                                       char *why, size_t why_len) {
  sm_why(why, why_len, "%s", "");
  if (ctx == NULL || name == NULL) {
    sm_why(why, why_len, "no context or no backend name");
    return STARKML_ERR_ARG;
  }
  sm_backend *be = NULL;
  starkml_status s = STARKML_OK;
  if (strcmp(name, "cpu") == 0) {
    if (device != 0) {
      sm_why(why, why_len, "the cpu backend has one device, 0; not %d", device);
      return STARKML_ERR_ARG;
    }
  } else if (strcmp(name, "opencl") == 0 || strcmp(name, "verilator") == 0) {
    if (device < 0) {
      sm_why(why, why_len, "device index %d: indices start at 0", device);
      return STARKML_ERR_ARG;
    }
    int opencl = strcmp(name, "opencl") == 0;
#if defined(STARKML_HAVE_OPENCL)
    if (opencl) s = sm_opencl_open(&be, device, ctx->threads, why, why_len);
#endif
#if defined(STARKML_HAVE_VERILATOR)
    if (!opencl) s = sm_verilator_open(&be, device, ctx->threads, why, why_len);
#endif
    if (s == STARKML_OK && be == NULL) {
      sm_why(why, why_len,
             "backend '%s' is not in this build (%s was not found when it was configured)",
             name, opencl ? "an OpenCL ICD loader" : "Verilator");
      return STARKML_ERR_BACKEND;
    }
    if (s != STARKML_OK) return s;
  } else {
    sm_why(why, why_len, "unknown backend '%s' (cpu, opencl or verilator)", name);
    return STARKML_ERR_ARG;
  }
  sm_be_free(ctx->backend);
  ctx->backend = be;
  return STARKML_OK;
}

#if !defined(STARKML_HAVE_OPENCL)
const char *sm_opencl_loader(void) { return NULL; }
#endif

const char *starkml_ctx_backend(const starkml_ctx *ctx) {
  return sm_be_name(ctx != NULL ? ctx->backend : NULL);
}

starkml_status starkml_devices(starkml_device_info *out, size_t cap, size_t *n, char *why,
                               size_t why_len) {
  sm_why(why, why_len, "%s", "");
  if (n == NULL || (out == NULL && cap > 0)) return STARKML_ERR_ARG;
  *n = 0;
  if (cap > 0) fill_cpu(&out[0]);
  *n = 1;
#if defined(STARKML_HAVE_OPENCL)
  if (sm_opencl_devices(out, cap, n, why, why_len) != STARKML_OK) {
    /* why says why (no platform, say); the other backends are still listed. */
  }
#endif
#if defined(STARKML_HAVE_VERILATOR)
  {
    char w2[256] = "";
    if (sm_verilator_devices(out, cap, n, w2, sizeof w2) != STARKML_OK && why != NULL &&
        why_len > 0 && why[0] == '\0')
      sm_why(why, why_len, "%s", w2);
  }
#endif
  return STARKML_OK;
}
