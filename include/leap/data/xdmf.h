// XDMF descriptions of dataset files, so that ParaView and VisIt open a dataset in The Well's schema
// as a time series with named fields (the data stay in the HDF5 file; the XDMF file is a few lines of
// XML per frame pointing into it).
//
// write_xdmf("DIR/NAME.hdf5") writes DIR/NAME.xdmf (<Xdmf Version="3.0">): per trajectory one
// temporal collection `trajectory_<k>` of uniform grids, one per frame, with <Time Value> from
// dimensions/time; each field a node-centred attribute whose data are a HyperSlab DataItem of the
// field's dataset selecting (trajectory, step) (start/stride/count over all its axes, Dimensions the
// grid's); HDF5 paths relative ("NAME.hdf5:/t0_fields/density"), so the pair can be moved together.
//
// Readers. HyperSlab DataItems are XDMF's documented way to select part of a dataset and are read by
// ParaView's "XDMF Reader" (XDMFReader in pvpython) and by VisIt. ParaView's two "Xdmf3 Reader"s
// show the grids and times but skip every HyperSlab attribute ("Skipping unrecognized array type":
// they ask a HyperSlab its number type before reading it); their own slab syntax (FILE:PATH|start:
// stride:count:shape) is unknown to the XDMF Reader and to VisIt. So pick "XDMF Reader" in
// ParaView's "Open Data With" dialog.
//
// Axis order. The Well stores [.., x, y] with y varying fastest. XDMF (like VTK) lists a structured
// grid's dimensions slowest first and its coordinates fastest first (VX is VTK's X, the fastest
// index), and ParaView copies a data array as is, X fastest. So the grid is a 2DRectMesh with
// Dimensions="nx ny" and geometry VXVY = (dimensions/y, dimensions/x): every value sits at its own
// (x, y), and ParaView's X axis shows The Well's y, its Y axis The Well's x (the picture of
// matplotlib's imshow(field, origin="lower")). Naming VX after x would put the values at the wrong
// points (and fail for nx != ny). In 3-D: 3DRectMesh "nx ny nz", VXVYVZ = (z, y, x); in 1-D a
// 2DRectMesh "1 nx" with VX = x.
//
// Vector and tensor fields (t1_fields [.., D], t2_fields [.., D, D]) are exposed one scalar attribute
// per component, named as LEAP names channels (momentum_x, momentum_y; t2: <name>_xx, <name>_xy, ..):
// XDMF readers take a Vector attribute to have 3 components (a 2-component one is misread), and the
// components are in The Well's axis order, not ParaView's; the Calculator filter
// (momentum_y*iHat + momentum_x*jHat) makes a vector in ParaView's frame. Fields that do not vary
// along a spatial axis (dim_varying false) are left out: XDMF has no broadcast.
#pragma once

#include <string>

namespace leap::data {

// DIR/NAME.xdmf for DIR/NAME.hdf5 (the extension replaced, whatever it was).
std::string xdmf_path_for(const std::string& h5_path);
// The XDMF text describing the dataset file `h5_path` (read with WellFile; InputError if it is not
// a dataset in The Well's schema).
std::string xdmf_text(const std::string& h5_path);
// Writes xdmf_text(h5_path) to xdmf_path_for(h5_path), atomically; returns that path.
std::string write_xdmf(const std::string& h5_path);

}  // namespace leap::data
