/* LEAP's C API: usable from C, C++ and Fortran (iso_c_binding; module `leap`, plugin/fortran/leap.f90).
 * Every call returns a leap_status as an int (LEAP_OK on success); leap_last_error() gives the message
 * of the last failure on this thread. Objects are named by handles: positive ints, 0 is never valid,
 * not pointers to C++ objects. */
#ifndef LEAP_LEAP_H
#define LEAP_LEAP_H

#include <mpi.h>

#ifdef __cplusplus
extern "C" {
#endif

enum leap_status { LEAP_OK = 0, LEAP_ERR_OTHER = 1, LEAP_ERR_INPUT = 2 };

/* ---- Status --------------------------------------------------------------------------------- */

/* LEAP's version as "MAJOR.MINOR.PATCH". */
const char* leap_version(void);
/* 1 when this build has CUDA code paths and a CUDA device is visible, else 0. */
int leap_cuda_available(void);
/* The message of the last failed call on this thread ("" when none). */
const char* leap_last_error(void);
/* Copies that message into buf (at most size - 1 characters, then a NUL; nothing when size <= 0) and
 * returns its full length, like snprintf. From Fortran: n = leap_last_error_copy(msg, len(msg)),
 * then msg(1:min(n, len(msg) - 1)). */
int leap_last_error_copy(char* buf, int size);

/* ---- State exchange: a solver's distributed 2-D state <-> the full field on emulator ranks ----
 *
 * Each rank owns a box of a [channels, nx, ny] field: cells x0 .. x0+xm-1 and y0 .. y0+ym-1
 * (0-based; xm or ym 0 when it owns nothing); the boxes of all ranks tile the grid. gather() gives
 * the emulator rank(s) the full field, float32 [channels][nx][ny] in C order (a Fortran
 * full(ny, nx, channels)); scatter() is its inverse. A rank's block is float32 in the layout set
 * with leap_exchange_set_layout (LEAP_LAYOUT_CXY by default):
 *   LEAP_LAYOUT_CXY  [channels][xm][ym]  (Fortran a(ym, xm, channels))
 *   LEAP_LAYOUT_XYC  [xm][ym][channels]  The Well's file order (Fortran a(channels, ym, xm))
 *   LEAP_LAYOUT_YXC  [ym][xm][channels]  a 2-D DMDA's array, dofs interleaved (Fortran a(channels, xm, ym))
 *   LEAP_LAYOUT_CYX  [channels][ym][xm]  (Fortran a(xm, ym, channels))
 * Emulator ranks: LEAP_EMULATORS_ROOT is rank 0 of the communicator (the default);
 * LEAP_EMULATORS_PER_NODE is the local rank 0 of each node, which gathers the blocks of its node's
 * ranks (within the node communicator) and then exchanges them with the other nodes' emulator
 * ranks, so that every emulator rank holds the full field; scatter sends each node its blocks from
 * its own emulator rank's field.
 * create, gather, scatter and destroy are collective over the communicator: a bad argument on any
 * rank fails the call on every rank (except a bad handle or a NULL communicator, which are refused
 * before any communication, on the ranks that pass them). */

typedef int leap_exchange;

enum leap_layout { LEAP_LAYOUT_CXY = 0, LEAP_LAYOUT_XYC = 1, LEAP_LAYOUT_YXC = 2, LEAP_LAYOUT_CYX = 3 };
enum leap_emulators { LEAP_EMULATORS_ROOT = 0, LEAP_EMULATORS_PER_NODE = 1 };

/* Creates an exchange with rank 0 as the emulator rank; *out receives its handle. */
int leap_exchange_create(MPI_Comm comm, int nx, int ny, int x0, int y0, int xm, int ym, int channels,
                         leap_exchange* out);
/* The same for Fortran: fcomm is a Fortran communicator (MPI_COMM_WORLD from `use mpi`, or
 * comm%MPI_VAL with mpi_f08). */
int leap_exchange_create_f(MPI_Fint fcomm, int nx, int ny, int x0, int y0, int xm, int ym, int channels,
                           leap_exchange* out);
/* As leap_exchange_create with a choice of emulator ranks: a leap_emulators value. */
int leap_exchange_create_placed(MPI_Comm comm, int nx, int ny, int x0, int y0, int xm, int ym, int channels,
                                int emulators, leap_exchange* out);
int leap_exchange_create_placed_f(MPI_Fint fcomm, int nx, int ny, int x0, int y0, int xm, int ym,
                                  int channels, int emulators, leap_exchange* out);
/* Rank-local: the layout (a leap_layout value) of this rank's blocks in later calls. */
int leap_exchange_set_layout(leap_exchange h, int layout);
/* *flag = 1 when this rank is an emulator rank (receives the full field in gather, supplies it in
 * scatter), else 0. */
int leap_exchange_is_emulator(leap_exchange h, int* flag);
/* block: channels*xm*ym floats (may be NULL when the rank owns nothing); full: channels*nx*ny floats
 * written on emulator ranks (may be NULL on the others). */
int leap_exchange_gather(leap_exchange h, const float* block, float* full);
/* full: read on emulator ranks (may be NULL on the others); block: receives this rank's box. */
int leap_exchange_scatter(leap_exchange h, const float* full, float* block);
/* Frees the exchange (collective); h = 0 does nothing. */
int leap_exchange_destroy(leap_exchange h);

/* ---- Runtime (reserved) ----------------------------------------------------------------------
 * The coupling runtime (leap_runtime handles created from a YAML config: observe, leap, ...) comes
 * in a later issue; it follows the same conventions: int handles, int status, MPI_Comm and MPI_Fint
 * entry points. */

#ifdef __cplusplus
}
#endif

#endif /* LEAP_LEAP_H */
