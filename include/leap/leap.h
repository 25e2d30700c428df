/* LEAP's C API: usable from C, C++ and Fortran (iso_c_binding). Every call returns an error code
 * (LEAP_OK on success); leap_last_error() gives the message of the last failure on this thread. */
#ifndef LEAP_LEAP_H
#define LEAP_LEAP_H

#ifdef __cplusplus
extern "C" {
#endif

enum leap_status { LEAP_OK = 0, LEAP_ERR_OTHER = 1, LEAP_ERR_INPUT = 2 };

/* LEAP's version as "MAJOR.MINOR.PATCH". */
const char* leap_version(void);
/* 1 when this build has CUDA code paths and a CUDA device is visible, else 0. */
int leap_cuda_available(void);
/* The message of the last failed call on this thread ("" when none). */
const char* leap_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* LEAP_LEAP_H */
