// The paper's three findings as checks on a table of results (`leap reproduce`), and the paper's own
// published tables to print beside LEAP's. A table holds VRMSE per lead-time bin (short, middle, long)
// for each method at each compression rate; the checks read only what is in it, so they can be run on
// the paper's tables too (a published table that lacks what a finding needs gets "not checked").
//
// The findings and the thresholds that decide them:
//  1. Autoencoder error grows with compression, emulation error much less. Between the lowest and the
//     highest compression: the autoencoder's VRMSE (mean over the bins) grows by a factor a, the latent
//     diffusion emulator's VRMSE in the long bin by a factor e. Holds when a >= 1.5 and
//     e - 1 <= (a - 1) / 4 (the paper: a = 4 to 5, e - 1 = 1% to 5%).
//  2. Latent diffusion is as accurate as the deterministic latent emulator at short leads (at most 10%
//     worse in the short bin) and more accurate at long ones (lower in the long bin), at every rate where
//     both are; and both beat the deterministic pixel-space emulator (lower mean over the bins).
//  3. The diffusion ensemble's spread tracks its error: the spread/skill ratio lies within [2/3, 3/2] in
//     every bin at every rate.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace leap::cli {

enum class Method { autoencoder, diffusion, latent_deterministic, pixel_deterministic, persistence };
std::string method_name(Method m);

struct ResultRow {
  Method method;
  double compression = 0;     // x-fold; 0 for pixel-space methods
  std::vector<double> vrmse;  // per lead bin
  // Diffusion only: spread/skill ratio per lead bin (empty where not measured).
  std::vector<double> spread_skill;
};

struct ResultTable {
  std::string title;
  std::vector<std::string> bins;  // lead-time bin labels, short to long
  std::vector<ResultRow> rows;
  const ResultRow* find(Method m, double compression = 0) const;
  std::vector<double> compressions(Method m) const;  // ascending
};

// The paper's table for "euler2d" (DESIGN.md section 1) or "rayleigh_benard" (the paper's code);
// std::nullopt for another case.
std::optional<ResultTable> paper_table(const std::string& case_name);

struct Verdict {
  int finding = 0;        // 1, 2, 3
  std::string statement;  // what the paper found
  enum class Outcome { holds, does_not_hold, not_checked } outcome = Outcome::not_checked;
  std::string numbers;       // the figures the outcome rests on, or why it was not checked
  std::string line() const;  // "Finding N (...): HOLDS -- numbers"
};

std::vector<Verdict> check_findings(const ResultTable& table);

}  // namespace leap::cli
