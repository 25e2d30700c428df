# AE-dependent training sources
target_sources(leap_models PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/train/autoencoder_training.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train/autoencoder_io.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train/latent_encoding.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train/emulator_training.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train/emulator_io.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train/evaluation.cpp)
