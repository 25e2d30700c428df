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

/* ---- Runtime: observe a running solver, leap ahead with the emulator, record training data ----
 *
 * A runtime is created from a YAML config (keys documented in include/leap/plugin/runtime_config.h:
 * emulator.kind latent_diffusion | oracle | none and its files, leap.members and leap.max_spread,
 * record.dir and the recording's options). Rank 0 of the communicator is the emulator rank (it loads
 * the emulator); every rank owns one box of the nx x ny grid (or nx x ny x nz: leap_runtime_set_box_3d),
 * as in the state exchange.
 *
 *   leap_runtime_create(comm, "leap.yaml", &h)          collective
 *   leap_runtime_add_field(h, "density", 1)             rank-local, in the emulator's channel order
 *   leap_runtime_add_field(h, "velocity", 2)            (a vector: channels velocity_x, velocity_y)
 *   leap_runtime_set_box(h, nx, ny, x0, y0, xm, ym)     rank-local
 *   leap_runtime_set_layout(h, LEAP_LAYOUT_YXC)         rank-local, optional, at any time
 *   leap_runtime_setup(h)                               collective
 *   loop: leap_runtime_observe(h, block, t)             collective, after each solver frame
 *         leap_runtime_context_ready(h, &ready)         rank-local (the same on every rank)
 *         leap_runtime_observe_points(h, n, ...)        collective, optional: observations for the
 *                                                       next leap (data assimilation)
 *         leap_runtime_leap(h, N, theta, n, block, &accepted, &spread)   collective
 *   leap_runtime_record(h, 1 or 0)                      collective, at any time before destroy
 *   leap_runtime_destroy(h)                             collective
 *
 * A rank's block holds every channel (the fields' components concatenated in add_field order, C in
 * all) over its box, float32, in a leap_layout (LEAP_LAYOUT_CXY by default; see the state exchange
 * above, e.g. LEAP_LAYOUT_YXC for a 2-D DMDA array with the fields as its dofs).
 *
 * leap_runtime_leap is a leap at a length the caller chooses, judged by the same policy's ladder
 * (below) but never checked against the caller's solver (check mode adapts the policy's own length):
 * its block changes only when *accepted = 1. leap_runtime_attempt lets the policy choose the length. A leap asks the emulator for the state
 * `frames` frames after the last observed one. The emulator
 * works on the last context frames observations (leap_runtime_context_frames); with leap.members > 1
 * the ensemble mean is the result. The leap is accepted when that mean is finite everywhere and,
 * with leap.max_spread > 0, the ensemble's relative spread (per channel, the members' standard
 * deviation averaged over cells over the spatial standard deviation of their mean; averaged over
 * channels) does not exceed it. Accepted: *accepted = 1 and the block receives the state; the
 * observations before the leap no longer count (context frames new observations are needed for the
 * next leap) and the recording segment is broken. Refused: *accepted = 0 and the block is left as
 * it was (pass the solver's own state: it simply goes on).
 *
 * Recording (needs record.dir in the config): while on, every observed frame is written, each
 * record.frames_per_trajectory consecutive observations forming one trajectory file
 * DS/data/train/NAME_<k>.hdf5, DS = DIR/<dataset_name>, in The Well's schema and layout (every
 * record.valid_every-th to DS/data/valid); an accepted leap or leap_runtime_record(h, 0) ends the
 * current run of frames (its unwritten rest is dropped). leap_runtime_destroy writes DS/stats.yaml,
 * so DIR is a collection `leap train --data DIR` reads.
 *
 * Strings are NUL-terminated: from Fortran pass trim(path)//c_null_char. Collective calls fail on
 * every rank together (the message of the lowest failing rank, prefixed "rank N: "), except for a
 * bad handle or a NULL communicator, refused before any communication on the ranks that pass them.
 * Calls out of order (observe before setup, leap before the context is ready, add_field after
 * setup, ...) return LEAP_ERR_INPUT and change nothing. */

typedef int leap_runtime;

/* Collective: reads the config (every rank) and loads the emulator (rank 0); *out receives the
 * handle. A bad config (unknown key, wrong value, missing file) is LEAP_ERR_INPUT with a message
 * naming the file and the key. */
int leap_runtime_create(MPI_Comm comm, const char* config, leap_runtime* out);
/* The same for Fortran: fcomm is a Fortran communicator (MPI_COMM_WORLD from `use mpi`, or
 * comm%MPI_VAL with mpi_f08). */
int leap_runtime_create_f(MPI_Fint fcomm, const char* config, leap_runtime* out);
/* Rank-local, before setup: appends a field of `components` channels: 1 (scalar; channel NAME),
 * 2 (vector; NAME_x, NAME_y) or 4 (tensor; NAME_xx, NAME_xy, NAME_yx, NAME_yy); on a 3-D grid 3
 * (NAME_x, NAME_y, NAME_z) or 9 (NAME_xx ... NAME_zz). Every rank adds the same fields; their
 * channels must be the emulator's, in its order, and their counts the grid's (checked by setup). */
int leap_runtime_add_field(leap_runtime h, const char* name, int components);
/* Rank-local, before setup: the grid is nx x ny; this rank owns cells x0 .. x0+xm-1 and
 * y0 .. y0+ym-1 (0-based; xm or ym 0 when it owns nothing). The boxes must tile the grid. */
int leap_runtime_set_box(leap_runtime h, int nx, int ny, int x0, int y0, int xm, int ym);
/* The same on a 3-D grid nx x ny x nz: this rank owns x0 .. x0+xm-1, y0 .. y0+ym-1, z0 .. z0+zm-1.
 * Blocks are then [C][xm][ym][zm] (LEAP_LAYOUT_CXY), [zm][ym][xm][C] (LEAP_LAYOUT_YXC: a 3-D DMDA
 * array; Fortran a(C, xm, ym, zm)), [xm][ym][zm][C] (XYC) or [C][zm][ym][xm] (CYX). */
int leap_runtime_set_box_3d(leap_runtime h, int nx, int ny, int nz, int x0, int y0, int z0, int xm, int ym,
                            int zm);
/* Rank-local, at any time: the leap_layout of this rank's blocks in later observe and leap calls. */
int leap_runtime_set_layout(leap_runtime h, int layout);
/* Collective: checks the description (same fields and grid on every rank, boxes tiling the grid,
 * the emulator's channels) and prepares the exchange (and the recording, when it is on). */
int leap_runtime_setup(leap_runtime h);
/* Rank-local: *frames = observations a leap needs (0 when emulator.kind is none). */
int leap_runtime_context_frames(leap_runtime h, int* frames);
/* Rank-local: *ready = 1 when a leap can be requested at this point (set up, with context frames observed
 * since setup or the last accepted leap), else 0. The same on every rank. */
int leap_runtime_context_ready(leap_runtime h, int* ready);
/* Collective, after setup: the current state at simulated time `time`. block: C*xm*ym floats (may
 * be NULL when the rank owns nothing). */
int leap_runtime_observe(leap_runtime h, const float* block, double time);
/* Collective, with the context ready: leaps `frames` (>= 1) frames ahead of the last observation.
 * theta: the emulator's ntheta conditioning parameters, the same on every rank (a latent diffusion
 * emulator's, in its checkpoint's order; ignored by the oracle; NULL when ntheta is 0). block: C*xm*ym
 * floats, overwritten only when the leap is accepted. *accepted: 1 or 0 (see above). spread: the
 * ensemble's relative spread (0 for one member; may be NULL). */
int leap_runtime_leap(leap_runtime h, int frames, const double* theta, int ntheta, float* block,
                      int* accepted, double* spread);
/* Collective, after setup: data assimilation. Observations of the state the next leap
 * (leap_runtime_leap or leap_runtime_attempt) predicts, its last frame: this rank's n points (n >= 0,
 * any cells of the whole grid, not only its box): channel[p] (in the emulator's channel order), cell
 * (i[p], j[p]) and on a 3-D grid k[p] (k may be NULL on a 2-D grid), observed value values[p] in
 * physical units, with noise standard deviation noise_std (> 0, the same on every rank). The next
 * leap samples guided by every rank's points (MMPS through the decoder; emulator.guidance_iterations
 * linear-solver iterations), then they are dropped. Only the latent diffusion emulator (fp32)
 * takes observations. E.g. a sensor array, or point values from another code. */
int leap_runtime_observe_points(leap_runtime h, int n, const int* channel, const int* i, const int* j,
                                const int* k, const float* values, double noise_std);
/* Rank-local: about the last leap: *finite = 1 when the ensemble mean was finite everywhere;
 * *suppressed = 1 when it was refused for its spread (above leap.max_spread). Either may be NULL;
 * both 0 before the first leap. */
int leap_runtime_last_leap(leap_runtime h, int* finite, int* suppressed);
/* ---- The leap policy: the runtime decides when to leap and whether to keep a leap ------------
 *
 * The config's leap section is LEAP's one leap policy (docs/leap_policy.md): leap.leap_frames,
 * solver_frames, max_spread, check_every, check_tolerance, min_leap_frames, max_leap_frames. The
 * caller advances its solver and asks:
 *
 *   leap_runtime_set_solver(h, advance, admissible, ctx)   rank-local, before setup (optional)
 *   ... setup; observe the initial state ...
 *   loop: advance the solver one frame (dt); t += dt
 *         leap_runtime_observe(h, block, t)              every observation after the first is one
 *                                                        solver frame for the policy
 *         leap_runtime_due(h, frames_left, &due, &L)     frames_left: frames to your end time
 *         if (due) {
 *           leap_runtime_attempt(h, theta, ntheta, block, &frames, &verdict)   collective
 *           if (frames > 0) { t += frames * dt; leap_runtime_observe(h, block, t); }
 *         }
 *
 * An attempt leaps leap_runtime_due's L frames from the last observed state, which `block` holds
 * (your solver's current state), and judges the ensemble mean by the rejection ladder; *verdict is a
 * leap_verdict. *frames = L when the state moved on (block holds the new state, L frames later):
 * the leap was accepted, or it was checked and the check failed, so that your own solver's result
 * over those frames stands; *frames = 0 when it was rejected (block unchanged: go on solving).
 *
 * Check protocol (leap.check_every = k > 0): every k-th attempt, the first included, the runtime
 * hands your advance function a copy of the pre-leap state and asks it to advance your solver
 * `frames` frames (L) from it, in place. It then compares the emulated state with yours (VRMSE over
 * the whole field) and keeps yours when the VRMSE is above leap.check_tolerance; the leap length
 * adapts either way. leap_runtime_setup refuses check_every > 0 without an advance function.
 *   int advance(void* ctx, int frames, float* block)
 *       collective (called on every rank together): advance from the state in block (this rank's
 *       box, the runtime's layout) and write the result into block; return 0, or non-zero to fail
 *       the attempt on every rank (LEAP_ERR_OTHER). Your solver's own state is not to be changed.
 *   int admissible(void* ctx, const float* block, int* ok)
 *       rank-local: *ok = 0 when this rank's part of an emulated state is not admissible for your
 *       solver (negative density, ...); any rank's refusal rejects the leap (verdict
 *       LEAP_REJECTED_ADMISSIBILITY). Return 0, or non-zero to fail the attempt.
 * From Fortran: bind(c) functions passed with c_funloc (module leap, plugin/fortran/leap.f90). */

enum leap_verdict {
  LEAP_ACCEPTED = 0,
  LEAP_REJECTED_NOT_FINITE = 1,           /* the emulated state has a NaN or an Inf */
  LEAP_REJECTED_SPREAD = 2,               /* ensemble spread above leap.max_spread */
  LEAP_REJECTED_CONSERVATION = 3,         /* the conserved totals could not be put back */
  LEAP_REJECTED_CORRECTED_NOT_FINITE = 4, /* not finite after that correction */
  LEAP_REJECTED_ADMISSIBILITY = 5,        /* your admissible function refused it */
  LEAP_REJECTED_CHECK = 6,                /* check mode: VRMSE against your solver too high */
  LEAP_REJECTED_EMULATOR = 7              /* the emulator failed (e.g. an oracle off its trajectory) */
};

typedef int (*leap_advance_fn)(void* ctx, int frames, float* block);
typedef int (*leap_admissible_fn)(void* ctx, const float* block, int* ok);

/* Rank-local, before setup: your solver's functions (either may be NULL) and their context. */
int leap_runtime_set_solver(leap_runtime h, leap_advance_fn advance, leap_admissible_fn admissible,
                            void* ctx);
/* Rank-local (the same on every rank), after setup: *due = 1 when the policy leaps now, with
 * frames_left frames left to your end time; *frames (may be NULL): the length it would leap. */
int leap_runtime_due(leap_runtime h, int frames_left, int* due, int* frames);
/* Collective, with the context ready: one attempt of the policy (see above). *frames: L or 0;
 * *verdict: a leap_verdict (either may be NULL). */
int leap_runtime_attempt(leap_runtime h, const double* theta, int ntheta, float* block, int* frames,
                         int* verdict);
/* Rank-local: about the last attempt (leap_runtime_attempt or leap_runtime_leap): *checked = 1 when
 * it was checked against your solver, *vrmse its VRMSE, *next_frames the leap length after it. Any
 * may be NULL; all 0 before the first attempt. */
int leap_runtime_last_attempt(leap_runtime h, int* checked, double* vrmse, int* next_frames);
/* Rank-local: the policy's decisions as JSON (settings, counts by verdict, every attempt's record),
 * copied like leap_last_error_copy: at most size - 1 characters and a NUL; returns the full length
 * in *length (may be NULL). */
int leap_runtime_policy_summary(leap_runtime h, char* buf, int size, int* length);

/* Collective (the same `on` on every rank): recording on (non-zero) or off (0); see above. */
int leap_runtime_record(leap_runtime h, int on);
/* Collective: ends the recording (writes DIR/<dataset_name>/stats.yaml when a train trajectory was recorded) and
 * frees the runtime; h = 0 does nothing. The handle is gone even when this fails. */
int leap_runtime_destroy(leap_runtime h);

#ifdef __cplusplus
}
#endif

#endif /* LEAP_LEAP_H */
