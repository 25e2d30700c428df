# Training machinery: schedules, data parallelism, checkpoints, the training loop.
target_sources(leap_models PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/train/lr_schedule.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train/data_parallel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train/gradient_reducer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train/checkpoint.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train/trainer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train/psgd_kron.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train/dataset_dir.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train/model_io.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train/run_options.cpp)
