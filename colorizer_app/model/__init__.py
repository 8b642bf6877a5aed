"""Torch modules and model files: backbones, the hybrid network, presets, the model store."""
