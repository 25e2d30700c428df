#include "paper_findings.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace leap::cli {

namespace {

std::string num(double v, const char* f = "%.3g") {
  char b[48];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string rate(double c) {
  return num(c, "%.0f") + "x";
}

double mean(const std::vector<double>& v) {
  return v.empty() ? std::nan("") : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}

Verdict verdict(int finding, const std::string& statement) {
  Verdict v;
  v.finding = finding;
  v.statement = statement;
  return v;
}

Verdict finding1(const ResultTable& t) {
  Verdict v = verdict(1, "autoencoder error grows with compression, emulation error much less");
  const auto ae = t.compressions(Method::autoencoder), dif = t.compressions(Method::diffusion);
  std::vector<double> both;
  std::set_intersection(ae.begin(), ae.end(), dif.begin(), dif.end(), std::back_inserter(both));
  if (both.size() < 2) {
    v.numbers = "needs the autoencoder and the diffusion emulator at two rates or more";
    return v;
  }
  const double lo = both.front(), hi = both.back();
  const double a0 = mean(t.find(Method::autoencoder, lo)->vrmse),
               a1 = mean(t.find(Method::autoencoder, hi)->vrmse);
  const double e0 = t.find(Method::diffusion, lo)->vrmse.back(),
               e1 = t.find(Method::diffusion, hi)->vrmse.back();
  const double a = a1 / a0, e = e1 / e0;
  const bool holds = a >= 1.5 && (e - 1) <= (a - 1) / 4;
  v.outcome = holds ? Verdict::Outcome::holds : Verdict::Outcome::does_not_hold;
  v.numbers = "from " + rate(lo) + " to " + rate(hi) + ": autoencoder VRMSE x" + num(a, "%.2f") + " (" +
              num(a0) + " -> " + num(a1) + ", mean over bins); diffusion VRMSE at lead " + t.bins.back() +
              " " + (e >= 1 ? "+" : "") + num(100 * (e - 1), "%.1f") + "% (" + num(e0) + " -> " + num(e1) +
              "); holds when the autoencoder grows x1.5 or more and the emulator by at most a quarter of it";
  return v;
}

Verdict finding2(const ResultTable& t) {
  Verdict v =
      verdict(2,
              "latent diffusion is as accurate as the deterministic latent emulator at short leads and more "
              "accurate at long ones; both beat the deterministic pixel-space emulator");
  const auto dif = t.compressions(Method::diffusion), det = t.compressions(Method::latent_deterministic);
  std::vector<double> both;
  std::set_intersection(dif.begin(), dif.end(), det.begin(), det.end(), std::back_inserter(both));
  const ResultRow* pix = t.find(Method::pixel_deterministic);
  if (both.empty() || pix == nullptr) {
    v.numbers = "needs the diffusion and deterministic latent emulators at one rate and the pixel-space one";
    return v;
  }
  bool holds = true;
  std::string parts;
  for (const double c : both) {
    const ResultRow& d = *t.find(Method::diffusion, c);
    const ResultRow& l = *t.find(Method::latent_deterministic, c);
    const bool short_ok = d.vrmse.front() <= 1.1 * l.vrmse.front();
    const bool long_ok = d.vrmse.back() < l.vrmse.back();
    const bool pix_ok = mean(d.vrmse) < mean(pix->vrmse) && mean(l.vrmse) < mean(pix->vrmse);
    holds = holds && short_ok && long_ok && pix_ok;
    if (!parts.empty()) parts += "; ";
    parts += rate(c) + ": short " + num(d.vrmse.front()) + " vs " + num(l.vrmse.front()) +
             (short_ok ? "" : " (no)") + ", long " + num(d.vrmse.back()) + " vs " + num(l.vrmse.back()) +
             (long_ok ? "" : " (no)") + ", mean " + num(mean(d.vrmse)) + " / " + num(mean(l.vrmse)) +
             " vs pixel " + num(mean(pix->vrmse)) + (pix_ok ? "" : " (no)");
  }
  v.outcome = holds ? Verdict::Outcome::holds : Verdict::Outcome::does_not_hold;
  v.numbers =
      "diffusion vs deterministic latent VRMSE, " + parts +
      "; holds when diffusion is at most 10% worse in the short bin, better in the long bin, and both "
      "beat the pixel-space emulator";
  return v;
}

Verdict finding3(const ResultTable& t) {
  Verdict v = verdict(3, "the diffusion ensemble's spread tracks its error (spread/skill near 1)");
  bool any = false, holds = true;
  std::string parts;
  for (const double c : t.compressions(Method::diffusion)) {
    const ResultRow& d = *t.find(Method::diffusion, c);
    if (d.spread_skill.empty()) continue;
    any = true;
    if (!parts.empty()) parts += "; ";
    parts += rate(c) + ":";
    for (const double r : d.spread_skill) {
      parts += " " + num(r, "%.2f");
      holds = holds && r >= 2.0 / 3.0 && r <= 1.5;
    }
  }
  if (!any) {
    v.numbers = "no spread/skill figures in this table";
    return v;
  }
  v.outcome = holds ? Verdict::Outcome::holds : Verdict::Outcome::does_not_hold;
  v.numbers = "spread/skill by lead bin (" + t.bins.front() + " .. " + t.bins.back() + ") " + parts +
              "; holds when every ratio lies within [0.67, 1.5]";
  return v;
}

ResultRow row(Method m, double c, std::vector<double> v) {
  return {m, c, std::move(v), {}};
}

}  // namespace

std::string method_name(Method m) {
  switch (m) {
    case Method::autoencoder:
      return "autoencoder (reconstruction)";
    case Method::diffusion:
      return "latent diffusion";
    case Method::latent_deterministic:
      return "latent deterministic";
    case Method::pixel_deterministic:
      return "pixel deterministic";
    case Method::persistence:
      return "persistence";
  }
  return "?";
}

const ResultRow* ResultTable::find(Method m, double compression) const {
  for (const auto& r : rows)
    if (r.method == m && std::abs(r.compression - compression) <= 1e-9 * std::max(1.0, compression))
      return &r;
  return nullptr;
}

std::vector<double> ResultTable::compressions(Method m) const {
  std::vector<double> c;
  for (const auto& r : rows)
    if (r.method == m) c.push_back(r.compression);
  std::sort(c.begin(), c.end());
  return c;
}

std::optional<ResultTable> paper_table(const std::string& case_name) {
  using M = Method;
  if (case_name == "euler2d") {
    ResultTable t{
        "the paper, Euler multi-quadrants 512x512 (DESIGN.md section 1)", {"1:20", "21:60", "61:100"}, {}};
    t.rows = {row(M::autoencoder, 80, {.011, .014, .020}), row(M::diffusion, 80, {.075, .199, .395}),
              row(M::diffusion, 1280, {.093, .217, .400}),
              row(M::latent_deterministic, 80, {.077, .232, .500}),
              row(M::pixel_deterministic, 0, {.138, .397, 1.102})};
    return t;
  }
  if (case_name == "rayleigh_benard") {
    ResultTable t{"the paper's code, Rayleigh-Benard 512x128", {"1:20", "21:60", "61:160"}, {}};
    t.rows = {row(M::autoencoder, 64, {.027, .036, .018}),
              row(M::autoencoder, 256, {.054, .072, .039}),
              row(M::autoencoder, 1024, {.108, .140, .087}),
              row(M::diffusion, 64, {.157, .469, .625}),
              row(M::diffusion, 256, {.177, .474, .621}),
              row(M::diffusion, 1024, {.219, .507, .657}),
              row(M::latent_deterministic, 64, {.219, .645, .828}),
              row(M::latent_deterministic, 256, {.235, .651, .834}),
              row(M::latent_deterministic, 1024, {.256, .644, .827}),
              row(M::pixel_deterministic, 0, {.245, .629, .870})};
    return t;
  }
  return std::nullopt;
}

std::string Verdict::line() const {
  const char* o = outcome == Outcome::holds           ? "HOLDS"
                  : outcome == Outcome::does_not_hold ? "DOES NOT HOLD"
                                                      : "not checked";
  return "Finding " + std::to_string(finding) + " (" + statement + "): " + o + " -- " + numbers;
}

std::vector<Verdict> check_findings(const ResultTable& t) {
  return {finding1(t), finding2(t), finding3(t)};
}

}  // namespace leap::cli
