# The OpenCL backend (issue 6): host/backend_opencl.c and the kernels of kernels/, embedded
# into libstarkml. Included by the top-level CMakeLists.txt when STARKML_OPENCL is ON.
find_package(OpenCL REQUIRED)
