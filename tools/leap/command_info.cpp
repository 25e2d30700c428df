// `leap info FILE.hdf5`: summary of a dataset in The Well's HDF5 schema.
#include <iostream>

#include "commands.h"
#include "leap/data/well_file.h"

namespace leap::cli {

void add_info(CLI::App& app, Common& common) {
  auto* cmd = app.add_subcommand("info", "Summarise a dataset file in The Well's HDF5 schema");
  auto files = std::make_shared<std::vector<std::string>>();
  cmd->add_option("files", *files, "HDF5 files (The Well's schema)")->required();
  cmd->callback([files, &common] {
    (void)common;
    for (size_t i = 0; i < files->size(); ++i) {
      data::WellFile file((*files)[i]);
      std::cout << (i ? "\n" : "") << data::describe(file.layout(), file.path());
    }
  });
}

}  // namespace leap::cli
