// `leap info PATH...`: summary of dataset files in The Well's HDF5 schema, or of datasets and
// collections in The Well's directory layout (each dataset: its splits, its statistics, and the
// layout of its first file).
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "leap/data/well_file.h"
#include "leap/error.h"
#include "leap/train/dataset_dir.h"

namespace fs = std::filesystem;

namespace leap::cli {

namespace {

void describe_datasets(const std::string& path) {
  for (const auto& root : train::find_datasets({path})) {
    std::cout << "dataset dir:   " << root << "\n";
    std::string first;
    for (const char* split : {"train", "valid", "test"}) {
      int files = 0;
      int64_t trajectories = 0;
      const fs::path dir = train::split_dir(root, split);
      if (fs::is_directory(dir))
        for (const auto& e : fs::directory_iterator(dir)) {
          if (e.path().extension() != ".hdf5" && e.path().extension() != ".h5") continue;
          ++files;
          trajectories += data::WellFile(e.path().string()).layout().n_trajectories;
          if (first.empty() || e.path().string() < first) first = e.path().string();
        }
      const auto unfinished = train::unfinished_files(dir.string());
      std::cout << "  " << split << ": " << files << " files, " << trajectories << " trajectories";
      if (!unfinished.empty())
        std::cout << " (" << unfinished.size() << " unfinished, skipped: "
                  << fs::path(unfinished.front()).filename().string() << (unfinished.size() > 1 ? ", ..." : "")
                  << "; a writer was interrupted)";
      std::cout << "\n";
    }
    const fs::path stats = fs::path(root) / "stats.yaml";
    std::cout << "  stats.yaml: "
              << (fs::exists(stats) ? stats.string() : "none (computed from the training split when used)")
              << "\n";
    if (!first.empty()) {
      const data::WellFile file(first);
      std::cout << data::describe(file.layout(), file.path());
    }
  }
}

}  // namespace

void add_info(CLI::App& app, Common& common) {
  auto* cmd = app.add_subcommand(
      "info", "Summarise dataset files in The Well's HDF5 schema, or datasets and collections in its layout");
  auto paths = std::make_shared<std::vector<std::string>>();
  cmd->add_option("paths", *paths, "HDF5 files, dataset directories (DATASET/data/...) or collections")
      ->required();
  cmd->callback([paths, &common] {
    (void)common;
    for (size_t i = 0; i < paths->size(); ++i) {
      std::cout << (i ? "\n" : "");
      const std::string& p = (*paths)[i];
      if (fs::is_directory(p)) {
        describe_datasets(p);
      } else {
        if (fs::path(p).extension() == ".partial")
          throw InputError(p + ": an unfinished file (its writer was interrupted before it was complete); run "
                               "the writer again, or delete it");
        data::WellFile file(p);
        std::cout << data::describe(file.layout(), file.path());
      }
    }
  });
}

}  // namespace leap::cli
