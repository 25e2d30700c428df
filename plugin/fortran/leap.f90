! Fortran interfaces to LEAP's C API (include/leap/leap.h), through iso_c_binding. Interfaces and
! constants only: use the module and link libleap. Every function returns a status (LEAP_OK = 0);
! leap_last_error_copy(msg, len(msg)) returns the length n of the last error message and copies it
! into msg(1:min(n, len(msg)-1)).
!
! State exchange: each rank owns the box x0 .. x0+xm-1, y0 .. y0+ym-1 (0-based) of a field of
! `channels` channels on an nx x ny grid. The full field on the emulator rank(s) is real(c_float)
! full(ny, nx, channels), i.e. full(y+1, x+1, c+1). A rank's block is, by layout:
!   LEAP_LAYOUT_CXY (default)  block(ym, xm, channels)
!   LEAP_LAYOUT_XYC            block(channels, ym, xm)   (The Well's order)
!   LEAP_LAYOUT_YXC            block(channels, xm, ym)   (a DMDA's array, dofs first)
!   LEAP_LAYOUT_CYX            block(xm, ym, channels)
! Ranks that are not emulator ranks may pass any array (e.g. of size 1) for `full`.
! `comm` is a Fortran communicator: MPI_COMM_WORLD from `use mpi`, or comm%MPI_VAL with mpi_f08.
!
! Runtime (leap.h, "Runtime"): created from a YAML config; describe the state (fields, grid, this
! rank's box), set up, then observe each frame and leap when leap_runtime_context_ready says so.
! Strings go to C NUL-terminated: pass trim(path)//c_null_char and trim(name)//c_null_char. A
! rank's block holds all channels (fields' components concatenated) in the layout chosen with
! leap_runtime_set_layout, e.g. block(ym, xm, channels) for LEAP_LAYOUT_CXY (the default) or
! block(channels, xm, ym) for LEAP_LAYOUT_YXC. leap_runtime_leap overwrites the block only when it
! returns accepted = 1.
!
! The leap policy (leap.h, "The leap policy"): leap_runtime_due says when to leap, and
! leap_runtime_attempt leaps and judges the leap; frames > 0 afterwards means the state moved on by
! that many frames. Check mode calls your advance function, an interoperable function
!   integer(c_int) function advance(ctx, frames, block) bind(c)
!     type(c_ptr), value :: ctx; integer(c_int), value :: frames; real(c_float) :: block(*)
! passed as c_funloc(advance) to leap_runtime_set_solver (c_null_funptr for none); likewise
!   integer(c_int) function admissible(ctx, block, ok) bind(c)
!     type(c_ptr), value :: ctx; real(c_float), intent(in) :: block(*); integer(c_int) :: ok
! tests/plugin/test_fortran_policy.f90 is a complete example.
module leap
  use, intrinsic :: iso_c_binding, only: c_int, c_float, c_double, c_char, c_ptr, c_funptr
  implicit none

  integer(c_int), parameter :: LEAP_OK = 0, LEAP_ERR_OTHER = 1, LEAP_ERR_INPUT = 2
  integer(c_int), parameter :: LEAP_LAYOUT_CXY = 0, LEAP_LAYOUT_XYC = 1, LEAP_LAYOUT_YXC = 2, &
                               LEAP_LAYOUT_CYX = 3
  integer(c_int), parameter :: LEAP_EMULATORS_ROOT = 0, LEAP_EMULATORS_PER_NODE = 1
  integer(c_int), parameter :: LEAP_ACCEPTED = 0, LEAP_REJECTED_NOT_FINITE = 1, LEAP_REJECTED_SPREAD = 2, &
                               LEAP_REJECTED_CONSERVATION = 3, LEAP_REJECTED_CORRECTED_NOT_FINITE = 4, &
                               LEAP_REJECTED_ADMISSIBILITY = 5, LEAP_REJECTED_CHECK = 6, &
                               LEAP_REJECTED_EMULATOR = 7

  interface
    integer(c_int) function leap_cuda_available() bind(c, name="leap_cuda_available")
      import :: c_int
    end function

    integer(c_int) function leap_last_error_copy(buf, size) bind(c, name="leap_last_error_copy")
      import :: c_int, c_char
      character(kind=c_char), intent(out) :: buf(*)
      integer(c_int), value :: size
    end function

    ! Collective: creates an exchange whose emulator rank is rank 0 of comm.
    integer(c_int) function leap_exchange_create(comm, nx, ny, x0, y0, xm, ym, channels, handle) &
        bind(c, name="leap_exchange_create_f")
      import :: c_int
      integer(c_int), value :: comm, nx, ny, x0, y0, xm, ym, channels
      integer(c_int), intent(out) :: handle
    end function

    ! Collective: as leap_exchange_create with emulators = LEAP_EMULATORS_ROOT or _PER_NODE.
    integer(c_int) function leap_exchange_create_placed(comm, nx, ny, x0, y0, xm, ym, channels, &
                                                        emulators, handle) &
        bind(c, name="leap_exchange_create_placed_f")
      import :: c_int
      integer(c_int), value :: comm, nx, ny, x0, y0, xm, ym, channels, emulators
      integer(c_int), intent(out) :: handle
    end function

    integer(c_int) function leap_exchange_set_layout(handle, layout) bind(c, name="leap_exchange_set_layout")
      import :: c_int
      integer(c_int), value :: handle, layout
    end function

    integer(c_int) function leap_exchange_is_emulator(handle, flag) bind(c, name="leap_exchange_is_emulator")
      import :: c_int
      integer(c_int), value :: handle
      integer(c_int), intent(out) :: flag
    end function

    ! Collective: the full field arrives in `full` on emulator ranks.
    integer(c_int) function leap_exchange_gather(handle, block, full) bind(c, name="leap_exchange_gather")
      import :: c_int, c_float
      integer(c_int), value :: handle
      real(c_float), intent(in) :: block(*)
      real(c_float), intent(inout) :: full(*)
    end function

    ! Collective: each rank receives its box of the emulator rank's `full` in `block`.
    integer(c_int) function leap_exchange_scatter(handle, full, block) bind(c, name="leap_exchange_scatter")
      import :: c_int, c_float
      integer(c_int), value :: handle
      real(c_float), intent(in) :: full(*)
      real(c_float), intent(inout) :: block(*)
    end function

    ! Collective: frees the exchange.
    integer(c_int) function leap_exchange_destroy(handle) bind(c, name="leap_exchange_destroy")
      import :: c_int
      integer(c_int), value :: handle
    end function

    ! ---- Runtime

    ! Collective: config is a NUL-terminated path (trim(path)//c_null_char).
    integer(c_int) function leap_runtime_create(comm, config, handle) bind(c, name="leap_runtime_create_f")
      import :: c_int, c_char
      integer(c_int), value :: comm
      character(kind=c_char), intent(in) :: config(*)
      integer(c_int), intent(out) :: handle
    end function

    ! Rank-local, before setup: name NUL-terminated; components 1, 2 or 4.
    integer(c_int) function leap_runtime_add_field(handle, name, components) bind(c, name="leap_runtime_add_field")
      import :: c_int, c_char
      integer(c_int), value :: handle
      character(kind=c_char), intent(in) :: name(*)
      integer(c_int), value :: components
    end function

    ! Rank-local, before setup: this rank owns x0 .. x0+xm-1, y0 .. y0+ym-1 (0-based) of nx x ny.
    integer(c_int) function leap_runtime_set_box(handle, nx, ny, x0, y0, xm, ym) bind(c, name="leap_runtime_set_box")
      import :: c_int
      integer(c_int), value :: handle, nx, ny, x0, y0, xm, ym
    end function

    ! The same on a 3-D grid nx x ny x nz (blocks a(C, xm, ym, zm) with LEAP_LAYOUT_YXC).
    integer(c_int) function leap_runtime_set_box_3d(handle, nx, ny, nz, x0, y0, z0, xm, ym, zm) &
        bind(c, name="leap_runtime_set_box_3d")
      import :: c_int
      integer(c_int), value :: handle, nx, ny, nz, x0, y0, z0, xm, ym, zm
    end function

    integer(c_int) function leap_runtime_set_layout(handle, layout) bind(c, name="leap_runtime_set_layout")
      import :: c_int
      integer(c_int), value :: handle, layout
    end function

    ! Collective.
    integer(c_int) function leap_runtime_setup(handle) bind(c, name="leap_runtime_setup")
      import :: c_int
      integer(c_int), value :: handle
    end function

    integer(c_int) function leap_runtime_context_frames(handle, frames) bind(c, name="leap_runtime_context_frames")
      import :: c_int
      integer(c_int), value :: handle
      integer(c_int), intent(out) :: frames
    end function

    integer(c_int) function leap_runtime_context_ready(handle, ready) bind(c, name="leap_runtime_context_ready")
      import :: c_int
      integer(c_int), value :: handle
      integer(c_int), intent(out) :: ready
    end function

    ! Collective: this rank's block of the current state at simulated time `time`.
    integer(c_int) function leap_runtime_observe(handle, block, time) bind(c, name="leap_runtime_observe")
      import :: c_int, c_float, c_double
      integer(c_int), value :: handle
      real(c_float), intent(in) :: block(*)
      real(c_double), value :: time
    end function

    ! Collective: `block` receives the state `frames` frames ahead when accepted = 1 (else unchanged).
    ! theta: ntheta values (any array, e.g. of size 1, when ntheta = 0).
    integer(c_int) function leap_runtime_leap(handle, frames, theta, ntheta, block, accepted, spread) &
        bind(c, name="leap_runtime_leap")
      import :: c_int, c_float, c_double
      integer(c_int), value :: handle, frames
      real(c_double), intent(in) :: theta(*)
      integer(c_int), value :: ntheta
      real(c_float), intent(inout) :: block(*)
      integer(c_int), intent(out) :: accepted
      real(c_double), intent(out) :: spread
    end function

    ! Collective, after setup: observations of the state the next leap predicts (data assimilation):
    ! this rank's n points, channel(p) (0-based, the emulator's channel order) at the 0-based cell
    ! (i(p), j(p)) and on a 3-D grid k(p) (pass c_null_ptr for k on a 2-D grid, else c_loc(k)), with
    ! values(p) and the noise standard deviation noise_std (the same on every rank).
    integer(c_int) function leap_runtime_observe_points(handle, n, channel, i, j, k, values, noise_std) &
        bind(c, name="leap_runtime_observe_points")
      import :: c_int, c_float, c_double, c_ptr
      integer(c_int), value :: handle, n
      integer(c_int), intent(in) :: channel(*), i(*), j(*)
      type(c_ptr), value :: k
      real(c_float), intent(in) :: values(*)
      real(c_double), value :: noise_std
    end function

    integer(c_int) function leap_runtime_last_leap(handle, finite, suppressed) bind(c, name="leap_runtime_last_leap")
      import :: c_int
      integer(c_int), value :: handle
      integer(c_int), intent(out) :: finite, suppressed
    end function

    ! Rank-local, before setup: your solver's advance and admissible functions (c_funloc(f) or
    ! c_null_funptr) and the context they receive (c_loc(x) or c_null_ptr).
    integer(c_int) function leap_runtime_set_solver(handle, advance, admissible, ctx) &
        bind(c, name="leap_runtime_set_solver")
      import :: c_int, c_funptr, c_ptr
      integer(c_int), value :: handle
      type(c_funptr), value :: advance, admissible
      type(c_ptr), value :: ctx
    end function

    ! Rank-local: due = 1 when the policy leaps now (frames_left: frames to your end time); frames:
    ! the length it would leap.
    integer(c_int) function leap_runtime_due(handle, frames_left, due, frames) bind(c, name="leap_runtime_due")
      import :: c_int
      integer(c_int), value :: handle, frames_left
      integer(c_int), intent(out) :: due, frames
    end function

    ! Collective: one attempt of the policy; frames: how far the state in block moved on (0: rejected,
    ! block unchanged); verdict: LEAP_ACCEPTED or a LEAP_REJECTED_* reason.
    integer(c_int) function leap_runtime_attempt(handle, theta, ntheta, block, frames, verdict) &
        bind(c, name="leap_runtime_attempt")
      import :: c_int, c_float, c_double
      integer(c_int), value :: handle
      real(c_double), intent(in) :: theta(*)
      integer(c_int), value :: ntheta
      real(c_float), intent(inout) :: block(*)
      integer(c_int), intent(out) :: frames, verdict
    end function

    ! Rank-local: the last attempt's check (checked 0/1, its VRMSE) and the leap length after it.
    integer(c_int) function leap_runtime_last_attempt(handle, checked, vrmse, next_frames) &
        bind(c, name="leap_runtime_last_attempt")
      import :: c_int, c_double
      integer(c_int), value :: handle
      integer(c_int), intent(out) :: checked, next_frames
      real(c_double), intent(out) :: vrmse
    end function

    ! Collective: recording on (1) or off (0).
    integer(c_int) function leap_runtime_record(handle, on) bind(c, name="leap_runtime_record")
      import :: c_int
      integer(c_int), value :: handle, on
    end function

    ! Collective: ends the recording (stats.yaml) and frees the runtime.
    integer(c_int) function leap_runtime_destroy(handle) bind(c, name="leap_runtime_destroy")
      import :: c_int
      integer(c_int), value :: handle
    end function
  end interface
end module leap
