# Networks (autoencoder, ViT), diffusion (schedule, denoiser, loss, samplers) and rollout.
target_sources(leap_models PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/nn/channel_layer_norm.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nn/padded_conv.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nn/residual_block.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nn/resample.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nn/dcae.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nn/sine_encoding.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nn/rms_norm.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nn/rotary_embedding.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nn/attention.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nn/autocast_guard.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nn/cuda_graph.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nn/modulated_block.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nn/vit.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nn/surrogate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/diffusion/schedule.cpp
  ${CMAKE_CURRENT_LIST_DIR}/diffusion/preconditioning.cpp
  ${CMAKE_CURRENT_LIST_DIR}/diffusion/context_mask.cpp
  ${CMAKE_CURRENT_LIST_DIR}/diffusion/denoiser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/diffusion/denoising_loss.cpp
  ${CMAKE_CURRENT_LIST_DIR}/diffusion/sampler.cpp
  ${CMAKE_CURRENT_LIST_DIR}/diffusion/observation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/diffusion/guidance.cpp
  ${CMAKE_CURRENT_LIST_DIR}/diffusion/rollout.cpp
  ${CMAKE_CURRENT_LIST_DIR}/diffusion/observed_rollout.cpp
  ${CMAKE_CURRENT_LIST_DIR}/diffusion/emulation_engine.cpp
)
