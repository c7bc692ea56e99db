/* The OpenCL runtime: device order, errors, the program cache (host/opencl_runtime.h). */
#include "host/opencl_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ctx.h"
#include "core/sha3.h"
#include "host/opencl_loader.h"

/* ---- errors -------------------------------------------------------------------------- */

const char *sm_ocl_err_name(cl_int err) {
  switch (err) {
#define E(x) \
  case x:    \
    return #x;
    E(CL_SUCCESS)
    E(CL_DEVICE_NOT_FOUND)
    E(CL_DEVICE_NOT_AVAILABLE)
    E(CL_COMPILER_NOT_AVAILABLE)
    E(CL_MEM_OBJECT_ALLOCATION_FAILURE)
    E(CL_OUT_OF_RESOURCES)
    E(CL_OUT_OF_HOST_MEMORY)
    E(CL_PROFILING_INFO_NOT_AVAILABLE)
    E(CL_MEM_COPY_OVERLAP)
    E(CL_IMAGE_FORMAT_MISMATCH)
    E(CL_IMAGE_FORMAT_NOT_SUPPORTED)
    E(CL_BUILD_PROGRAM_FAILURE)
    E(CL_MAP_FAILURE)
    E(CL_MISALIGNED_SUB_BUFFER_OFFSET)
    E(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)
    E(CL_COMPILE_PROGRAM_FAILURE)
    E(CL_LINKER_NOT_AVAILABLE)
    E(CL_LINK_PROGRAM_FAILURE)
    E(CL_DEVICE_PARTITION_FAILED)
    E(CL_KERNEL_ARG_INFO_NOT_AVAILABLE)
    E(CL_INVALID_VALUE)
    E(CL_INVALID_DEVICE_TYPE)
    E(CL_INVALID_PLATFORM)
    E(CL_INVALID_DEVICE)
    E(CL_INVALID_CONTEXT)
    E(CL_INVALID_QUEUE_PROPERTIES)
    E(CL_INVALID_COMMAND_QUEUE)
    E(CL_INVALID_HOST_PTR)
    E(CL_INVALID_MEM_OBJECT)
    E(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR)
    E(CL_INVALID_IMAGE_SIZE)
    E(CL_INVALID_SAMPLER)
    E(CL_INVALID_BINARY)
    E(CL_INVALID_BUILD_OPTIONS)
    E(CL_INVALID_PROGRAM)
    E(CL_INVALID_PROGRAM_EXECUTABLE)
    E(CL_INVALID_KERNEL_NAME)
    E(CL_INVALID_KERNEL_DEFINITION)
    E(CL_INVALID_KERNEL)
    E(CL_INVALID_ARG_INDEX)
    E(CL_INVALID_ARG_VALUE)
    E(CL_INVALID_ARG_SIZE)
    E(CL_INVALID_KERNEL_ARGS)
    E(CL_INVALID_WORK_DIMENSION)
    E(CL_INVALID_WORK_GROUP_SIZE)
    E(CL_INVALID_WORK_ITEM_SIZE)
    E(CL_INVALID_GLOBAL_OFFSET)
    E(CL_INVALID_EVENT_WAIT_LIST)
    E(CL_INVALID_EVENT)
    E(CL_INVALID_OPERATION)
    E(CL_INVALID_GL_OBJECT)
    E(CL_INVALID_BUFFER_SIZE)
    E(CL_INVALID_MIP_LEVEL)
    E(CL_INVALID_GLOBAL_WORK_SIZE)
    E(CL_INVALID_PROPERTY)
    E(CL_INVALID_IMAGE_DESCRIPTOR)
    E(CL_INVALID_COMPILER_OPTIONS)
    E(CL_INVALID_LINKER_OPTIONS)
    E(CL_INVALID_DEVICE_PARTITION_COUNT)
#undef E
    case -1001:
      return "CL_PLATFORM_NOT_FOUND_KHR";
    default:
      return "CL error";
  }
}

starkml_status sm_ocl_status(cl_int err) {
  /* CL_INVALID_BUFFER_SIZE: a buffer larger than the device's largest allocation. */
  if (err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES ||
      err == CL_OUT_OF_HOST_MEMORY || err == CL_INVALID_BUFFER_SIZE)
    return STARKML_ERR_NOMEM;
  return STARKML_ERR_BACKEND;
}

/* ---- devices ------------------------------------------------------------------------- */

starkml_status sm_ocl_list(cl_device_id **ids, cl_platform_id **plats, size_t *n, char *why,
                           size_t why_len) {
  if (ids != NULL) *ids = NULL;
  if (plats != NULL) *plats = NULL;
  *n = 0;
  /* Every use of the backend starts here: the ICD loader is loaded first (once). */
  starkml_status s = sm_ocl_load(why, why_len);
  if (s != STARKML_OK) return s;
  cl_uint np = 0;
  cl_int err = clGetPlatformIDs(0, NULL, &np);
  if (err == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || (err == CL_SUCCESS && np == 0)) {
    sm_why(why, why_len,
           "no OpenCL platform: no driver (ICD) is registered in /etc/OpenCL/vendors or "
           "in OCL_ICD_VENDORS; install one (PoCL for the CPU, or the GPU vendor's)");
    return STARKML_ERR_BACKEND;
  }
  if (err != CL_SUCCESS) {
    sm_why(why, why_len, "clGetPlatformIDs: %s (%d)", sm_ocl_err_name(err), (int)err);
    return STARKML_ERR_BACKEND;
  }
  cl_platform_id *pl = calloc(np, sizeof *pl);
  if (pl == NULL) return STARKML_ERR_NOMEM;
  err = clGetPlatformIDs(np, pl, NULL);
  if (err != CL_SUCCESS) {
    free(pl);
    sm_why(why, why_len, "clGetPlatformIDs: %s (%d)", sm_ocl_err_name(err), (int)err);
    return STARKML_ERR_BACKEND;
  }
  size_t total = 0, cap = 0;
  cl_device_id *all = NULL;
  cl_platform_id *allp = NULL;
  for (cl_uint p = 0; p < np && s == STARKML_OK; p++) {
    cl_uint nd = 0;
    err = clGetDeviceIDs(pl[p], CL_DEVICE_TYPE_ALL, 0, NULL, &nd);
    if (err == CL_DEVICE_NOT_FOUND || err != CL_SUCCESS || nd == 0) continue;
    if (total + nd > cap) {
      size_t ncap = total + nd;
      cl_device_id *a2 = realloc(all, ncap * sizeof *a2);
      if (a2 != NULL) all = a2;
      cl_platform_id *p2 = realloc(allp, ncap * sizeof *p2);
      if (p2 != NULL) allp = p2;
      if (a2 == NULL || p2 == NULL) {
        s = STARKML_ERR_NOMEM;
        break;
      }
      cap = ncap;
    }
    cl_uint got = 0;
    err = clGetDeviceIDs(pl[p], CL_DEVICE_TYPE_ALL, nd, all + total, &got);
    if (err != CL_SUCCESS) continue;
    for (cl_uint d = 0; d < got; d++) allp[total + d] = pl[p];
    total += got;
  }
  free(pl);
  if (s != STARKML_OK) {
    free(all);
    free(allp);
    return s;
  }
  *n = total;
  if (ids != NULL) *ids = all;
  else free(all);
  if (plats != NULL) *plats = allp;
  else free(allp);
  return STARKML_OK;
}

/* ---- the program cache ---------------------------------------------------------------- */

/*
 * The in-memory cache is the one piece of process-wide state of the backend: built
 * program binaries, which never change once stored, keyed by what they were built from.
 * A spin lock guards it (held only for a lookup or a copy); a full cache replaces its
 * entries in turn.
 */
#define MEM_CACHE_SLOTS 64 /* the kernels' program and the generated quotient kernels */
#define CACHE_MAGIC "SMOCLBN1"
#define CACHE_MAX_BINARY ((size_t)512 << 20)

typedef struct {
  uint8_t key[SM_SHA3_256_LEN];
  unsigned char *bin;
  size_t len;
} cache_entry;

static atomic_flag cache_lock = ATOMIC_FLAG_INIT;
static cache_entry mem_cache[MEM_CACHE_SLOTS];
static size_t mem_cache_next;
static sm_ocl_cache_stats cache_stats;

static void lock(void) {
  while (atomic_flag_test_and_set_explicit(&cache_lock, memory_order_acquire)) {
  }
}
static void unlock(void) { atomic_flag_clear_explicit(&cache_lock, memory_order_release); }

void sm_ocl_cache_get_stats(sm_ocl_cache_stats *out) {
  lock();
  *out = cache_stats;
  unlock();
}

void sm_ocl_cache_forget_memory(void) {
  lock();
  for (size_t i = 0; i < MEM_CACHE_SLOTS; i++) {
    free(mem_cache[i].bin);
    memset(&mem_cache[i], 0, sizeof mem_cache[i]);
  }
  unlock();
}

static void count(size_t *field) {
  lock();
  (*field)++;
  unlock();
}

/* A copy of the cached binary for key (malloc'd), or NULL. */
static unsigned char *mem_get(const uint8_t *key, size_t *len) {
  unsigned char *out = NULL;
  lock();
  for (size_t i = 0; i < MEM_CACHE_SLOTS; i++) {
    if (mem_cache[i].bin != NULL && memcmp(mem_cache[i].key, key, SM_SHA3_256_LEN) == 0) {
      out = malloc(mem_cache[i].len);
      if (out != NULL) {
        memcpy(out, mem_cache[i].bin, mem_cache[i].len);
        *len = mem_cache[i].len;
      }
      break;
    }
  }
  unlock();
  return out;
}

static void mem_put(const uint8_t *key, const unsigned char *bin, size_t len) {
  unsigned char *copy = malloc(len);
  if (copy == NULL) return;
  memcpy(copy, bin, len);
  unsigned char *old = NULL;
  lock();
  size_t slot = MEM_CACHE_SLOTS;
  for (size_t i = 0; i < MEM_CACHE_SLOTS; i++)
    if (mem_cache[i].bin != NULL && memcmp(mem_cache[i].key, key, SM_SHA3_256_LEN) == 0)
      slot = i;
  if (slot == MEM_CACHE_SLOTS) slot = mem_cache_next++ % MEM_CACHE_SLOTS;
  old = mem_cache[slot].bin;
  memcpy(mem_cache[slot].key, key, SM_SHA3_256_LEN);
  mem_cache[slot].bin = copy;
  mem_cache[slot].len = len;
  unlock();
  free(old);
}

/* The disk cache's directory (no trailing slash) into dir, or 0 when it has none. */
static int cache_dir(char *dir, size_t cap) {
  const char *xdg = getenv("XDG_CACHE_HOME");
  int n;
  if (xdg != NULL && xdg[0] == '/') {
    n = snprintf(dir, cap, "%s/starkml", xdg);
  } else {
    const char *home = getenv("HOME");
    if (home == NULL || home[0] != '/') return 0;
    n = snprintf(dir, cap, "%s/.cache/starkml", home);
  }
  return n > 0 && (size_t)n < cap;
}

static int cache_path(char *path, size_t cap, const uint8_t *key) {
  char dir[1024];
  if (!cache_dir(dir, sizeof dir)) return 0;
  char hex[2 * SM_SHA3_256_LEN + 1];
  for (size_t i = 0; i < SM_SHA3_256_LEN; i++) snprintf(hex + 2 * i, 3, "%02x", key[i]);
  int n = snprintf(path, cap, "%s/opencl-%s.bin", dir, hex);
  return n > 0 && (size_t)n < cap;
}

static void put_le64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint64_t get_le64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

/* File layout: magic (8) | key (32) | LE64 length | SHA3-256 of the binary (32) | binary. */
enum { HDR_LEN = 8 + SM_SHA3_256_LEN + 8 + SM_SHA3_256_LEN };

static unsigned char *disk_get(const uint8_t *key, size_t *len) {
  char path[1200];
  if (!cache_path(path, sizeof path, key)) return NULL;
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  unsigned char hdr[HDR_LEN];
  unsigned char *bin = NULL;
  if (fread(hdr, 1, sizeof hdr, f) != sizeof hdr || memcmp(hdr, CACHE_MAGIC, 8) != 0 ||
      memcmp(hdr + 8, key, SM_SHA3_256_LEN) != 0)
    goto fail;
  uint64_t n = get_le64(hdr + 8 + SM_SHA3_256_LEN);
  if (n == 0 || n > CACHE_MAX_BINARY) goto fail;
  bin = malloc((size_t)n);
  if (bin == NULL || fread(bin, 1, (size_t)n, f) != (size_t)n || fgetc(f) != EOF) goto fail;
  uint8_t h[SM_SHA3_256_LEN];
  sm_sha3_256(h, bin, (size_t)n);
  if (memcmp(h, hdr + 16 + SM_SHA3_256_LEN, SM_SHA3_256_LEN) != 0) goto fail;
  fclose(f);
  *len = (size_t)n;
  return bin;
fail:
  free(bin);
  fclose(f);
  return NULL;
}

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return 0;
    p += w;
    n -= (size_t)w;
  }
  return 1;
}

/* Best effort: any failure leaves no file behind and is otherwise ignored. The file is
   written under a temporary name and renamed, so a reader never sees half of it. */
static void disk_put(const uint8_t *key, const unsigned char *bin, size_t len) {
  char dir[1024], path[1200], tmp[1300];
  if (!cache_dir(dir, sizeof dir) || !cache_path(path, sizeof path, key)) return;
  /* Create the cache directory and its parent (~/.cache) if needed. */
  char *slash = strrchr(dir, '/');
  if (slash != NULL && slash != dir) {
    *slash = '\0';
    (void)mkdir(dir, 0700);
    *slash = '/';
  }
  (void)mkdir(dir, 0700);
  static atomic_uint seq;
  int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%u", path, (long)getpid(),
                   atomic_fetch_add(&seq, 1u));
  if (n <= 0 || (size_t)n >= sizeof tmp) return;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return;
  unsigned char hdr[HDR_LEN];
  memcpy(hdr, CACHE_MAGIC, 8);
  memcpy(hdr + 8, key, SM_SHA3_256_LEN);
  put_le64(hdr + 8 + SM_SHA3_256_LEN, len);
  sm_sha3_256(hdr + 16 + SM_SHA3_256_LEN, bin, len);
  int ok = write_all(fd, hdr, sizeof hdr) && write_all(fd, bin, len);
  if (close(fd) != 0) ok = 0;
  if (!ok || rename(tmp, path) != 0) unlink(tmp);
}

/* ---- building ------------------------------------------------------------------------- */

static void absorb_info(sm_sha3_ctx *c, const char *s) {
  /* Each string with its length, so that the concatenation is unambiguous. */
  uint8_t n[8];
  size_t len = strlen(s);
  for (int i = 0; i < 8; i++) n[i] = (uint8_t)((uint64_t)len >> (8 * i));
  sm_sha3_256_update(c, n, sizeof n);
  sm_sha3_256_update(c, s, len);
}

static void program_key(uint8_t key[SM_SHA3_256_LEN], cl_platform_id plat, cl_device_id dev,
                        const char *options, const sm_ocl_source *src, size_t n_src) {
  sm_sha3_ctx c;
  sm_sha3_256_init(&c);
  absorb_info(&c, "starkml opencl program v1");
  char buf[1024];
  const cl_platform_info pinfo[] = {CL_PLATFORM_NAME, CL_PLATFORM_VENDOR, CL_PLATFORM_VERSION};
  for (size_t i = 0; i < sizeof pinfo / sizeof pinfo[0]; i++) {
    buf[0] = '\0';
    if (clGetPlatformInfo(plat, pinfo[i], sizeof buf - 1, buf, NULL) != CL_SUCCESS) buf[0] = '\0';
    buf[sizeof buf - 1] = '\0';
    absorb_info(&c, buf);
  }
  const cl_device_info dinfo[] = {CL_DEVICE_NAME, CL_DEVICE_VENDOR, CL_DEVICE_VERSION,
                                  CL_DRIVER_VERSION};
  for (size_t i = 0; i < sizeof dinfo / sizeof dinfo[0]; i++) {
    buf[0] = '\0';
    if (clGetDeviceInfo(dev, dinfo[i], sizeof buf - 1, buf, NULL) != CL_SUCCESS) buf[0] = '\0';
    buf[sizeof buf - 1] = '\0';
    absorb_info(&c, buf);
  }
  absorb_info(&c, options);
  for (size_t i = 0; i < n_src; i++) {
    absorb_info(&c, src[i].name);
    sm_sha3_256_update(&c, src[i].text, src[i].len);
  }
  sm_sha3_256_final(&c, key);
}

/* A program from a cached binary, built; NULL when the driver refuses it. */
static cl_program from_binary(cl_context ctx, cl_device_id dev, const unsigned char *bin,
                              size_t len, const char *options) {
  cl_int err = CL_SUCCESS, bst = CL_SUCCESS;
  cl_program p = clCreateProgramWithBinary(ctx, 1, &dev, &len, &bin, &bst, &err);
  if (p == NULL || err != CL_SUCCESS || bst != CL_SUCCESS) {
    if (p != NULL) clReleaseProgram(p);
    return NULL;
  }
  if (clBuildProgram(p, 1, &dev, options, NULL, NULL) != CL_SUCCESS) {
    clReleaseProgram(p);
    return NULL;
  }
  return p;
}

/* The binary of a built program (malloc'd), or NULL. */
static unsigned char *get_binary(cl_program p, size_t *len) {
  size_t n = 0;
  if (clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof n, &n, NULL) != CL_SUCCESS || n == 0 ||
      n > CACHE_MAX_BINARY)
    return NULL;
  unsigned char *bin = malloc(n);
  if (bin == NULL) return NULL;
  unsigned char *ptrs[1] = {bin};
  if (clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof ptrs, ptrs, NULL) != CL_SUCCESS) {
    free(bin);
    return NULL;
  }
  *len = n;
  return bin;
}

starkml_status sm_ocl_build(cl_program *out, cl_context ctx, cl_platform_id plat,
                            cl_device_id dev, const char *options, char *why,
                            size_t why_len) {
  return sm_ocl_build_sources(out, ctx, plat, dev, options, sm_ocl_sources, sm_ocl_sources_count,
                              why, why_len);
}

starkml_status sm_ocl_build_sources(cl_program *out, cl_context ctx, cl_platform_id plat,
                                    cl_device_id dev, const char *options,
                                    const sm_ocl_source *src, size_t n_src, char *why,
                                    size_t why_len) {
  *out = NULL;
  if (n_src == 0 || n_src > SM_OCL_MAX_SOURCES) return STARKML_ERR_ARG;
  uint8_t key[SM_SHA3_256_LEN];
  program_key(key, plat, dev, options, src, n_src);

  size_t len = 0;
  unsigned char *bin = mem_get(key, &len);
  if (bin != NULL) {
    cl_program p = from_binary(ctx, dev, bin, len, options);
    free(bin);
    if (p != NULL) {
      count(&cache_stats.mem_hits);
      *out = p;
      return STARKML_OK;
    }
  }
  bin = disk_get(key, &len);
  if (bin != NULL) {
    cl_program p = from_binary(ctx, dev, bin, len, options);
    if (p != NULL) mem_put(key, bin, len);
    free(bin);
    if (p != NULL) {
      count(&cache_stats.disk_hits);
      *out = p;
      return STARKML_OK;
    }
  }

  const char *texts[SM_OCL_MAX_SOURCES];
  size_t lens[SM_OCL_MAX_SOURCES];
  const size_t ns = n_src;
  for (size_t i = 0; i < ns; i++) {
    texts[i] = src[i].text;
    lens[i] = src[i].len;
  }
  cl_int err = CL_SUCCESS;
  cl_program p = clCreateProgramWithSource(ctx, (cl_uint)ns, texts, lens, &err);
  if (p == NULL || err != CL_SUCCESS) {
    sm_why(why, why_len, "clCreateProgramWithSource: %s (%d)", sm_ocl_err_name(err), (int)err);
    return sm_ocl_status(err);
  }
  err = clBuildProgram(p, 1, &dev, options, NULL, NULL);
  if (err != CL_SUCCESS) {
    size_t log_len = 0;
    char *log = NULL;
    if (clGetProgramBuildInfo(p, dev, CL_PROGRAM_BUILD_LOG, 0, NULL, &log_len) == CL_SUCCESS &&
        log_len > 0 && (log = malloc(log_len + 1)) != NULL) {
      if (clGetProgramBuildInfo(p, dev, CL_PROGRAM_BUILD_LOG, log_len, log, NULL) != CL_SUCCESS)
        log[0] = '\0';
      log[log_len] = '\0';
    }
    sm_why(why, why_len, "clBuildProgram (%s, options \"%s\"): %s (%d); build log: %s",
           src[ns - 1].name, options, sm_ocl_err_name(err), (int)err,
           log != NULL && log[0] ? log : "(empty)");
    free(log);
    clReleaseProgram(p);
    return err == CL_BUILD_PROGRAM_FAILURE ? STARKML_ERR_BACKEND : sm_ocl_status(err);
  }
  count(&cache_stats.built);
  bin = get_binary(p, &len);
  if (bin != NULL) {
    mem_put(key, bin, len);
    disk_put(key, bin, len);
    free(bin);
  }
  *out = p;
  return STARKML_OK;
}
