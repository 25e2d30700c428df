#include "leap/util/atomic_file.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "leap/error.h"

namespace fs = std::filesystem;

namespace leap::util {

std::string partial_path(const std::string& final_path) { return final_path + ".partial"; }

void commit_file(const std::string& tmp_path, const std::string& final_path) {
  std::error_code ec;
  fs::rename(tmp_path, final_path, ec);
  if (ec) throw Error("cannot rename " + tmp_path + " to " + final_path + ": " + ec.message());
}

void write_file_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write " + path + ": cannot create " + tmp);
    out << content;
    out.close();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);  // what was at `path` stays as it was
      throw Error("cannot write " + path + " (disk full, or a file size limit?)");
    }
  }
  commit_file(tmp, path);
}

void ensure_writable_dir(const std::string& dir, const std::string& what) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw InputError(what + " '" + dir + "': cannot create the directory" + (ec ? ": " + ec.message() : ""));
  if (::access(dir.c_str(), W_OK) != 0)
    throw InputError(what + " '" + dir + "': the directory is not writable");
}

}  // namespace leap::util
