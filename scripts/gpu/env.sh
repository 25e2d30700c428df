# Environment for the packages extracted by setup.sh (source it: . env.sh).
P=${LEAP_DEPS_PREFIX:-/opt/deb12}
export PATH=$P/usr/bin:$PATH
L=$P/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$L:$P/lib/x86_64-linux-gnu:$L/openmpi/lib:$L/hdf5/openmpi:$L/hdf5/serial:$L/blas:$L/lapack:$P/usr/lib/libpsm1${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export OPAL_PREFIX=$P/usr
export PETSC_DIR=$P/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real
export PKG_CONFIG_PATH=$PETSC_DIR/lib/pkgconfig:$L/pkgconfig:$P/usr/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export CMAKE_PREFIX_PATH=$P/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}
export HDF5_ROOT=$L/hdf5/openmpi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export PMIX_MCA_mca_base_component_path=$L/pmix2/lib/pmix
export LEAP_DEPS_PREFIX=$P
# PLplot (figures): its drivers, its data and the fonts, from the prefix rather than /usr.
export PLPLOT_DRV_DIR=$L/plplot5.15.0/drivers PLPLOT_LIB=$P/usr/share/plplot5.15.0
export FONTCONFIG_FILE=$P/etc/fonts/leap-fonts.conf
# The GPU image may carry its own PMIx components under /usr/lib: keep their load errors and the
# compression warning out of the programs' output (seen on the H100 machine, 2026-11-23).
export PMIX_MCA_mca_base_component_show_load_errors=0 PMIX_MCA_pcompress_base_silence_warning=1
