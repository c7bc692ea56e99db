/*
 * The device backends of this build (core/backend.h is the interface). Each is compiled
 * in only when its dependencies were found at configure time:
 *   STARKML_HAVE_OPENCL     host/backend_opencl.c, kernels/ (OpenCL C) (OpenCL ICD loader)
 *   STARKML_HAVE_VERILATOR  host/backend_verilator.c over hdl/dv's simulated core
 * host/api_backend.c is the registry behind starkml_ctx_set_backend and starkml_devices.
 */
#ifndef STARKML_HOST_BACKENDS_H
#define STARKML_HOST_BACKENDS_H

#include <stddef.h>

#include "core/backend.h"
#include "starkml.h"

/*
 * Opens device `device` of the backend.
 * Returns: STARKML_OK; STARKML_ERR_ARG (no such device index); STARKML_ERR_BACKEND (no
 *          platform, no device, or the device refused; why says which, in the driver's
 *          words where there are some); STARKML_ERR_NOMEM.
 * Out:  *out  the backend (NULL on failure), released with sm_be_free.
 */
starkml_status sm_opencl_open(sm_backend **out, int device, int threads, char *why,
                              size_t why_len);
starkml_status sm_verilator_open(sm_backend **out, int device, int threads, char *why,
                                 size_t why_len);

/*
 * Appends the backend's devices to out[*n ..] (up to cap entries in all), adding every
 * device to *n even past cap.
 * Returns: STARKML_OK, or STARKML_ERR_BACKEND with why (no platform, say); *n unchanged.
 */
starkml_status sm_opencl_devices(starkml_device_info *out, size_t cap, size_t *n, char *why,
                                 size_t why_len);
starkml_status sm_verilator_devices(starkml_device_info *out, size_t cap, size_t *n,
                                    char *why, size_t why_len);

/*
 * The file of the OpenCL ICD loader the opencl backend uses (host/opencl_loader.h; loaded
 * by this call if no earlier one did), or NULL: none could be loaded, or the build has no
 * OpenCL backend.
 */
const char *sm_opencl_loader(void);

#endif
