// libFuzzer harness: the reader of datasets in The Well's HDF5 schema (leap::data::WellFile). The
// input is the file: it is written to a scratch file and read the way `leap info` and training do
// (open and check the schema, describe the layout, read one frame of every field and the whole
// state of the first and last frame, every scalar). A refusal must be a leap::Error (InputError
// for a malformed file); anything else escaping, a crash, UB or a leak is a finding.
#include <hdf5.h>

#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "leap/data/well_file.h"
#include "leap/error.h"

namespace {

const leap::fuzz::ScratchFile& scratch() {
  static const leap::fuzz::ScratchFile file(".hdf5");
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  H5open();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // HDF5's own error stack printing off
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& file = scratch();
  file.write(data, size);
  try {
    const leap::data::WellFile well(file.path());
    const auto& L = well.layout();
    (void)leap::data::describe(L, well.path());
    (void)L.channel_names();
    if (!leap::data::layout_difference(L, L).empty()) leap::fuzz::fail("a layout differs from itself");
    if (L.n_trajectories > 0 && L.n_steps > 0) {
      for (const auto& f : L.fields) (void)well.read_frame(L.n_trajectories - 1, 0, f.name);
      (void)well.read_state(0, 0);
      (void)well.read_state(L.n_trajectories - 1, L.n_steps - 1);
    }
    for (const auto& s : L.scalars) (void)well.read_scalar(s.name);
  } catch (const leap::Error&) {
    // A refusal naming the file.
  }
  return 0;
}
