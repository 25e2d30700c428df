! The runtime's C API from Fortran: a runtime created through the MPI_Fint entry point from the
! config written by the write_oracle_dataset fixture (its oracle replays a stored trajectory of a
! 12 x 10 grid with fields a and v, value 1 + 360 s + 120 c + 10 x + y at frame s, channel c, cell
! (x, y), all 0-based), the grid split unevenly over the ranks, blocks in a DMDA's layout
! block(channels, xm, ym). Observing frame 3 and leaping 4 frames must give every rank exactly frame
! 7 in its box, then frame 7 + 5. Also checks that a missing config, a leap without context, an
! unknown field and an observed point off the grid are refused with LEAP_ERR_INPUT, and that
! observed points are taken (leap_runtime_observe_points). Usage: test_fortran_runtime CONFIG. Exits
! non-zero on any mismatch.
program test_fortran_runtime
  use mpi
  use leap
  use, intrinsic :: iso_c_binding, only: c_int, c_float, c_double, c_null_char, c_null_ptr
  implicit none
  integer, parameter :: nx = 12, ny = 10, nc = 3
  integer :: ierr, rank, nprocs, px, py, rx, ry, x0, y0, xm, ym, errors, total, n
  integer(c_int) :: h, bad, st, ready, accepted, frames, finite, suppressed, pc(1), pi(1), pj(1)
  real(c_float) :: pv(1)
  real(c_float), allocatable :: block(:, :, :), saved(:, :, :)
  real(c_double) :: theta(1), spread
  character(len=1024) :: config, msg

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  errors = 0
  theta = 0
  call get_command_argument(1, config)
  if (len_trim(config) == 0) then
    print *, "usage: test_fortran_runtime CONFIG"
    call MPI_Abort(MPI_COMM_WORLD, 2, ierr)
  end if

  ! Process grid px x py; uneven splits of 12 and 10 (inner edges moved by one cell).
  if (mod(nprocs, 2) == 0) then
    px = nprocs / 2
    py = 2
  else
    px = nprocs
    py = 1
  end if
  rx = rank / py
  ry = mod(rank, py)
  x0 = edge(rx, px, nx)
  xm = edge(rx + 1, px, nx) - x0
  y0 = edge(ry, py, ny)
  ym = edge(ry + 1, py, ny) - y0

  ! A missing config: refused on every rank, naming the file.
  st = leap_runtime_create(MPI_COMM_WORLD, trim(config)//".absent"//c_null_char, bad)
  n = leap_last_error_copy(msg, len(msg))
  if (st /= LEAP_ERR_INPUT .or. index(msg(1:min(n, len(msg) - 1)), trim(config)//".absent") == 0) then
    print *, "rank", rank, ": expected LEAP_ERR_INPUT naming the file, got", st, msg(1:min(n, len(msg) - 1))
    errors = errors + 1
  end if

  call check(leap_runtime_create(MPI_COMM_WORLD, trim(config)//c_null_char, h), "leap_runtime_create")
  call check(leap_runtime_add_field(h, "a"//c_null_char, 1), "leap_runtime_add_field a")
  ! A field the oracle does not know: setup is refused, then the right one is added.
  call check(leap_runtime_add_field(h, "w"//c_null_char, 2), "leap_runtime_add_field w")
  call check(leap_runtime_set_box(h, nx, ny, x0, y0, xm, ym), "leap_runtime_set_box")
  call check(leap_runtime_set_layout(h, LEAP_LAYOUT_YXC), "leap_runtime_set_layout")
  st = leap_runtime_setup(h)
  if (st /= LEAP_ERR_INPUT) then
    print *, "rank", rank, ": setup with an unknown field returned", st
    errors = errors + 1
  end if
  call check(leap_runtime_destroy(h), "leap_runtime_destroy")

  call check(leap_runtime_create(MPI_COMM_WORLD, trim(config)//c_null_char, h), "leap_runtime_create")
  call check(leap_runtime_add_field(h, "a"//c_null_char, 1), "leap_runtime_add_field a")
  call check(leap_runtime_add_field(h, "v"//c_null_char, 2), "leap_runtime_add_field v")
  call check(leap_runtime_set_box(h, nx, ny, x0, y0, xm, ym), "leap_runtime_set_box")
  call check(leap_runtime_set_layout(h, LEAP_LAYOUT_YXC), "leap_runtime_set_layout")
  call check(leap_runtime_setup(h), "leap_runtime_setup")
  call check(leap_runtime_context_frames(h, frames), "leap_runtime_context_frames")
  if (frames /= 1) then
    print *, "rank", rank, ": context frames", frames
    errors = errors + 1
  end if

  allocate(block(nc, max(xm, 1), max(ym, 1)), saved(nc, max(xm, 1), max(ym, 1)))
  call fill(block, 3)
  call check(leap_runtime_observe(h, block, 0.75_c_double), "leap_runtime_observe")
  call check(leap_runtime_context_ready(h, ready), "leap_runtime_context_ready")
  if (ready /= 1) then
    print *, "rank", rank, ": context not ready after one observation"
    errors = errors + 1
  end if
  call check(leap_runtime_leap(h, 4, theta, 0, block, accepted, spread), "leap_runtime_leap")
  if (accepted /= 1 .or. spread /= 0) then
    print *, "rank", rank, ": accepted", accepted, "spread", spread
    errors = errors + 1
  end if
  call check(leap_runtime_last_leap(h, finite, suppressed), "leap_runtime_last_leap")
  if (finite /= 1 .or. suppressed /= 0) then
    print *, "rank", rank, ": finite", finite, "suppressed", suppressed
    errors = errors + 1
  end if
  call compare(block, 7)

  ! No observation since the leap: refused, the block stays as it is.
  saved = block
  st = leap_runtime_leap(h, 1, theta, 0, block, accepted, spread)
  n = leap_last_error_copy(msg, len(msg))
  if (st /= LEAP_ERR_INPUT .or. index(msg(1:min(n, len(msg) - 1)), "context") == 0) then
    print *, "rank", rank, ": leap without context returned", st, msg(1:min(n, len(msg) - 1))
    errors = errors + 1
  end if
  if (any(block /= saved)) then
    print *, "rank", rank, ": a refused leap changed the block"
    errors = errors + 1
  end if

  call check(leap_runtime_observe(h, block, 1.75_c_double), "leap_runtime_observe")
  call check(leap_runtime_leap(h, 5, theta, 0, block, accepted, spread), "leap_runtime_leap")
  if (accepted /= 1) then
    print *, "rank", rank, ": second leap not accepted"
    errors = errors + 1
  end if
  call compare(block, 12)

  ! Observations for the next leap (leap_runtime_observe_points, 0-based cells, no k on a 2-D grid):
  ! a point off the grid is refused on every rank naming it; this rank's corner cell is taken.
  pc = 0
  pi = nx
  pj = y0
  pv = 1.0
  st = leap_runtime_observe_points(h, 1, pc, pi, pj, c_null_ptr, pv, 0.1_c_double)
  n = leap_last_error_copy(msg, len(msg))
  if (st /= LEAP_ERR_INPUT .or. index(msg(1:min(n, len(msg) - 1)), "outside") == 0) then
    print *, "rank", rank, ": a point off the grid returned", st, msg(1:min(n, len(msg) - 1))
    errors = errors + 1
  end if
  pi = x0
  call check(leap_runtime_observe_points(h, 1, pc, pi, pj, c_null_ptr, pv, 0.1_c_double), &
             "leap_runtime_observe_points")
  call check(leap_runtime_destroy(h), "leap_runtime_destroy")
  deallocate(block, saved)

  call MPI_Allreduce(errors, total, 1, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD, ierr)
  if (rank == 0) print *, "test_fortran_runtime on", nprocs, "ranks:", total, "mismatches"
  call MPI_Finalize(ierr)
  if (total /= 0) error stop 1

contains

  ! Edge k of a split of n cells into p parts: k n / p, the inner edges one cell further.
  integer function edge(k, p, n)
    integer, intent(in) :: k, p, n
    edge = k * n / p
    if (k > 0 .and. k < p) edge = edge + 1
  end function edge

  real(c_float) function stored(s, c, x, y)
    integer, intent(in) :: s, c, x, y
    stored = real(1 + 360 * s + 120 * c + 10 * x + y, c_float)
  end function stored

  ! This rank's block of stored frame s: block(c+1, i+1, j+1) = channel c at cell (x0+i, y0+j).
  subroutine fill(b, s)
    real(c_float), intent(out) :: b(:, :, :)
    integer, intent(in) :: s
    integer :: c, i, j
    b = -1
    do j = 1, ym
      do i = 1, xm
        do c = 1, nc
          b(c, i, j) = stored(s, c - 1, x0 + i - 1, y0 + j - 1)
        end do
      end do
    end do
  end subroutine fill

  subroutine compare(b, s)
    real(c_float), intent(in) :: b(:, :, :)
    integer, intent(in) :: s
    integer :: c, i, j
    do j = 1, ym
      do i = 1, xm
        do c = 1, nc
          if (b(c, i, j) /= stored(s, c - 1, x0 + i - 1, y0 + j - 1)) then
            if (errors < 10) print *, "rank", rank, ": frame", s, "block(", c, i, j, ") =", b(c, i, j)
            errors = errors + 1
          end if
        end do
      end do
    end do
  end subroutine compare

  subroutine check(status, what)
    integer(c_int), intent(in) :: status
    character(len=*), intent(in) :: what
    character(len=1024) :: text
    integer :: length
    if (status /= LEAP_OK) then
      length = leap_last_error_copy(text, len(text))
      print *, "rank", rank, ":", what, "failed:", text(1:min(length, len(text) - 1))
      errors = errors + 1
    end if
  end subroutine check

end program test_fortran_runtime
