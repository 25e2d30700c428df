! The leap policy's check protocol from Fortran (leap.h, "The leap policy"): a Fortran "solver" whose
! frame adds 360 to every value drives a runtime whose oracle replays the write_oracle_dataset
! fixture (value 1 + 360 s + 120 c + 10 x + y at frame s, channel c, cell (x, y)), so the solver and
! the oracle agree exactly. The config (policy.yaml) checks every attempt (leap_frames 2,
! solver_frames 1, check_tolerance 1e-6, max_leap_frames 8). The scenario, on any rank count:
!   attempt 1 (frame 1): the check passes with VRMSE 0: accepted, 2 frames, the next leap 4 long;
!   attempt 2 (frame 4): this time the solver adds 0.125 over the interval: the check fails, the
!     solver's own state (frame 8 + 0.125) stands, the next leap is 2 long;
!   attempt 3 (frame 9): the admissible function refuses every state: verdict admissibility; the
!     attempt was checked, so the solver's state (frame 11 + 0.125) stands, the next leap is 1 long;
!   attempts 4 and 5 (frames 12, 14): the oracle's exact frame differs from the solver's state by
!     0.125: checks fail, the solver's state stands; the run ends on frame 15 + 0.125 everywhere.
! Also: setup refuses leap.check_every without an advance function (LEAP_ERR_INPUT naming the key).
! Usage: test_fortran_policy CONFIG. Exits non-zero on any mismatch.
module policy_solver
  use, intrinsic :: iso_c_binding, only: c_int, c_float, c_ptr
  implicit none
  integer :: n = 0                        ! values in this rank's block
  real(c_float) :: offset = 0             ! what the solver adds over an advance besides 360 a frame
  real(c_float) :: refuse_above = huge(1.0_c_float)
  integer :: advances = 0
contains
  ! Check mode: advance `frames` frames from the state in block, in place (collective).
  integer(c_int) function advance(ctx, frames, block) bind(c)
    type(c_ptr), value :: ctx
    integer(c_int), value :: frames
    real(c_float) :: block(*)
    if (n > 0) block(1:n) = block(1:n) + 360.0_c_float * real(frames, c_float) + offset
    advances = advances + 1
    advance = 0
  end function advance

  ! This rank's part of an emulated state is admissible when no value is above refuse_above.
  integer(c_int) function admissible(ctx, block, ok) bind(c)
    type(c_ptr), value :: ctx
    real(c_float), intent(in) :: block(*)
    integer(c_int) :: ok
    ok = 1
    if (n > 0) then
      if (maxval(block(1:n)) > refuse_above) ok = 0
    end if
    admissible = 0
  end function admissible
end module policy_solver

program test_fortran_policy
  use mpi
  use leap
  use policy_solver
  use, intrinsic :: iso_c_binding, only: c_int, c_float, c_double, c_null_char, c_null_ptr, c_null_funptr, &
                                         c_funloc
  implicit none
  integer, parameter :: nx = 12, ny = 10, nc = 3, last = 15
  integer, parameter :: want_verdict(5) = [LEAP_ACCEPTED, LEAP_REJECTED_CHECK, LEAP_REJECTED_ADMISSIBILITY, &
                                           LEAP_REJECTED_CHECK, LEAP_REJECTED_CHECK]
  integer, parameter :: want_frames(5) = [2, 4, 2, 1, 1], want_next(5) = [4, 2, 1, 1, 1]
  integer, parameter :: want_start(5) = [1, 4, 9, 12, 14]
  integer :: ierr, rank, nprocs, px, py, rx, ry, x0, y0, xm, ym, errors, total, frame, k, m
  integer(c_int) :: h, st, due, length, frames, verdict, checked, next
  real(c_float), allocatable :: block(:, :, :), expect(:, :, :)
  real(c_float) :: carried
  real(c_double) :: theta(1), vrmse
  character(len=1024) :: config, msg

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  errors = 0
  theta = 0
  call get_command_argument(1, config)
  if (len_trim(config) == 0) then
    print *, "usage: test_fortran_policy CONFIG"
    call MPI_Abort(MPI_COMM_WORLD, 2, ierr)
  end if
  ! Ranks split the x axis (uneven: the inner edges move by one cell).
  px = nprocs
  py = 1
  rx = rank
  ry = 0
  x0 = edge(rx, px, nx)
  xm = edge(rx + 1, px, nx) - x0
  y0 = 0
  ym = ny
  allocate(block(nc, xm, ym), expect(nc, xm, ym))
  n = nc * xm * ym

  ! Check mode without an advance function: refused at setup, naming the key.
  call describe(h)
  st = leap_runtime_setup(h)
  m = leap_last_error_copy(msg, len(msg))
  if (st /= LEAP_ERR_INPUT .or. index(msg(1:min(m, len(msg) - 1)), "leap.check_every") == 0) then
    print *, "rank", rank, ": expected LEAP_ERR_INPUT naming leap.check_every, got", st, msg(1:min(m, len(msg) - 1))
    errors = errors + 1
  end if
  call check(leap_runtime_destroy(h), "leap_runtime_destroy")

  call describe(h)
  call check(leap_runtime_set_solver(h, c_funloc(advance), c_funloc(admissible), c_null_ptr), &
             "leap_runtime_set_solver")
  call check(leap_runtime_setup(h), "leap_runtime_setup")
  frame = 0
  carried = 0
  call fill(block, 0)
  call check(leap_runtime_observe(h, block, 0.0_c_double), "observe frame 0")
  k = 0
  do while (frame < last)
    block = block + 360.0_c_float  ! one solver frame
    frame = frame + 1
    call check(leap_runtime_observe(h, block, real(frame, c_double)), "observe")
    call check(leap_runtime_due(h, last - frame, due, length), "leap_runtime_due")
    if (due == 0) cycle
    k = k + 1
    if (k > 5) then
      print *, "rank", rank, ": an attempt beyond the five expected at frame", frame
      errors = errors + 1
      exit
    end if
    offset = 0
    refuse_above = huge(1.0_c_float)
    if (k == 2) offset = 0.125_c_float
    if (k == 3) refuse_above = 0
    call check(leap_runtime_attempt(h, theta, 0, block, frames, verdict), "leap_runtime_attempt")
    call check(leap_runtime_last_attempt(h, checked, vrmse, next), "leap_runtime_last_attempt")
    if (frame /= want_start(k) .or. verdict /= want_verdict(k) .or. frames /= want_frames(k) .or. &
        next /= want_next(k) .or. checked /= 1) then
      print *, "rank", rank, ": attempt", k, "at frame", frame, ": verdict", verdict, "frames", frames, &
               "next", next, "checked", checked, "; expected frame", want_start(k), "verdict", want_verdict(k), &
               "frames", want_frames(k), "next", want_next(k)
      errors = errors + 1
    end if
    if (k == 1 .and. vrmse /= 0) then
      print *, "rank", rank, ": the exact solver's check has VRMSE", vrmse, ", expected 0"
      errors = errors + 1
    end if
    if (k > 1 .and. .not. (vrmse > 1e-6)) then
      print *, "rank", rank, ": attempt", k, "has VRMSE", vrmse, ", expected > 1e-6"
      errors = errors + 1
    end if
    frame = frame + frames
    if (k == 2) carried = 0.125_c_float  ! from here on the solver's state carries its offset
    call fill(expect, frame)
    if (any(block /= expect + carried)) then
      print *, "rank", rank, ": after attempt", k, "the block is not frame", frame, "+", carried
      errors = errors + 1
    end if
    call check(leap_runtime_observe(h, block, real(frame, c_double)), "observe after the attempt")
  end do
  if (k /= 5) then
    print *, "rank", rank, ": expected 5 attempts, made", k
    errors = errors + 1
  end if
  if (advances /= 5) then
    print *, "rank", rank, ": expected 5 calls of advance (every attempt checked), got", advances
    errors = errors + 1
  end if
  call check(leap_runtime_destroy(h), "leap_runtime_destroy")
  deallocate(block, expect)

  call MPI_Allreduce(errors, total, 1, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD, ierr)
  if (rank == 0) print *, "test_fortran_policy on", nprocs, "ranks:", total, "errors"
  call MPI_Finalize(ierr)
  if (total /= 0) stop 1

contains

  subroutine describe(handle)
    integer(c_int), intent(out) :: handle
    call check(leap_runtime_create(MPI_COMM_WORLD, trim(config)//c_null_char, handle), "leap_runtime_create")
    call check(leap_runtime_add_field(handle, "a"//c_null_char, 1), "leap_runtime_add_field a")
    call check(leap_runtime_add_field(handle, "v"//c_null_char, 2), "leap_runtime_add_field v")
    call check(leap_runtime_set_box(handle, nx, ny, x0, y0, xm, ym), "leap_runtime_set_box")
    call check(leap_runtime_set_layout(handle, LEAP_LAYOUT_YXC), "leap_runtime_set_layout")
  end subroutine describe

  subroutine check(status, what)
    integer(c_int), intent(in) :: status
    character(len=*), intent(in) :: what
    integer :: length_
    character(len=1024) :: text
    if (status /= LEAP_OK) then
      length_ = leap_last_error_copy(text, len(text))
      print *, "rank", rank, ":", what, "failed:", status, text(1:min(length_, len(text) - 1))
      call MPI_Abort(MPI_COMM_WORLD, 1, ierr)
    end if
  end subroutine check

  integer function edge(j, p, cells)
    integer, intent(in) :: j, p, cells
    edge = j * cells / p
    if (j > 0 .and. j < p) edge = edge + 1
  end function edge

  ! This rank's block of stored frame s: b(c+1, i+1, j+1) = channel c at cell (x0+i, y0+j).
  subroutine fill(b, s)
    real(c_float), intent(out) :: b(:, :, :)
    integer, intent(in) :: s
    integer :: c, i, j
    do j = 1, ym
      do i = 1, xm
        do c = 1, nc
          b(c, i, j) = real(1 + 360 * s + 120 * (c - 1) + 10 * (x0 + i - 1) + (y0 + j - 1), c_float)
        end do
      end do
    end do
  end subroutine fill
end program test_fortran_policy
