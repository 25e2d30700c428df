! The C API from Fortran: an exchange on MPI_COMM_WORLD through the MPI_Fint entry point, a 13 x 10
! field of 3 channels with value 1000*c + 100*i + j (0-based channel c, cell (i, j)) split unevenly
! over the ranks; rank 0 checks the gathered field, then scatters it back (plus 0.5) and every rank
! checks its block. Also checks that bad input is refused with LEAP_ERR_INPUT and a message naming
! the argument. Exits non-zero on any mismatch.
program test_fortran_exchange
  use mpi
  use leap
  use, intrinsic :: iso_c_binding, only: c_int, c_float
  implicit none
  integer, parameter :: nx = 13, ny = 10, nc = 3
  integer :: ierr, rank, nprocs, px, py, rx, ry, x0, y0, xm, ym, i, j, c, n, errors, total
  integer(c_int) :: h, st, flag
  real(c_float), allocatable :: block(:, :, :), back(:, :, :), full(:, :, :)
  character(len=512) :: msg

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  errors = 0

  ! Process grid px x py; uneven splits of 13 and 10.
  if (mod(nprocs, 2) == 0) then
    px = nprocs / 2
    py = 2
  else
    px = nprocs
    py = 1
  end if
  rx = rank / py
  ry = mod(rank, py)
  x0 = rx * nx / px
  xm = (rx + 1) * nx / px - x0
  y0 = ry * ny / py
  ym = (ry + 1) * ny / py - y0

  ! Bad input: refused on every rank, naming the argument.
  st = leap_exchange_create(MPI_COMM_WORLD, -1, ny, x0, y0, xm, ym, nc, h)
  n = leap_last_error_copy(msg, len(msg))
  if (st /= LEAP_ERR_INPUT .or. index(msg(1:min(n, len(msg) - 1)), "'nx'") == 0) then
    print *, "rank", rank, ": expected LEAP_ERR_INPUT naming 'nx', got", st, msg(1:min(n, len(msg) - 1))
    errors = errors + 1
  end if

  st = leap_exchange_create(MPI_COMM_WORLD, nx, ny, x0, y0, xm, ym, nc, h)
  call check_status(st, "leap_exchange_create")
  call check_status(leap_exchange_set_layout(h, LEAP_LAYOUT_CYX), "leap_exchange_set_layout")
  call check_status(leap_exchange_is_emulator(h, flag), "leap_exchange_is_emulator")
  if ((flag == 1) .neqv. (rank == 0)) then
    print *, "rank", rank, ": is_emulator =", flag
    errors = errors + 1
  end if

  allocate(block(xm, ym, nc), back(xm, ym, nc))
  do c = 1, nc
    do j = 1, ym
      do i = 1, xm
        block(i, j, c) = real(1000 * (c - 1) + 100 * (x0 + i - 1) + (y0 + j - 1), c_float)
      end do
    end do
  end do
  if (rank == 0) then
    allocate(full(ny, nx, nc))
  else
    allocate(full(1, 1, 1))
  end if
  full = -1.0_c_float

  call check_status(leap_exchange_gather(h, block, full), "leap_exchange_gather")
  if (rank == 0) then
    do c = 1, nc
      do i = 1, nx
        do j = 1, ny
          if (full(j, i, c) /= real(1000 * (c - 1) + 100 * (i - 1) + (j - 1), c_float)) then
            if (errors < 10) print *, "gather: full(", j, i, c, ") =", full(j, i, c)
            errors = errors + 1
          end if
        end do
      end do
    end do
    full = full + 0.5_c_float
  end if

  back = -1.0_c_float
  call check_status(leap_exchange_scatter(h, full, back), "leap_exchange_scatter")
  do c = 1, nc
    do j = 1, ym
      do i = 1, xm
        if (back(i, j, c) /= block(i, j, c) + 0.5_c_float) then
          if (errors < 10) print *, "scatter: rank", rank, "block(", i, j, c, ") =", back(i, j, c)
          errors = errors + 1
        end if
      end do
    end do
  end do
  call check_status(leap_exchange_destroy(h), "leap_exchange_destroy")
  deallocate(block, back, full)

  call MPI_Allreduce(errors, total, 1, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD, ierr)
  if (rank == 0) print *, "test_fortran_exchange on", nprocs, "ranks:", total, "mismatches"
  call MPI_Finalize(ierr)
  if (total /= 0) stop 1

contains

  subroutine check_status(status, what)
    integer(c_int), intent(in) :: status
    character(len=*), intent(in) :: what
    character(len=512) :: text
    integer :: length
    if (status /= LEAP_OK) then
      length = leap_last_error_copy(text, len(text))
      print *, "rank", rank, ":", what, "failed:", text(1:min(length, len(text) - 1))
      errors = errors + 1
    end if
  end subroutine check_status

end program test_fortran_exchange
