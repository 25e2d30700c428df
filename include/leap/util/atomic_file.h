// Outputs are written under a temporary name and renamed when complete, so an interrupted run never
// leaves a file that looks finished.
#pragma once

#include <string>

namespace leap::util {

// The temporary name under which `final_path` is written until it is complete.
std::string partial_path(const std::string& final_path);
// Writes `content` to `path` through a temporary file and a rename.
void write_file_atomic(const std::string& path, const std::string& content);
// Renames a finished temporary file into place (throws leap::Error on failure).
void commit_file(const std::string& tmp_path, const std::string& final_path);
// Creates a directory (and parents); InputError naming `what` when it cannot be created or written.
void ensure_writable_dir(const std::string& dir, const std::string& what);

}  // namespace leap::util
