# Metrics of "Lost in Latent Space" (VRMSE, spectra, ensemble scores).
target_sources(leap_models PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/metrics/vrmse.cpp
  ${CMAKE_CURRENT_LIST_DIR}/metrics/power_spectrum.cpp
  ${CMAKE_CURRENT_LIST_DIR}/metrics/ensemble_scores.cpp)
