/*
 * The OpenCL ICD loader, loaded at run time (host/opencl_loader.c). Internal to libstarkml.
 *
 * libstarkml and the `starkml` program do not link libOpenCL: a host without an ICD loader
 * still runs everything but the opencl backend. The first use of the backend dlopen()s a
 * loader and resolves every OpenCL entry point the backend calls into one table, sm_cl;
 * the OpenCL sources include this header right after CL/cl.h, and the macros at the end
 * turn their calls (clCreateBuffer(...)) into calls through the table, so that the call
 * sites read as plain OpenCL.
 *
 * Search order, the first file that loads and has every entry point wins:
 *   1. $STARKML_OPENCL_LIBRARY, an explicit path, when set and not empty;
 *   2. libOpenCL.so.1 through the dynamic linker's search (LD_LIBRARY_PATH, ld.so.cache);
 *   3. the copy bundled with the build (cmake/opencl.cmake), beside the running program:
 *      <exe dir>/<bindir to libdir>/starkml, <exe dir>/../lib/starkml and
 *      <exe dir>/lib/starkml;
 *   4. the same copy at the build tree's and the install prefix's absolute paths, fixed at
 *      configure time.
 * The loaded library stays for the life of the process (it is never dlclose()d: the
 * driver it loaded may have threads of its own).
 */
#ifndef STARKML_HOST_OPENCL_LOADER_H
#define STARKML_HOST_OPENCL_LOADER_H

#include <stddef.h>

#if defined(__APPLE__)
#include <OpenCL/cl.h>
#else
#include <CL/cl.h>
#endif

#include "starkml.h"

/* Every OpenCL entry point libstarkml calls, without its "cl" prefix. A call of another
   one is an undefined symbol when the program is linked: add it here and below. */
#define SM_OCL_ENTRY_POINTS(X)                                                             \
  X(BuildProgram) X(CreateBuffer) X(CreateCommandQueue) X(CreateContext) X(CreateKernel)   \
  X(CreateProgramWithBinary) X(CreateProgramWithSource) X(EnqueueCopyBuffer)               \
  X(EnqueueNDRangeKernel) X(EnqueueReadBuffer) X(EnqueueReadBufferRect)                    \
  X(EnqueueWriteBuffer) X(EnqueueWriteBufferRect) X(GetDeviceIDs) X(GetDeviceInfo)         \
  X(GetKernelWorkGroupInfo) X(GetPlatformIDs) X(GetPlatformInfo) X(GetProgramBuildInfo)    \
  X(GetProgramInfo) X(ReleaseCommandQueue) X(ReleaseContext) X(ReleaseKernel)              \
  X(ReleaseMemObject) X(ReleaseProgram) X(SetKernelArg)

/* The table: one pointer per entry point, typed from CL/cl.h's own declaration (so the
   table cannot disagree with the header). */
typedef struct {
#define SM_OCL_MEMBER(name) __typeof__(&cl##name) name;
  SM_OCL_ENTRY_POINTS(SM_OCL_MEMBER)
#undef SM_OCL_MEMBER
} sm_ocl_api;

/* Filled once by sm_ocl_load; read-only afterwards. */
extern sm_ocl_api sm_cl;

/*
 * Loads the ICD loader (the search order above) on the first call, from any thread; later
 * calls return the first call's result.
 * Returns: STARKML_OK (sm_cl is filled); STARKML_ERR_BACKEND when no candidate loads or has
 *          every entry point (why lists each file tried and what went wrong).
 */
starkml_status sm_ocl_load(char *why, size_t why_len);

/*
 * Tries the candidate files cand[0 .. n_cand) in order (a name without '/' goes through the
 * dynamic linker's search) and fills *api from the first that loads and has every entry
 * point. Nothing is loaded once and for all: a test calls it on paths of its own.
 * Returns: STARKML_OK with the file that loaded in path (its real name where dladdr knows
 *          it); STARKML_ERR_BACKEND with the tried files and their errors in why.
 */
starkml_status sm_ocl_load_from(const char *const *cand, size_t n_cand, sm_ocl_api *api,
                                char *path, size_t path_len, char *why, size_t why_len);

/* The calls of the OpenCL sources go through the table (see the top of this file). */
#ifndef SM_OCL_LOADER_IMPL
#define SM_OCL_CALL(name) sm_cl.name
#define clBuildProgram SM_OCL_CALL(BuildProgram)
#define clCreateBuffer SM_OCL_CALL(CreateBuffer)
#define clCreateCommandQueue SM_OCL_CALL(CreateCommandQueue)
#define clCreateContext SM_OCL_CALL(CreateContext)
#define clCreateKernel SM_OCL_CALL(CreateKernel)
#define clCreateProgramWithBinary SM_OCL_CALL(CreateProgramWithBinary)
#define clCreateProgramWithSource SM_OCL_CALL(CreateProgramWithSource)
#define clEnqueueCopyBuffer SM_OCL_CALL(EnqueueCopyBuffer)
#define clEnqueueNDRangeKernel SM_OCL_CALL(EnqueueNDRangeKernel)
#define clEnqueueReadBuffer SM_OCL_CALL(EnqueueReadBuffer)
#define clEnqueueReadBufferRect SM_OCL_CALL(EnqueueReadBufferRect)
#define clEnqueueWriteBuffer SM_OCL_CALL(EnqueueWriteBuffer)
#define clEnqueueWriteBufferRect SM_OCL_CALL(EnqueueWriteBufferRect)
#define clGetDeviceIDs SM_OCL_CALL(GetDeviceIDs)
#define clGetDeviceInfo SM_OCL_CALL(GetDeviceInfo)
#define clGetKernelWorkGroupInfo SM_OCL_CALL(GetKernelWorkGroupInfo)
#define clGetPlatformIDs SM_OCL_CALL(GetPlatformIDs)
#define clGetPlatformInfo SM_OCL_CALL(GetPlatformInfo)
#define clGetProgramBuildInfo SM_OCL_CALL(GetProgramBuildInfo)
#define clGetProgramInfo SM_OCL_CALL(GetProgramInfo)
#define clReleaseCommandQueue SM_OCL_CALL(ReleaseCommandQueue)
#define clReleaseContext SM_OCL_CALL(ReleaseContext)
#define clReleaseKernel SM_OCL_CALL(ReleaseKernel)
#define clReleaseMemObject SM_OCL_CALL(ReleaseMemObject)
#define clReleaseProgram SM_OCL_CALL(ReleaseProgram)
#define clSetKernelArg SM_OCL_CALL(SetKernelArg)
#endif

#endif
