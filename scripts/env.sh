# Source this: the environment LEAP's commands and tests expect (OpenMPI as root, fast start-up,
# passive OpenMP waiting so LibTorch threads do not spin against MPI ranks).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1
export OMP_WAIT_POLICY=PASSIVE
