# Training data: normalisation, windows of trajectories, batches; XDMF descriptions of dataset files.
target_sources(leap_models PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/data/xdmf.cpp
  ${CMAKE_CURRENT_LIST_DIR}/data/normalizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/data/window_dataset.cpp
  ${CMAKE_CURRENT_LIST_DIR}/data/window_loader.cpp)
