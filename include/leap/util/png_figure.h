// Fields as PNG figures, drawn by PLplot (its cairo driver): panels in a grid, each field an image in
// the perceptual viridis colormap with its own colorbar, a title, and x/y axes in grid cells (x across,
// rows from the top). Written to a temporary name and renamed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace leap::util {

struct FigurePanel {
  std::vector<float> values;  // row-major, rows x cols; row 0 is drawn at the top
  int64_t rows = 0, cols = 0;
  // Colour range; when lo >= hi the panel's own min and max are used. Values outside are clamped.
  double lo = 0, hi = 0;
  std::string title;  // above the panel (none when empty)
};

// The viridis colormap's ends: the colour of a panel's lo and of its hi.
inline constexpr uint8_t kViridisLow[3] = {68, 1, 84}, kViridisHigh[3] = {253, 231, 37};

// `columns` panels per row; each field drawn at `scale` pixels per value (a panel row is as tall as its
// tallest field, a column as wide as its widest), `title` above them all (none when empty). Throws
// leap::Error for no panel, a panel whose values do not match rows x cols, or when the file cannot be
// written.
void write_figure_png(const std::string& path, const std::vector<FigurePanel>& panels, int columns,
                      int scale = 4, const std::string& title = "");

}  // namespace leap::util
