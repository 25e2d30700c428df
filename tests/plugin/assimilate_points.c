/* Data assimilation through the coupling runtime's C API (leap.h), under mpiexec: a leap of a trained
 * latent diffusion emulator conditioned on sparse point observations (leap_runtime_observe_points)
 * lands on the observed values, which an unconditioned leap from the same context does not.
 *
 *   assimilate_points CONFIG THETA...     (a 32 x 32 Euler state: energy, density, pressure, momentum)
 *
 * The ranks split the grid along x. Four density sensors, each passed by the rank that owns its cell
 * (so the points of several ranks are gathered): their values are the unconditioned leap's density
 * there plus 0.5. The conditioned leap (noise 0.01) must come within 0.05 of them everywhere (0.011
 * measured); the unconditioned one is 0.5 away by construction. A point off the grid is
 * LEAP_ERR_INPUT naming it. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leap/leap.h"

#define NX 32
#define NY 32
#define C 5 /* energy, density, pressure, momentum_x, momentum_y */
#define NS 4

static int check(int rc, const char* what) {
  if (rc != LEAP_OK) {
    fprintf(stderr, "FAIL: %s: %s\n", what, leap_last_error());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  return rc;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc < 2) {
    if (rank == 0) fprintf(stderr, "usage: assimilate_points CONFIG THETA...\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  int ntheta = argc - 2;
  double theta[8] = {0};
  for (int p = 0; p < ntheta && p < 8; ++p) theta[p] = atof(argv[2 + p]);
  const int x0 = rank * NX / size, xm = (rank + 1) * NX / size - x0;

  leap_runtime h = 0;
  check(leap_runtime_create(MPI_COMM_WORLD, argv[1], &h), "create");
  check(leap_runtime_add_field(h, "energy", 1), "add_field energy");
  check(leap_runtime_add_field(h, "density", 1), "add_field density");
  check(leap_runtime_add_field(h, "pressure", 1), "add_field pressure");
  check(leap_runtime_add_field(h, "momentum", 2), "add_field momentum");
  check(leap_runtime_set_box(h, NX, NY, x0, 0, xm, NY), "set_box");
  check(leap_runtime_set_layout(h, LEAP_LAYOUT_CXY), "set_layout");
  check(leap_runtime_setup(h), "setup");
  int context = 0;
  check(leap_runtime_context_frames(h, &context), "context_frames");

  /* A smooth state: density 1 + 0.2 sin(2 pi x / NX), pressure 1, a uniform flow (0.2, 0.1). */
  const size_t cells = (size_t)xm * NY;
  float* state = malloc(C * cells * sizeof(float));
  float* a = malloc(C * cells * sizeof(float));
  float* b = malloc(C * cells * sizeof(float));
  for (int x = 0; x < xm; ++x)
    for (int y = 0; y < NY; ++y) {
      const size_t q = (size_t)x * NY + y;
      const double rho = 1.0 + 0.2 * sin(2 * M_PI * (x0 + x) / NX), u = 0.2, v = 0.1, p = 1.0;
      state[0 * cells + q] = (float)(p / 0.4 + 0.5 * rho * (u * u + v * v));
      state[1 * cells + q] = (float)rho;
      state[2 * cells + q] = (float)p;
      state[3 * cells + q] = (float)(rho * u);
      state[4 * cells + q] = (float)(rho * v);
    }
  int accepted = 0;
  for (int f = 0; f < context; ++f) check(leap_runtime_observe(h, state, 0.01 * f), "observe");
  memcpy(a, state, C * cells * sizeof(float));
  check(leap_runtime_leap(h, 2, theta, ntheta, a, &accepted, NULL), "leap (unconditioned)");
  if (!accepted) {
    fprintf(stderr, "FAIL: the unconditioned leap was not accepted\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }

  /* Sensors on density, each passed by its owner: the unconditioned leap's value + 0.5. */
  const int sx[NS] = {4, 12, 20, 28}, sy[NS] = {4, 28, 10, 20};
  int ch[NS], si[NS], sj[NS], n = 0;
  float sv[NS];
  for (int s = 0; s < NS; ++s)
    if (sx[s] >= x0 && sx[s] < x0 + xm) {
      ch[n] = 1;
      si[n] = sx[s];
      sj[n] = sy[s];
      sv[n] = a[1 * cells + (size_t)(sx[s] - x0) * NY + sy[s]] + 0.5f;
      ++n;
    }
  /* A point off the grid is refused on every rank, and nothing is kept. */
  const int bad_i = NX;
  int rc = leap_runtime_observe_points(h, rank == 0 ? 1 : 0, ch, &bad_i, sj, NULL, sv, 0.01);
  if (rc != LEAP_ERR_INPUT || !strstr(leap_last_error(), "outside")) {
    fprintf(stderr, "FAIL: a point off the grid: rc %d, '%s'\n", rc, leap_last_error());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  for (int f = 0; f < context; ++f) check(leap_runtime_observe(h, state, 0.01 * f), "observe");
  check(leap_runtime_observe_points(h, n, ch, si, sj, NULL, sv, 0.01), "observe_points");
  memcpy(b, state, C * cells * sizeof(float));
  check(leap_runtime_leap(h, 2, theta, ntheta, b, &accepted, NULL), "leap (conditioned)");
  double err[2] = {0, 0}; /* conditioned, unconditioned: the largest |x - y| at the sensors */
  int finite = 1;
  for (int k = 0; k < n; ++k) {
    const size_t q = 1 * cells + (size_t)(si[k] - x0) * NY + sj[k];
    err[0] = fmax(err[0], fabs(b[q] - sv[k]));
    err[1] = fmax(err[1], fabs(a[q] - sv[k]));
  }
  for (size_t q = 0; q < C * cells; ++q) finite = finite && isfinite(b[q]);
  MPI_Allreduce(MPI_IN_PLACE, err, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &finite, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
  int ok = accepted && finite && err[0] < 0.05 && fabs(err[1] - 0.5) < 1e-5;
  if (rank == 0)
    printf("assimilate_points: %d ranks, sensors 4: |conditioned - y| max %.4f, |unconditioned - y| max %.4f%s\n",
           size, err[0], err[1], ok ? "" : "  FAIL");
  check(leap_runtime_destroy(h), "destroy");
  free(state);
  free(a);
  free(b);
  MPI_Finalize();
  return ok ? 0 : 1;
}
