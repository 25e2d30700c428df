// PNG figures without a plotting stack: fields drawn as colour images (perceptual viridis-like
// colormap, each panel with its own value range), panels in a grid with white gaps. Written through
// stb_image_write to a temporary name and renamed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace leap::util {

struct FigurePanel {
  std::vector<float> values;  // row-major, rows x cols
  int64_t rows = 0, cols = 0;
  // Colour range; when lo >= hi the panel's own min and max are used.
  double lo = 0, hi = 0;
};

// RGB of the colormap at t in [0, 1] (clamped): dark blue-purple at 0, teal at 0.5, yellow at 1.
void colormap(double t, uint8_t rgb[3]);

// Panels of one row of the grid share the row's height (the largest); `columns` panels per row.
// Each cell is drawn at `scale` pixels per value. Throws Error when the file cannot be written.
void write_figure_png(const std::string& path, const std::vector<FigurePanel>& panels, int columns, int scale = 4);

}  // namespace leap::util
