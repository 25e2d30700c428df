// Helpers shared by LEAP's libFuzzer harnesses (tests/fuzz/fuzz_*.cpp): a reader that turns the
// input bytes into choices, a splitter for "document, separator, override lines" inputs, and a
// scratch file per process for harnesses whose code under test reads a path.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace leap::fuzz {

// Consumes the input front to back; once exhausted every read gives 0 (deterministic).
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  bool empty() const { return n_ == 0; }
  size_t left() const { return n_; }
  uint8_t u8() {
    if (!n_) return 0;
    --n_;
    return *p_++;
  }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
    return v;
  }
  // An int that is often a boundary value: 0, 1, -1, small, INT_MIN/MAX, or any 32-bit value.
  int hostile_int() {
    switch (u8() % 8) {
      case 0: return 0;
      case 1: return 1;
      case 2: return -1;
      case 3: return int(u8() % 16);
      case 4: return int(0x80000000u);
      case 5: return 0x7fffffff;
      case 6: return -int(u8());
      default: return int(u32());
    }
  }
  // Up to `max` bytes as a string (length from one byte).
  std::string str(size_t max) {
    size_t len = u8() % (max + 1);
    if (len > n_) len = n_;
    std::string s(reinterpret_cast<const char*>(p_), len);
    p_ += len;
    n_ -= len;
    return s;
  }
  std::string rest() {
    std::string s(reinterpret_cast<const char*>(p_), n_);
    p_ += n_;
    n_ = 0;
    return s;
  }

 private:
  const uint8_t* p_;
  size_t n_;
};

// Splits `text` at the first line "@@": the part before it, and the non-empty lines after it.
inline std::pair<std::string, std::vector<std::string>> split_overrides(const std::string& text,
                                                                        size_t max_lines) {
  const std::string sep = "\n@@\n";
  const size_t at = text.find(sep);
  if (at == std::string::npos) return {text, {}};
  std::vector<std::string> lines;
  size_t pos = at + sep.size();
  while (pos < text.size() && lines.size() < max_lines) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return {text.substr(0, at), lines};
}

// A file of this process (in /dev/shm where there is one: no disk traffic), removed at exit.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& suffix) {
    const std::filesystem::path dir =
        std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    path_ = (dir / ("leap_fuzz_" + std::to_string(::getpid()) + suffix)).string();
  }
  ~ScratchFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  const std::string& path() const { return path_; }
  void write(const void* data, size_t size) const {
    FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f) std::abort();
    if (size && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
  }

 private:
  std::string path_;
};

// A broken invariant (not a refusal): print what and abort, so libFuzzer keeps the input.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "LEAP fuzz invariant broken: %s\n", what.c_str());
  std::abort();
}

}  // namespace leap::fuzz
